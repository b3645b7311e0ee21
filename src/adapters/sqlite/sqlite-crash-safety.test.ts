/**
 * Kills a process that is inserting images with SIGKILL at seeded random moments, then
 * checks that the database is intact and holds every committed image whole, and no partial
 * one.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

import { openSqliteStore } from './sqlite-store.ts';
import { crashRecord } from './testdata/crash-record.ts';
import { seededRandom } from '../../core/random.ts';

const SEED = 0x5eed_0003;
const SEED_TEXT = `0x${SEED.toString(16)}`;
const ROUNDS = 4;
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const childScript = join(here, 'testdata', 'insert-until-killed.ts');

interface RoundOutcome {
  /** Highest index the child reported as committed, -1 if none. */
  readonly lastCommitted: number;
  readonly stderr: string;
}

/** Starts the child, waits for its first commit, then SIGKILLs it after `delayMs`. */
function runAndKill(databasePath: string, start: number, delayMs: number): Promise<RoundOutcome> {
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
      resolvePromise({ lastCommitted: Number(lines.at(-1) ?? -1), stderr });
    });
  });
}

describe(`SQLite crash safety (seed ${SEED_TEXT})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-crash-'));
  const databasePath = join(dir, 'sitewatch.db');
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every committed image whole and no partial one across SIGKILLs', async () => {
    const random = seededRandom(SEED);
    let stored = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const delayMs = Math.floor(random() * 150);
      const context = `round ${round}, seed ${SEED_TEXT}, kill after ${delayMs} ms`;
      const outcome = await runAndKill(databasePath, stored, delayMs);
      const store = openSqliteStore(databasePath);
      try {
        const handle = store.db.handle;
        expect(handle.pragma('integrity_check', { simple: true }), context).toBe('ok');
        expect(handle.pragma('foreign_key_check'), context).toEqual([]);
        expect(handle.prepare("SELECT rtreecheck('images_rtree') AS r").get(), context).toEqual({
          r: 'ok',
        });
        const count = await store.images.count();
        expect(count, `${context}: committed ${outcome.lastCommitted}`).toBeGreaterThan(
          outcome.lastCommitted,
        );
        let files = 0;
        let sites = 0;
        for (let index = 0; index < count; index += 1) {
          const expected = crashRecord(index);
          expect(await store.images.get(expected.id), `${context}: image ${index}`).toEqual(
            expected,
          );
          files += expected.files.length;
          sites += expected.sites.length;
        }
        const rows = (table: string) =>
          (handle.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        expect(
          { files: rows('image_files'), sites: rows('image_sites'), boxes: rows('images_rtree') },
          context,
        ).toEqual({ files, sites, boxes: count });
        stored = count;
      } finally {
        await store.close();
      }
    }
    expect(stored).toBeGreaterThan(ROUNDS);
  });
});
