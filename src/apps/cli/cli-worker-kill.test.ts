/**
 * `sitewatch compare --queue` and `sitewatch worker` over Redis (a private redis-server): a
 * worker process is killed with SIGKILL in the middle of a comparison; a second worker takes
 * the job over once the first one's lease lapses (10 s here: long enough for a loaded machine's
 * event loop, short enough for a test) and completes it, and the stored comparison
 * (one, not two) and its change polygons equal those of a clean run of `sitewatch compare`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqJobStore } from '../../adapters/bullmq/bullmq-job-store.ts';
import { hasRedisServer, RedisTestServer } from '../../adapters/bullmq/redis-test-server.ts';
import { writeSyntheticCogPair } from '../../testing/synthetic-cog-pair.ts';
import type { Comparison } from '../../core/change/comparison.ts';
import type { Job } from '../../core/jobs/job.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { loadConfig } from '../config.ts';
import { openSitewatch } from '../wiring.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const SIZE = 512;
const PREFIX = 'killtest';

function writePair(dir: string): Promise<[string, string]> {
  return writeSyntheticCogPair(dir, {
    sizePx: SIZE,
    seed: 11,
    change: { col0: 150, row0: 200, width: 120, height: 80 },
  });
}

/** What must agree between two runs (ids, times and paths differ by design). */
function essence(c: Comparison) {
  return {
    imageA: c.imageA,
    imageB: c.imageB,
    parameters: c.parameters,
    grid: c.grid,
    registration: c.registration,
    changedFraction: c.changedFraction,
    changedPixels: c.changedPixels,
    validPixels: c.validPixels,
    polygonCount: c.polygonCount,
    zones: c.zones,
  };
}

const available = hasRedisServer();
if (!available) console.warn('skipping the worker kill test: redis-server is not installed');

describe.skipIf(!available)('sitewatch worker killed mid-comparison', () => {
  let redis: RedisTestServer;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  const startWorker = (name: string) => {
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/sitewatch.js'),
        'worker',
        '--poll-ms',
        '100',
        '--lease-ms',
        '10000',
        '--queues',
        'compare',
        '--log-format',
        'json',
      ],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(child);
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
      });
    });
    return { child, exited, log: () => `${name}: ${log}` };
  };

  beforeAll(async () => {
    redis = await RedisTestServer.start();
    home = mkdtempSync(join(tmpdir(), 'sitewatch-kill-'));
    env = {
      ...process.env,
      SITEWATCH_HOME: home,
      SITEWATCH_REDIS_URL: redis.url,
      SITEWATCH_REDIS_PREFIX: PREFIX,
    };
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await redis.stop();
  });

  it('is completed by another worker, stored once, equal to a clean run', async () => {
    const [t1, t2] = await writePair(mkdtempSync(join(tmpdir(), 'sitewatch-kill-pair-')));
    const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
    const ingest = await sw('images', 'ingest', t1, t2, '--acquired-at', '2020-01-01', '--json');
    expect(ingest.code, ingest.stderr).toBe(0);
    const [a = '', b = ''] = ingest.json<{ id: string }[]>().map((image) => image.id);

    const saved = {
      url: process.env.SITEWATCH_REDIS_URL,
      prefix: process.env.SITEWATCH_REDIS_PREFIX,
    };
    process.env.SITEWATCH_REDIS_URL = redis.url;
    process.env.SITEWATCH_REDIS_PREFIX = PREFIX;
    let queued: Job;
    try {
      const run = await sw('compare', a, b, '--out', join(home, 'queued-out'), '--queue', '--json');
      expect(run.code, run.stderr).toBe(0);
      queued = run.json<{ job: Job }>().job;
      expect(queued.state).toBe('queued');
    } finally {
      if (saved.url === undefined) delete process.env.SITEWATCH_REDIS_URL;
      else process.env.SITEWATCH_REDIS_URL = saved.url;
      if (saved.prefix === undefined) delete process.env.SITEWATCH_REDIS_PREFIX;
      else process.env.SITEWATCH_REDIS_PREFIX = saved.prefix;
    }

    const store = new BullmqJobStore({ url: redis.url, prefix: PREFIX });
    try {
      const first = startWorker('first');
      let seen: Job | undefined;
      for (let i = 0; i < 1200; i += 1) {
        seen = await store.get(queued.id);
        if (seen?.state === 'running' && seen.progress !== null) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen?.state, `${seen?.error ?? ''} ${first.log()}`).toBe('running');
      expect(seen?.state === 'running' && seen.progress !== null, first.log()).toBe(true);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBe(null);

      const second = startWorker('second');
      let done: Job | undefined;
      for (let i = 0; i < 2400; i += 1) {
        done = await store.get(queued.id);
        if (done?.state === 'completed' || done?.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      // Attempt 2 normally; 3 when a starved machine let the second worker's own lease lapse.
      expect(done?.state, `${done?.error ?? ''} ${second.log()}`).toBe('completed');
      expect(done?.attempt).toBeGreaterThanOrEqual(2);
      second.child.kill('SIGTERM');
      expect(await second.exited, second.log()).toBe(0);
      expect(second.log()).toContain('"event":"job.finished"');
    } finally {
      await store.close();
    }

    const opened = await openSitewatch(loadConfig({ SITEWATCH_HOME: home }));
    try {
      const stored = await opened.comparisons.listForImage(a);
      expect(stored).toHaveLength(1);
      const clean = await sw('compare', a, b, '--out', join(home, 'clean-out'), '--json');
      expect(clean.code, clean.stderr).toBe(0);
      const both = await opened.comparisons.listForImage(a);
      const fromJob = both.find((c) => c.id === stored[0]?.id);
      const direct = both.find((c) => c.id !== stored[0]?.id);
      expect(fromJob).toBeDefined();
      expect(direct).toBeDefined();
      if (fromJob === undefined || direct === undefined) return;
      expect(essence(fromJob)).toEqual(essence(direct));
      const polygons = (dir: string) => readFileSync(join(home, dir, 'changes.geojson'), 'utf8');
      expect(polygons('queued-out')).toBe(polygons('clean-out'));
    } finally {
      await opened.close();
    }
  }, 240_000);
});
