/**
 * Runs queued jobs: claims up to `concurrency` at once under a lease, runs each kind's handler
 * with an AbortSignal and a progress reporter, renews the lease every `pollMs` (writing the
 * progress and reading cancel requests, so a cancel from any process reaches it), and records
 * the outcome: completed, retried after a backoff, failed with the error, or cancelled.
 *
 * Restarts: jobs left running with an expired lease (their runner died) are queued again while
 * attempts remain, else failed as "interrupted by a restart". This is safe because compare and
 * detect write their record in one transaction as their very last step (outputs first, into a
 * private folder moved into place), and assess stores nothing: an interrupted attempt has kept
 * nothing, or, if it died between that insert and recording the job's end, its record, which
 * the retry adopts (job-handlers.ts). A runner that is stopped aborts its jobs and puts them
 * back without counting the attempt.
 */
import { ConflictError } from '../../core/errors.ts';
import type { BackoffPolicy } from '../../core/alerts/alert.ts';
import type { Job } from '../../core/jobs/job.ts';
import { parseJobPayload, type JobKind } from '../../core/jobs/job-payloads.ts';
import {
  DEFAULT_JOB_BACKOFF,
  addMs,
  outcomeOfFailure,
  outcomeOfInterrupted,
  type JobOutcome,
} from '../../core/jobs/job-retry.ts';
import type { Clock } from '../ports.ts';
import type { JobContext, JobHandler, JobHandlers } from './job-handlers.ts';
import type { JobStore } from './job-queue.ts';
import { JobLease } from './job-lease.ts';

export interface JobRunnerOptions {
  /** Names this runner in the store's leases (host and process, say). */
  readonly workerId: string;
  /** Jobs run at once; default 1 (the heavy use cases use worker threads themselves). */
  readonly concurrency?: number;
  /**
   * How long a claim holds without renewal (ms); default 2 min, well above the longest stretch
   * a use case keeps the event loop busy, so that a live runner is never taken for dead.
   */
  readonly leaseMs?: number;
  /** How often to look for due jobs and renew leases (ms); default 1 s. */
  readonly pollMs?: number;
  readonly backoff?: BackoffPolicy;
  /** Told of each attempt's end (for a worker's log). */
  readonly onFinished?: (job: Job) => void;
  /** Told when an attempt starts (for a worker's log). */
  readonly onStarted?: (job: Job) => void;
  /** Only these kinds (of those it has handlers for); default all. */
  readonly kinds?: readonly JobKind[];
}

export interface JobRunnerDeps {
  readonly store: JobStore;
  readonly handlers: JobHandlers;
  readonly clock: Clock;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Looks the handler up by the job's kind and runs it on the payload, validated again. */
function runHandler(handlers: JobHandlers, context: JobContext): Promise<unknown> {
  const { kind, payload } = context.job;
  const handler = handlers[kind] as JobHandler<JobKind> | undefined;
  if (handler === undefined) throw new ConflictError(`no handler for job kind ${kind}`);
  return handler(parseJobPayload(kind, payload), context);
}

export class JobRunner {
  readonly #deps: JobRunnerDeps;
  readonly #workerId: string;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #onFinished: (job: Job) => void;
  readonly #onStarted: (job: Job) => void;
  readonly #kinds: JobKind[];
  /** Ids of the jobs this runner is running (never recovered by itself, even if late). */
  readonly #running = new Set<string>();
  /** Aborted by `run`'s signal: running jobs are put back. */
  #stopping = new AbortController();

  constructor(deps: JobRunnerDeps, options: JobRunnerOptions) {
    this.#deps = deps;
    this.#workerId = options.workerId;
    this.#concurrency = Math.max(1, Math.trunc(options.concurrency ?? 1));
    this.#leaseMs = options.leaseMs ?? 120_000;
    this.#pollMs = options.pollMs ?? 1000;
    this.#backoff = options.backoff ?? DEFAULT_JOB_BACKOFF;
    this.#onFinished = options.onFinished ?? (() => undefined);
    this.#onStarted = options.onStarted ?? (() => undefined);
    this.#kinds = (Object.keys(deps.handlers) as JobKind[]).filter(
      (kind) =>
        deps.handlers[kind] !== undefined &&
        (options.kinds === undefined || options.kinds.includes(kind)),
    );
  }

