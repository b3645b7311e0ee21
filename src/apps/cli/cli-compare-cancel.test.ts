/**
 * Ctrl-C during `sitewatch compare`: a child process comparing a 1024² pair (large enough to
 * run on worker threads) gets SIGINT once its scratch folder exists, and must exit 130 having
 * stored nothing and left no output and no temporary file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeSyntheticCogPair } from '../../testing/synthetic-cog-pair.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const SIZE = 1024;

function writePair(dir: string): Promise<[string, string]> {
  return writeSyntheticCogPair(dir, {
    sizePx: SIZE,
    seed: 5,
    change: { col0: 300, row0: 400, width: 120, height: 80 },
  });
}

function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const started = Date.now();
  return new Promise((resolve) => {
    const poll = () => {
      if (condition()) resolve(true);
      else if (Date.now() - started > timeoutMs) resolve(false);
      else setTimeout(poll, 20);
    };
    poll();
  });
}

describe('compare cancelled by SIGINT', () => {
  it('exits 130, storing nothing and leaving no output or temporary file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-sigint-'));
    const [t1, t2] = await writePair(mkdtempSync(join(tmpdir(), 'sitewatch-pair-')));
    const ingest = await runCliCaptured([
      '--home',
      home,
      'images',
      'ingest',
      t1,
      t2,
      '--acquired-at',
      '2020-01-01',
      '--json',
    ]);
    expect(ingest.code, ingest.stderr).toBe(0);
    const [a = '', b = ''] = ingest.json<{ id: string }[]>().map((image) => image.id);
    const out = join(home, 'out');
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/sitewatch.js'),
        '--home',
        home,
        'compare',
        a,
        b,
        '--out',
        out,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
      });
    });
    const scratch = join(home, 'tmp');
    const started = await waitFor(
      () => existsSync(scratch) && readdirSync(scratch).some((n) => n.startsWith('compare-')),
      120_000,
    );
    expect(started, `no scratch folder appeared; stderr: ${stderr}`).toBe(true);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/comparison cancelled/);
    expect(readdirSync(scratch)).toEqual([]);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    const db = new Database(join(home, 'sitewatch.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT count(*) AS n FROM comparisons').get() as { n: number };
      expect(row.n).toBe(0);
    } finally {
      db.close();
    }
  }, 240_000);
});
