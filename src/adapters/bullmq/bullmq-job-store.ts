/**
 * The job queue on Redis through BullMQ (selected by SITEWATCH_REDIS_URL). It implements the
 * same {@link JobStore} port as the SQLite queue, so the same JobRunner drives it, with BullMQ's
 * primitives underneath: `claim` is a manual `Worker#getNextJob` whose lock token is the
 * runner's id, `renew` extends the lock, `finish` moves the job to completed, failed or (a
 * retry, after sitewatch's backoff) delayed. A runner that dies stops renewing its lock and
 * BullMQ's stalled-job check (run by every live runner through `listExpired`) puts the job
 * back; the next claim counts that attempt and fails the job as interrupted when it was the
 * last. Cancel requests for running jobs sit in a Redis set read at each renewal; a queued job
 * cancelled before it starts is removed from BullMQ and kept as a record beside it.
 *
 * Times: BullMQ decides when a delayed retry is due by its own clock (Date.now()), not the
 * runner's `nowIso`; in production both are the system clock.
 */
import { randomBytes } from 'node:crypto';
import { Job as BullJob, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import {
  JOB_SCHEMA_VERSION,
  JOB_STATES,
  type Job,
  type JobProgress,
  type JobState,
} from '../../core/jobs/job.ts';
import { JOB_KINDS, type JobKind } from '../../core/jobs/job-payloads.ts';
import {
  DEFAULT_JOB_BACKOFF,
  INTERRUPTED_MESSAGE,
  type JobOutcome,
} from '../../core/jobs/job-retry.ts';
import type {
  EnqueueOptions,
  JobListFilter,
  JobPage,
  JobStore,
  LeaseRenewal,
} from '../../app/jobs/job-queue.ts';
import {
  BULL_STATES_OF,
  isBullState,
  toJob,
  type BullJobData,
  type BullLock,
  type BullState,
} from './bullmq-job-mapping.ts';
import { clampPageLimit, decodeBase36Cursor, encodeBase36Cursor } from '../sql-rows/paging.ts';

export interface BullmqJobStoreOptions {
  /** redis://[user:password@]host:port[/db] */
  readonly url: string;
  /** Key prefix of every Redis key (default `sitewatch`); one per deployment. */
  readonly prefix?: string;
  /** How often a live runner looks for stalled jobs (ms, default 2000). */
  readonly stalledCheckMs?: number;
}

type SitewatchBullJob = BullJob<BullJobData, unknown, JobKind>;

/** A queued job cancelled before it started: removed from BullMQ, kept here. */
interface Tombstone {
  readonly seq: number;
  readonly job: Job;
}

function offsetCursor(offset: number): string {
  return encodeBase36Cursor('o', offset);
}

function decodeCursor(cursor: string): number {
  return decodeBase36Cursor('o', cursor);
}

function isLockError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /lock|not in the active state|Missing key/i.test(message);
}