  /** Queues again (or fails, out of attempts) the jobs whose runner died; returns them. */
  async recoverInterrupted(): Promise<Job[]> {
    const now = this.#deps.clock.nowIso();
    const expired = await this.#deps.store.listExpired(now, 100);
    const recovered: Job[] = [];
    for (const job of expired) {
      if (this.#running.has(job.id)) continue;
      const done = await this.#deps.store.recoverExpired(
        job.id,
        outcomeOfInterrupted(job, now),
        now,
      );
      if (done !== undefined) recovered.push(done);
    }
    return recovered;
  }

  /** Recovers interrupted jobs, then runs jobs until none is due; returns each attempt's end. */
  async drain(): Promise<Job[]> {
    const finished: Job[] = [];
    this.#stopping = new AbortController();
    await this.#pump(true, this.#stopping.signal, finished);
    return finished;
  }

  /**
   * Runs jobs until `signal` aborts, then aborts the running ones (put back, attempt not
   * counted) and resolves once they are recorded. When `drain` aborts first, it claims no
   * more jobs and resolves once the running ones have finished (a worker's SIGTERM).
   */
  async run(signal: AbortSignal, drain?: AbortSignal): Promise<void> {
    this.#stopping = new AbortController();
    const stop = () => {
      this.#stopping.abort();
    };
    signal.addEventListener('abort', stop);
    if (signal.aborted) stop();
    try {
      await this.#pump(false, this.#stopping.signal, [], drain);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  async #pump(
    untilIdle: boolean,
    stop: AbortSignal,
    finished: Job[],
    drain?: AbortSignal,
  ): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const stopped = () => stop.aborted || drain?.aborted === true;
    while (!stopped()) {
      await this.recoverInterrupted();
      let claimed = false;
      while (inFlight.size < this.#concurrency && !stopped()) {
        const job = await this.#claim();
        if (job === undefined) break;
        claimed = true;
        const running: Promise<void> = this.#execute(job)
          .then((end) => {
            if (end !== undefined) {
              finished.push(end);
              this.#onFinished(end);
            }
          })
          .finally(() => inFlight.delete(running));
        inFlight.add(running);
      }
      if (untilIdle && !claimed && inFlight.size === 0) break;
      const wake = new AbortController();
      const onStop = () => {
        wake.abort();
      };
      stop.addEventListener('abort', onStop);
      drain?.addEventListener('abort', onStop);
      await Promise.race([
        ...inFlight,
        pause(claimed && untilIdle ? 0 : this.#pollMs, wake.signal),
      ]);
      wake.abort();
      stop.removeEventListener('abort', onStop);
      drain?.removeEventListener('abort', onStop);
    }
    await Promise.allSettled(inFlight);
  }

  #claim(): Promise<Job | undefined> {
    const now = this.#deps.clock.nowIso();
    return this.#deps.store.claim(this.#workerId, this.#kinds, now, addMs(now, this.#leaseMs));
  }

  /** Runs one attempt; undefined when the lease was lost (another runner took the job over). */
  async #execute(job: Job): Promise<Job | undefined> {
    this.#running.add(job.id);
    try {
      return await this.#attempt(job);
    } finally {
      this.#running.delete(job.id);
    }
  }

  async #attempt(job: Job): Promise<Job | undefined> {
    const { store, clock } = this.#deps;
    const lease = new JobLease(job, {
      store,
      clock,
      workerId: this.#workerId,
      leaseMs: this.#leaseMs,
      pollMs: this.#pollMs,
    });
    const onStop = () => {
      lease.abort('shutdown', `job ${job.id} stopped: its runner is shutting down`);
    };
    this.#stopping.signal.addEventListener('abort', onStop);
    if (this.#stopping.signal.aborted) onStop();
    lease.start();
    this.#onStarted(job);
    let outcome: JobOutcome;
    try {
      const context: JobContext = { job, signal: lease.signal, progress: lease.report };
      const result = await runHandler(this.#deps.handlers, context);
      outcome = { state: 'completed', result: result ?? null };
    } catch (error) {
      // A lost lease is recorded by no one here: the runner that took the job over decides.
      const cause = lease.cause === 'lost' ? 'shutdown' : lease.cause;
      outcome = outcomeOfFailure(job, error, cause, clock.nowIso(), this.#backoff);
    } finally {
      lease.stop();
      this.#stopping.signal.removeEventListener('abort', onStop);
    }
    if (lease.cause === 'lost') return undefined;
    try {
      return await store.finish(job.id, this.#workerId, outcome, clock.nowIso());
    } catch (error) {
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
  }
}
