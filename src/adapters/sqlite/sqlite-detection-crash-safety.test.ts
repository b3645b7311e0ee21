/**
 * Kills a process that is inserting detection runs with SIGKILL at seeded random moments, then
 * checks that the database is intact and holds every committed run with all its detections,
 * and no partial run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { makeDetectionRun } from '../../app/detect/detection-fixtures.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import { SqliteDetectionRepository } from './sqlite-detection-repository.ts';
import { seededRandom } from '../../core/random.ts';

const SEED = 0x5eed_0d07;
const SEED_TEXT = `0x${SEED.toString(16)}`;
const ROUNDS = 3;
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const childScript = join(here, 'testdata', 'insert-runs-until-killed.ts');

/** Starts the child, waits for its first commit, then SIGKILLs it after `delayMs`. */
function runAndKill(databasePath: string, start: number, delayMs: number): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', childScript, databasePath, String(start)],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited on its own (signal ${String(signal)}): ${stderr}`));
        return;
      }
      const lines = stdout.split('\n').filter((line) => /^\d+$/.test(line));
      resolvePromise(Number(lines.at(-1) ?? -1));
    });
  });
}

describe(`SQLite detection runs crash safety (seed ${SEED_TEXT})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-det-crash-'));
  const databasePath = join(dir, 'sitewatch.db');
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every committed run with all its detections and no partial run across SIGKILLs', async () => {
    const random = seededRandom(SEED);
    let stored = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const delayMs = Math.floor(random() * 150);
      const context = `round ${round}, seed ${SEED_TEXT}, kill after ${delayMs} ms`;
      const lastCommitted = await runAndKill(databasePath, stored, delayMs);
      const db = openSqliteDatabase(databasePath);
      try {
        const handle = db.handle;
        expect(handle.pragma('integrity_check', { simple: true }), context).toBe('ok');
        expect(handle.pragma('foreign_key_check'), context).toEqual([]);
        const count = (
          handle.prepare('SELECT count(*) AS n FROM detection_runs').get() as { n: number }
        ).n;
        expect(count, `${context}: committed ${lastCommitted}`).toBeGreaterThan(lastCommitted);
        const repository = new SqliteDetectionRepository(db);
        let detections = 0;
        for (let index = 0; index < count; index += 1) {
          const expected = makeDetectionRun(
            index,
            `img_${index % 7}`,
            20 + (index % 50),
            '2026-01-01T00:00:00.000Z',
          );
          expect(await repository.getRun(expected.run.id), `${context}: run ${index}`).toEqual(
            expected.run,
          );
          expect(
            await repository.listDetections(expected.run.id),
            `${context}: run ${index}`,
          ).toEqual(expected.detections);
          detections += expected.detections.length;
        }
        const rows = (handle.prepare('SELECT count(*) AS n FROM detections').get() as { n: number })
          .n;
        expect(rows, context).toBe(detections);
        stored = count;
      } finally {
        db.close();
      }
    }
    expect(stored).toBeGreaterThan(ROUNDS);
  });
});
