/**
 * The BullMQ job queue on a private redis-server (a free port, never the shared 6379): the
 * port's operations, the JobRunner over it (retries with backoff, poison jobs in the failed
 * list, two runners never sharing a job), and a Redis restart during a batch of 20 jobs after
 * which every job has completed exactly once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner } from '../../app/jobs/job-runner.ts';
import type { JobHandlers } from '../../app/jobs/job-handlers.ts';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import type { Job } from '../../core/jobs/job.ts';
import { BullmqJobStore } from './bullmq-job-store.ts';
import { hasRedisServer, RedisTestServer } from './redis-test-server.ts';

const ASSESS = { playbook: { id: 'p' }, label: 'p.yaml', asOf: '2026-01-01T00:00:00.000Z' };
const clock = { nowIso: () => new Date().toISOString() };
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const FAST_BACKOFF = { baseMs: 20, maxMs: 100, maxAttempts: 3 };

const available = hasRedisServer();
if (!available) console.warn('skipping BullMQ tests: redis-server is not installed');

describe.skipIf(!available)('BullmqJobStore', () => {
  let redis: RedisTestServer;
  const stores: BullmqJobStore[] = [];
  const open = (prefix: string) => {
    const store = new BullmqJobStore({ url: redis.url, prefix, stalledCheckMs: 200 });
    stores.push(store);
    return store;
  };
  const freshPrefix = () => `t${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    redis = await RedisTestServer.start({ persist: true });
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await redis.stop();
  });

  it('queues, reads, lists newest first by page, and cancels a queued job', async () => {
    const store = open(freshPrefix());
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await store.enqueue('assess', ASSESS)).id);
    await store.enqueue('compare', { imageA: 'a', imageB: 'b' });
    const first = await store.get(ids[0] ?? '');
    expect(first).toMatchObject({ kind: 'assess', state: 'queued', attempt: 0, maxAttempts: 3 });
    expect(first?.payload).toEqual(ASSESS);
    expect(first?.id).toMatch(/^job_[0-9a-f]{16}$/);
    expect(await store.get('job_missing')).toBeUndefined();
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.list({ kind: 'assess', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.jobs.map((j) => j.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const cancelled = await store.cancel(ids[0] ?? '');
    expect(cancelled).toMatchObject({ state: 'cancelled', error: 'cancelled before it started' });
    expect((await store.get(ids[0] ?? ''))?.state).toBe('cancelled');
    expect((await store.list({ state: 'cancelled' })).jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect((await store.countByState()).queued).toBe(5);
    await expect(store.list({ cursor: 'nope' })).rejects.toThrow(ValidationError);
  });

  it('claims under a lease, renews with progress, hears a cancel, and only the holder finishes', async () => {
    const store = open(freshPrefix());
    const job = await store.enqueue('assess', ASSESS);
    const claimed = await store.claim('w1', ['compare'], clock.nowIso(), inMs(5000));
    expect(claimed).toBeUndefined();
    const running = await store.claim('w1', ['assess'], clock.nowIso(), inMs(5000));
    expect(running).toMatchObject({ id: job.id, state: 'running', attempt: 1, workerId: 'w1' });
    expect(Date.parse(running?.leaseUntil ?? '')).toBeGreaterThan(Date.now() + 3000);
    const progress = { stage: 'fusing', done: 1, total: 2 };
    expect(await store.renew(job.id, 'w1', inMs(5000), progress)).toEqual({
      cancelRequested: false,
    });
    expect((await store.get(job.id))?.progress).toEqual(progress);
    await expect(store.renew(job.id, 'w2', inMs(5000), null)).rejects.toThrow(ConflictError);
    const asked = await store.cancel(job.id);
    expect(asked).toMatchObject({ state: 'running', cancelRequested: true });
    expect((await store.renew(job.id, 'w1', inMs(5000), null)).cancelRequested).toBe(true);
    await expect(
      store.finish(job.id, 'w2', { state: 'completed', result: 1 }, clock.nowIso()),
    ).rejects.toThrow(ConflictError);
    const done = await store.finish(
      job.id,
      'w1',
      { state: 'cancelled', error: 'stopped' },
      clock.nowIso(),
    );
    expect(done).toMatchObject({ state: 'cancelled', workerId: null, error: 'stopped' });
    await expect(store.cancel(job.id)).resolves.toMatchObject({ state: 'cancelled' });
  });

  it('claims first in, first out across kinds, not kind by kind', async () => {
    const store = open(freshPrefix());
    const older = await store.enqueue('assess', ASSESS);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const compare = await store.enqueue('compare', { imageA: 'a', imageB: 'b' });
    const first = await store.claim('w1', ['compare', 'assess'], clock.nowIso(), inMs(5000));
    expect(first?.id).toBe(older.id);
    const second = await store.claim('w1', ['compare', 'assess'], clock.nowIso(), inMs(5000));
    expect(second?.id).toBe(compare.id);
  });

  it('retries with backoff through the runner and keeps a poison job in the failed list', async () => {
    const store = open(freshPrefix());
    const flaky = await store.enqueue('assess', { ...ASSESS, label: 'flaky' });
    const poison = await store.enqueue(
      'assess',
      { ...ASSESS, label: 'poison' },
      { maxAttempts: 2 },
    );
    const tries = new Map<string, number>();
    const handlers: JobHandlers = {
      assess: (payload) => {
        const n = (tries.get(payload.label) ?? 0) + 1;
        tries.set(payload.label, n);
        if (payload.label === 'poison') return Promise.reject(new Error('bad pixels in band 3'));
        if (n < 2) return Promise.reject(new Error('disk hiccup'));
        return Promise.resolve({ probability: 0.5 });
      },
    };
    const runner = new JobRunner(
      { store, handlers, clock },
      { workerId: 'r1', pollMs: 20, leaseMs: 5000, backoff: FAST_BACKOFF },
    );
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    const settled = async () => {
      for (let i = 0; i < 200; i += 1) {
        const counts = await store.countByState();
        if (counts.completed === 1 && counts.failed === 1) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await settled();
    stop.abort();
    await running;
    expect(await store.get(flaky.id)).toMatchObject({
      state: 'completed',
      attempt: 2,
      result: { probability: 0.5 },
    });
    const failed = (await store.list({ state: 'failed' })).jobs;
    expect(failed.map((j) => [j.id, j.state, j.attempt, j.error])).toEqual([
      [poison.id, 'failed', 2, 'bad pixels in band 3'],
    ]);
    expect(tries.get('poison')).toBe(2);
  });

  it('never gives one job to two runners on separate connections', async () => {
    const prefix = freshPrefix();
    const a = open(prefix);
    const b = open(prefix);
    for (let i = 0; i < 10; i += 1) await a.enqueue('assess', ASSESS);
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 === 0 ? a : b).claim(`w${i}`, ['assess'], clock.nowIso(), inMs(5000)),
      ),
    );
    const ids = claims.filter((j): j is Job => j !== undefined).map((j) => j.id);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
  });

  it('loses no job and runs none twice when Redis restarts during a batch of 20', async () => {
    const prefix = freshPrefix();
    const submitter = open(prefix);
    const runs = new Map<string, number>();
    const handlers: JobHandlers = {
      assess: async (_payload, { job }) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 40));
        return { ran: job.id };
      },
    };
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) ids.push((await submitter.enqueue('assess', ASSESS)).id);
    const stop = new AbortController();
    const runners = ['r1', 'r2'].map((workerId) =>
      new JobRunner(
        { store: open(prefix), handlers, clock },
        { workerId, pollMs: 20, leaseMs: 10_000, concurrency: 2, backoff: FAST_BACKOFF },
      ).run(stop.signal),
    );
    while (runs.size < 6) await new Promise((r) => setTimeout(r, 10));
    await redis.restart(300);
    const deadline = Date.now() + 40_000;
    while (Date.now() < deadline && (await submitter.countByState()).completed < 20) {
      await new Promise((r) => setTimeout(r, 25));
    }
    stop.abort();
    await Promise.all(runners);
    const jobs = await Promise.all(ids.map((id) => submitter.get(id)));
    const states = jobs.map((j) => `${j?.state} ${j?.attempt} ${j?.error}`);
    expect(states).toEqual(ids.map(() => 'completed 1 null'));
    expect(jobs.map((j) => j?.result)).toEqual(ids.map((id) => ({ ran: id })));
    expect(ids.map((id) => runs.get(id))).toEqual(ids.map(() => 1));
  }, 60_000);
});
