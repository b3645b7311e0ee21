/**
 * The behaviour every JobStore adapter must show (SQLite and PostgreSQL). Call
 * {@link describeJobStoreContract} from the adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { JobStore } from '../jobs/job-queue.ts';

export interface JobStoreFixture {
  /** A store over an empty queue whose clock reads `nowIso`. */
  readonly store: JobStore;
  /** A second store over the same queue through another connection (another process). */
  openAnother(): Promise<{ readonly store: JobStore; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** Creates an empty queue for one test; `nowIso` is the store's clock. */
export type MakeJobStore = (nowIso: () => string) => Promise<JobStoreFixture>;

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';
const T2 = '2026-01-01T00:02:00.000Z';
const ASSESS = { playbook: { id: 'p' }, label: 'p.yaml', asOf: T0 };

/** The shared JobStore contract. */
export function describeJobStoreContract(name: string, make: MakeJobStore): void {
  describe(`JobStore contract: ${name}`, () => {
    let fixture: JobStoreFixture;
    let store: JobStore;

    beforeEach(async () => {
      fixture = await make(() => T0);
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('queues a job and reads it back with its payload', async () => {
      const job = await store.enqueue('assess', ASSESS, { maxAttempts: 2 });
      expect(job).toMatchObject({ kind: 'assess', state: 'queued', attempt: 0, maxAttempts: 2 });
      expect(job.id).toMatch(/^job_[0-9a-f]{16}$/);
      expect((await store.get(job.id))?.payload).toEqual(ASSESS);
      expect(await store.get('job_missing')).toBeUndefined();
    });

    it('lists newest first, page by page, filtered by state and kind', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push((await store.enqueue('assess', ASSESS)).id);
      await store.enqueue('compare', { imageA: 'a', imageB: 'b' });
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await store.list({ kind: 'assess', limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.jobs.map((j) => j.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual([...ids].reverse());
      await store.cancel(ids[0] ?? 'job_missing');
      expect((await store.list({ state: 'cancelled' })).jobs.map((j) => j.id)).toEqual([ids[0]]);
      await expect(store.list({ cursor: 'nonsense' })).rejects.toThrow(ValidationError);
    });

    it('claims the oldest due job of the runner’s kinds under a lease, counting the attempt', async () => {
      const compare = await store.enqueue('compare', { imageA: 'a', imageB: 'b' });
      const assess = await store.enqueue('assess', ASSESS);
      const claimed = await store.claim('w1', ['assess'], T0, T1);
      expect(claimed).toMatchObject({
        id: assess.id,
        state: 'running',
        attempt: 1,
        workerId: 'w1',
      });
      expect(claimed?.leaseUntil).toBe(T1);
      expect(await store.claim('w2', ['assess'], T0, T1)).toBeUndefined();
      expect((await store.claim('w2', ['compare', 'assess'], T0, T1))?.id).toBe(compare.id);
    });

    it('never gives one job to two claimers on separate connections', async () => {
      for (let i = 0; i < 20; i += 1) await store.enqueue('assess', ASSESS);
      const other = await fixture.openAnother();
      try {
        const stores = [store, other.store];
        const got: [string[], string[]] = [[], []];
        for (let turn = 0; ; turn += 1) {
          const claims = await Promise.all(
            stores.map((s, i) => s.claim(`w${i}`, ['assess'], T0, T1)),
          );
          claims.forEach((job, i) => {
            if (job !== undefined) got[i === 0 ? 0 : 1].push(job.id);
          });
          if (claims.every((job) => job === undefined)) break;
          expect(turn).toBeLessThan(20);
        }
        const [mine, theirs] = got;
        expect(mine.length + theirs.length).toBe(20);
        expect(new Set([...mine, ...theirs]).size).toBe(20);
        expect(mine.filter((id) => theirs.includes(id))).toEqual([]);
      } finally {
        await other.close();
      }
    });

    it('renews the lease with progress and reports a cancel request; a stranger loses', async () => {
      const job = await store.enqueue('assess', ASSESS);
      await store.claim('w1', ['assess'], T0, T1);
      const progress = { stage: 'assessing', done: 1, total: 2 };
      expect(await store.renew(job.id, 'w1', T2, progress)).toEqual({ cancelRequested: false });
      expect(await store.get(job.id)).toMatchObject({ leaseUntil: T2, progress });
      expect((await store.cancel(job.id)).cancelRequested).toBe(true);
      expect((await store.get(job.id))?.state).toBe('running');
      expect(await store.renew(job.id, 'w1', T2, null)).toEqual({ cancelRequested: true });
      await expect(store.renew(job.id, 'w2', T2, null)).rejects.toThrow(ConflictError);
    });

    it('cancels a queued job at once, refuses a finished one, names a missing one', async () => {
      const job = await store.enqueue('assess', ASSESS);
      expect(await store.cancel(job.id)).toMatchObject({ state: 'cancelled', finishedAt: T0 });
      expect((await store.cancel(job.id)).state).toBe('cancelled');
      const done = await store.enqueue('assess', ASSESS);
      await store.claim('w1', ['assess'], T0, T1);
      await store.finish(done.id, 'w1', { state: 'completed', result: { p: 0.5 } }, T0);
      await expect(store.cancel(done.id)).rejects.toThrow(/already completed/);
      await expect(store.cancel('job_nope')).rejects.toThrow(NotFoundError);
    });

    it('records retries (refunded or not), results and errors; only the holder may finish', async () => {
      const job = await store.enqueue('assess', ASSESS);
      await store.claim('w1', ['assess'], T0, T1);
      await expect(store.finish(job.id, 'w2', { state: 'failed', error: 'x' }, T0)).rejects.toThrow(
        ConflictError,
      );
      const retry = { state: 'queued', error: 'boom', runAfter: T1, refundAttempt: false } as const;
      expect(await store.finish(job.id, 'w1', retry, T0)).toMatchObject({
        state: 'queued',
        attempt: 1,
        runAfter: T1,
        error: 'boom',
        workerId: null,
      });
      expect(await store.claim('w1', ['assess'], T0, T1)).toBeUndefined();
      await store.claim('w1', ['assess'], T1, T2);
      const released = await store.finish(job.id, 'w1', { ...retry, refundAttempt: true }, T1);
      expect(released.attempt).toBe(1);
      await store.claim('w1', ['assess'], T1, T2);
      const done = await store.finish(job.id, 'w1', { state: 'completed', result: [1, NaN] }, T2);
      expect(done).toMatchObject({ state: 'completed', attempt: 2, finishedAt: T2, error: null });
      expect(done.result).toEqual([1, NaN]);
    });

    it('recovers a job whose lease expired, once; a cancel requested meanwhile wins', async () => {
      const job = await store.enqueue('assess', ASSESS);
      await store.claim('dead', ['assess'], T0, T1);
      expect(await store.listExpired(T0, 10)).toEqual([]);
      expect((await store.listExpired(T1, 10)).map((j) => j.id)).toEqual([job.id]);
      const requeue = {
        state: 'queued',
        error: 'interrupted',
        runAfter: T1,
        refundAttempt: false,
      } as const;
      expect(await store.recoverExpired(job.id, requeue, T0)).toBeUndefined();
      expect((await store.recoverExpired(job.id, requeue, T1))?.state).toBe('queued');
      expect(await store.recoverExpired(job.id, requeue, T1)).toBeUndefined();
      await store.claim('dead', ['assess'], T1, T1);
      await store.cancel(job.id);
      expect((await store.recoverExpired(job.id, requeue, T2))?.state).toBe('cancelled');
    });
  });
}