/** {@link JobStore} on Redis via BullMQ: one BullMQ queue per job kind. */
export class BullmqJobStore implements JobStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #stalledCheckMs: number;
  readonly #queues = new Map<JobKind, Queue<BullJobData, unknown, JobKind>>();
  readonly #workers = new Map<JobKind, Worker<BullJobData, unknown, JobKind>>();
  #lastStalledCheck = 0;

  constructor(options: BullmqJobStoreOptions) {
    // maxRetriesPerRequest null: while Redis restarts, commands wait for it instead of failing.
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.#redis.on('error', () => undefined);
    this.#prefix = options.prefix ?? 'sitewatch';
    this.#stalledCheckMs = options.stalledCheckMs ?? 2000;
  }

  #key(name: string): string {
    return `${this.#prefix}:sitewatch:${name}`;
  }

  #queue(kind: JobKind): Queue<BullJobData, unknown, JobKind> {
    let queue = this.#queues.get(kind);
    if (queue === undefined) {
      queue = new Queue<BullJobData, unknown, JobKind>(kind, {
        connection: this.#redis,
        prefix: this.#prefix,
      });
      queue.on('error', () => undefined);
      this.#queues.set(kind, queue);
    }
    return queue;
  }

  #worker(kind: JobKind, leaseMs: number): Worker<BullJobData, unknown, JobKind> {
    let worker = this.#workers.get(kind);
    if (worker === undefined) {
      worker = new Worker<BullJobData, unknown, JobKind>(kind, null, {
        connection: this.#redis,
        prefix: this.#prefix,
        autorun: false,
        lockDuration: leaseMs,
        skipLockRenewal: true,
        skipStalledCheck: true,
        // sitewatch counts attempts itself; BullMQ only puts a stalled job back.
        maxStalledCount: 1000,
        stalledInterval: this.#stalledCheckMs,
      });
      worker.on('error', () => undefined);
      this.#workers.set(kind, worker);
    }
    return worker;
  }

  async #lock(kind: JobKind, id: string): Promise<BullLock | null> {
    const key = `${this.#prefix}:${kind}:${id}:lock`;
    const [[, token], [, ttlMs]] = (await this.#redis.multi().get(key).pttl(key).exec()) as [
      [unknown, string | null],
      [unknown, number],
    ];
    return token === null ? null : { token, ttlMs: Math.max(0, ttlMs) };
  }

  async #view(job: SitewatchBullJob, state: BullState, kind: JobKind): Promise<Job> {
    const id = job.id ?? '';
    const lock = state === 'active' ? await this.#lock(kind, id) : null;
    const cancel =
      state === 'active' && (await this.#redis.sismember(this.#key('cancel'), id)) === 1;
    return toJob(job, state, lock, cancel, Date.now());
  }

  async #find(id: string): Promise<{ job: SitewatchBullJob; kind: JobKind } | undefined> {
    const kind = (await this.#redis.hget(this.#key('kinds'), id)) as JobKind | null;
    if (kind === null || !JOB_KINDS.includes(kind)) return undefined;
    const job = (await BullJob.fromId(this.#queue(kind), id)) as SitewatchBullJob | undefined;
    return job === undefined ? undefined : { job, kind };
  }

  async #tombstone(id: string): Promise<Job | undefined> {
    const text = await this.#redis.hget(this.#key('cancelled'), id);
    return text === null ? undefined : (JSON.parse(text) as Tombstone).job;
  }

  async enqueue(kind: JobKind, payload: unknown, options: EnqueueOptions = {}): Promise<Job> {
    const id = `job_${randomBytes(8).toString('hex')}`;
    const now = new Date().toISOString();
    const seq = await this.#redis.incr(this.#key('seq'));
    const data: BullJobData = {
      schemaVersion: JOB_SCHEMA_VERSION,
      seq,
      payload,
      maxAttempts: options.maxAttempts ?? DEFAULT_JOB_BACKOFF.maxAttempts,
      attempt: 0,
      error: null,
      runAfter: now,
      updatedAt: now,
    };
    await this.#redis.hset(this.#key('kinds'), id, kind);
    const job = await this.#queue(kind).add(kind, data, {
      jobId: id,
      attempts: 1,
      removeOnComplete: false,
      removeOnFail: false,
    });
    return this.#view(job, 'waiting', kind);
  }

  async get(id: string): Promise<Job | undefined> {
    // The job's hash and its state are two reads: when the job moved in between (read while
    // running, found completed), read it again rather than show a completed job without result.
    for (let tries = 0; ; tries += 1) {
      const found = await this.#find(id);
      if (found === undefined) return this.#tombstone(id);
      const state = await found.job.getState();
      if (!isBullState(state)) return this.#tombstone(id);
      const stale =
        ((state === 'completed' || state === 'failed') && found.job.finishedOn === undefined) ||
        (state === 'active' && found.job.processedOn === undefined);
      if (!stale || tries >= 5) return this.#view(found.job, state, found.kind);
    }
  }

  async list(filter: JobListFilter = {}): Promise<JobPage> {
    const limit = clampPageLimit(filter.limit);
    const offset = filter.cursor === undefined ? 0 : decodeCursor(filter.cursor);
    const states = filter.state === undefined ? JOB_STATES : [filter.state];
    const kinds = filter.kind === undefined ? JOB_KINDS : [filter.kind];
    const bullStates = [...new Set(states.flatMap((s) => BULL_STATES_OF[s]))];
    const all: Tombstone[] = [];
    for (const kind of kinds) {
      for (const bullState of bullStates) {
        const jobs = (await this.#queue(kind).getJobs(bullState, 0, -1)) as SitewatchBullJob[];
        for (const job of jobs) {
          all.push({ seq: job.data.seq, job: await this.#view(job, bullState, kind) });
        }
      }
    }
    if (states.includes('cancelled')) {
      for (const text of await this.#redis.hvals(this.#key('cancelled'))) {
        all.push(JSON.parse(text) as Tombstone);
      }
    }
    // A job moving between BullMQ states while listed may be seen twice: keep one.
    const seen = new Set<string>();
    const wanted = all.filter(({ job }) => {
      const keep = !seen.has(job.id) && states.includes(job.state) && kinds.includes(job.kind);
      seen.add(job.id);
      return keep;
    });
    wanted.sort((a, b) => b.seq - a.seq);
    const page = wanted.slice(offset, offset + limit).map((entry) => entry.job);
    const more = offset + limit < wanted.length;
    return { jobs: page, nextCursor: more ? offsetCursor(offset + limit) : null };
  }

  async cancel(id: string): Promise<Job> {
    const found = await this.#find(id);
    if (found === undefined) {
      const stone = await this.#tombstone(id);
      if (stone === undefined) throw new NotFoundError(`job "${id}" not found`);
      return stone;
    }
    const { job, kind } = found;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') {
      const current = await this.#view(job, state, kind);
      if (current.state === 'cancelled') return current;
      throw new ConflictError(`job ${id} already ${current.state}; there is nothing to cancel`);
    }
    if (state !== 'active') {
      try {
        const before = await this.#view(job, 'waiting', kind);
        await job.remove();
        const now = new Date().toISOString();
        const stone: Job = {
          ...before,
          state: 'cancelled',
          updatedAt: now,
          finishedAt: now,
          error: 'cancelled before it started',
        };
        const entry: Tombstone = { seq: job.data.seq, job: stone };
        await this.#redis.hset(this.#key('cancelled'), id, JSON.stringify(entry));
        return stone;
      } catch (error) {
        // Locked: a runner claimed it meanwhile; ask that runner to stop.
        if (!isLockError(error)) throw error;
      }
    }
    await this.#redis.sadd(this.#key('cancel'), id);
    const current = await this.get(id);
    if (current === undefined) throw new NotFoundError(`job "${id}" not found`);
    return current;
  }

  async claim(
    workerId: string,
    kinds: readonly JobKind[],
    nowIso: string,
    leaseUntilIso: string,
  ): Promise<Job | undefined> {
    const leaseMs = Math.max(1000, Date.parse(leaseUntilIso) - Date.parse(nowIso));
    for (const kind of await this.#oldestWaitingFirst(kinds)) {
      for (;;) {
        const worker = this.#worker(kind, leaseMs);
        const job = (await worker.getNextJob(workerId, { block: false })) as
          SitewatchBullJob | undefined;
        if (job === undefined) break;
        const claimed = await this.#start(job, kind, workerId, leaseMs, nowIso);
        if (claimed !== undefined) return claimed;
      }
    }
    return undefined;
  }

  /**
   * The kinds ordered by their oldest waiting job (kinds with none last, in the given order), so
   * that a runner serving several queues takes jobs first in, first out across kinds, as the
   * embedded queue does, and a backlog of one kind does not hold up the others.
   */
  async #oldestWaitingFirst(kinds: readonly JobKind[]): Promise<JobKind[]> {
    const oldest = await Promise.all(
      kinds.map(async (kind) => {
        const [job] = await this.#queue(kind).getWaiting(0, 0);
        return { kind, at: job?.timestamp ?? Number.POSITIVE_INFINITY };
      }),
    );
    return oldest.sort((a, b) => a.at - b.at).map((entry) => entry.kind);
  }

  /** Counts the attempt; ends at once a job cancelled, or out of attempts, while it was away. */
  async #start(
    job: SitewatchBullJob,
    kind: JobKind,
    workerId: string,
    leaseMs: number,
    nowIso: string,
  ): Promise<Job | undefined> {
    const id = job.id ?? '';
    await job.extendLock(workerId, leaseMs);
    const data = job.data;
    if ((await this.#redis.sismember(this.#key('cancel'), id)) === 1) {
      await job.updateData({ ...data, cancelled: true, updatedAt: nowIso });
      await job.moveToFailed(new Error(`job ${id} cancelled`), workerId, false);
      await this.#redis.srem(this.#key('cancel'), id);
      return undefined;
    }
    if (data.attempt >= data.maxAttempts) {
      await job.moveToFailed(new Error(INTERRUPTED_MESSAGE), workerId, false);
      return undefined;
    }
    const next: BullJobData = { ...data, attempt: data.attempt + 1, updatedAt: nowIso };
    await job.updateData(next);
    return this.#view(job, 'active', kind);
  }

  async #owned(id: string, workerId: string): Promise<{ job: SitewatchBullJob; kind: JobKind }> {
    const found = await this.#find(id);
    if (found === undefined) throw new ConflictError(`job ${id} is no longer held by ${workerId}`);
    const lock = await this.#lock(found.kind, id);
    if (lock?.token !== workerId) {
      throw new ConflictError(`job ${id} is no longer held by ${workerId}: its lease was lost`);
    }
    return found;
  }

  async renew(
    id: string,
    workerId: string,
    leaseUntilIso: string,
    progress: JobProgress | null,
  ): Promise<LeaseRenewal> {
    const { job } = await this.#owned(id, workerId);
    const leaseMs = Math.max(1000, Date.parse(leaseUntilIso) - Date.now());
    const extended = await job.extendLock(workerId, leaseMs);
    if (extended === 0) throw new ConflictError(`job ${id}: its lease was lost`);
    if (progress !== null) await job.updateProgress({ ...progress });
    const cancelRequested = (await this.#redis.sismember(this.#key('cancel'), id)) === 1;
    return { cancelRequested };
  }

  async finish(id: string, workerId: string, outcome: JobOutcome, nowIso: string): Promise<Job> {
    const { job, kind } = await this.#owned(id, workerId);
    const data = job.data;
    try {
      switch (outcome.state) {
        case 'completed':
          await job.moveToCompleted(outcome.result ?? null, workerId, false);
          break;
        case 'failed':
          await job.moveToFailed(new Error(outcome.error), workerId, false);
          break;
        case 'cancelled':
          await job.updateData({ ...data, cancelled: true, updatedAt: nowIso });
          await job.moveToFailed(new Error(outcome.error ?? 'cancelled'), workerId, false);
          break;
        case 'queued':
          await job.updateData({
            ...data,
            attempt: outcome.refundAttempt ? Math.max(0, data.attempt - 1) : data.attempt,
            error: outcome.error,
            runAfter: outcome.runAfter,
            updatedAt: nowIso,
          });
          await job.moveToDelayed(Date.parse(outcome.runAfter), workerId);
          break;
      }
    } catch (error) {
      if (isLockError(error)) {
        throw new ConflictError(`job ${id} is no longer held by ${workerId}`, { cause: error });
      }
      throw error;
    }
    if (outcome.state !== 'queued') await this.#redis.srem(this.#key('cancel'), id);
    const done = await this.get(id);
    if (done === undefined) throw new NotFoundError(`job "${id}" not found in queue ${kind}`);
    return done;
  }

  /**
   * Runs BullMQ's stalled-job check (at most every `stalledCheckMs`): jobs whose lock expired
   * go back to waiting, and the next claim counts the lost attempt. Nothing is left for the
   * runner to recover, so this returns no jobs.
   */
  async listExpired(_nowIso: string, _limit: number): Promise<Job[]> {
    const now = Date.now();
    if (now - this.#lastStalledCheck < this.#stalledCheckMs) return [];
    this.#lastStalledCheck = now;
    for (const kind of JOB_KINDS) {
      const worker = this.#worker(kind, 120_000) as unknown as {
        moveStalledJobsToWait(): Promise<void>;
      };
      await worker.moveStalledJobsToWait();
    }
    return [];
  }

  recoverExpired(_id: string, _outcome: JobOutcome, _nowIso: string): Promise<Job | undefined> {
    return Promise.resolve(undefined);
  }

  /** Jobs per state, for the metrics (cancelled counts only the ones that ran). */
  async countByState(): Promise<Record<JobState, number>> {
    const counts: Record<JobState, number> = {
      queued: 0,
      running: 0,
      completed: 0,
      failed: 0,
      cancelled: await this.#redis.hlen(this.#key('cancelled')),
    };
    for (const kind of JOB_KINDS) {
      const c = await this.#queue(kind).getJobCounts(
        'waiting',
        'delayed',
        'prioritized',
        'active',
        'completed',
        'failed',
      );
      counts.queued += (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
      counts.running += c.active ?? 0;
      counts.completed += c.completed ?? 0;
      counts.failed += c.failed ?? 0;
    }
    return counts;
  }

  /** Answers when Redis does (for the health check). */
  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    for (const worker of this.#workers.values()) await worker.close(true);
    for (const queue of this.#queues.values()) await queue.close();
    this.#redis.disconnect();
  }
}
