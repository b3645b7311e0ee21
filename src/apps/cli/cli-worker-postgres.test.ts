/**
 * The multi-host contract with both services: SITEWATCH_DATABASE_URL (a fresh PostgreSQL
 * database) and SITEWATCH_REDIS_URL (a private redis-server). The "API host" imports the catalog
 * and observations and queues an assessment; a `sitewatch worker` process with another data home
 * (another host) runs it, and `sitewatch jobs show ID --json` reads it back completed with the
 * same probability as `sitewatch assess`. Skips when PostgreSQL or redis-server is missing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRedisServer, RedisTestServer } from '../../adapters/bullmq/redis-test-server.ts';
import {
  createTestDatabase,
  postgresUnavailableReason,
  type TestDatabase,
} from '../../adapters/postgres/pg-test-database.ts';
import type { Job } from '../../core/jobs/job.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';
import { readStructuredFile } from './structured-file.ts';

const PLAYBOOK = join(REPO_ROOT, 'examples/playbooks/space-launch-preparation.yaml');
const pgMissing = await postgresUnavailableReason();
const redisMissing = hasRedisServer() ? undefined : 'redis-server is not installed';
const skip = pgMissing ?? redisMissing;
if (skip !== undefined) console.warn(`skipping the PostgreSQL + Redis worker test: ${skip}`);

describe.skipIf(skip !== undefined)('sitewatch worker with PostgreSQL and Redis', () => {
  let redis: RedisTestServer;
  let database: TestDatabase;
  const saved: Record<string, string | undefined> = {};
  const VARS = ['SITEWATCH_DATABASE_URL', 'SITEWATCH_REDIS_URL', 'SITEWATCH_REDIS_PREFIX'];

  beforeAll(async () => {
    redis = await RedisTestServer.start();
    database = await createTestDatabase();
    for (const name of VARS) saved[name] = process.env[name];
    process.env.SITEWATCH_DATABASE_URL = database.url;
    process.env.SITEWATCH_REDIS_URL = redis.url;
    process.env.SITEWATCH_REDIS_PREFIX = 'pgtest';
  });
  afterAll(async () => {
    for (const name of VARS) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
    await database.drop();
    await redis.stop();
  });

  it('runs a job queued on one host on a worker of another', async () => {
    const apiHome = mkdtempSync(join(tmpdir(), 'sitewatch-pg-api-'));
    const sw = (...args: string[]) => runCliCaptured(['--home', apiHome, ...args]);
    for (const args of [
      ['sites', 'import', join(REPO_ROOT, 'examples/catalog.geojson')],
      ['observe', 'import', join(REPO_ROOT, 'examples/observations/2019-sanumdong-sohae.json')],
    ]) {
      const run = await sw(...args);
      expect(run.code, run.stderr).toBe(0);
    }
    const payloadFile = join(apiHome, 'assess.json');
    const payload = { playbook: readStructuredFile(PLAYBOOK), label: 'p', asOf: '2019-03-08' };
    writeFileSync(payloadFile, JSON.stringify(payload));
    const queued = await sw('jobs', 'submit', 'assess', payloadFile, '--json');
    expect(queued.code, queued.stderr).toBe(0);
    const job = queued.json<{ job: Job }>().job;
    expect(job.state).toBe('queued');

    const workerHome = mkdtempSync(join(tmpdir(), 'sitewatch-pg-worker-'));
    const child = spawn(
      process.execPath,
      [join(REPO_ROOT, 'bin/sitewatch.js'), '--home', workerHome, 'worker', '--poll-ms', '100'],
      { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
    });
    let shown: Job | undefined;
    try {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const run = await sw('jobs', 'show', job.id, '--json');
        shown = run.json<{ job: Job }>().job;
        if (shown.state === 'completed' || shown.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, log).toBe(0);
    expect(shown?.state, `${shown?.error ?? ''} ${log}`).toBe('completed');
    const direct = await sw(
      'assess',
      '--playbook',
      PLAYBOOK,
      '--at',
      '2019-03-08T00:00Z',
      '--json',
    );
    expect((shown?.result as { probability: number }).probability).toBe(
      direct.json<{ probability: number }>().probability,
    );
  }, 120_000);
});
