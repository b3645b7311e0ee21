/**
 * The job queue port. `JobQueue` is what submitters see (HTTP, CLI); `JobStore` adds what a
 * runner needs: claiming under a lease, renewing it with progress (and learning of a cancel
 * request), and recording how an attempt ended. Everything goes through the store (no
 * in-memory references), so a runner on another host, or another queue technology (Redis),
 * fits the same shape. Implemented by src/adapters/sqlite/sqlite-job-store.ts.
 */
import type { Job, JobProgress, JobState } from '../../core/jobs/job.ts';
import type { JobKind } from '../../core/jobs/job-payloads.ts';
import type { JobOutcome } from '../../core/jobs/job-retry.ts';

export interface EnqueueOptions {
  /** Attempts in all (≥ 1); default DEFAULT_JOB_BACKOFF.maxAttempts. */
  readonly maxAttempts?: number;
}

export interface JobListFilter {
  readonly state?: JobState;
  readonly kind?: JobKind;
  /** The `nextCursor` of the previous page (opaque). */
  readonly cursor?: string;
  /** Page size; default 50, at most 500. */
  readonly limit?: number;
}

/** Newest first; `nextCursor` is null on the last page. */
export interface JobPage {
  readonly jobs: readonly Job[];
  readonly nextCursor: string | null;
}

export interface JobQueue {
  /** Queues a job whose payload was validated for its kind (see `enqueueJob`). */
  enqueue(kind: JobKind, payload: unknown, options?: EnqueueOptions): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  /** @throws ValidationError for a cursor this queue did not hand out. */
  list(filter?: JobListFilter): Promise<JobPage>;
  /**
   * A queued job is cancelled at once; a running one is marked `cancelRequested` and its
   * runner aborts it. Cancelling a cancelled job returns it unchanged.
   * @throws NotFoundError naming the id; ConflictError when it already completed or failed.
   */
  cancel(id: string): Promise<Job>;
}

/** What a runner learns when it renews its lease. */
export interface LeaseRenewal {
  readonly cancelRequested: boolean;
}

export interface JobStore extends JobQueue {
  /**
   * Claims the oldest queued job of one of `kinds` due at `nowIso`: it becomes running for
   * `workerId` until `leaseUntilIso`, its attempt counted. Two claimers never get the same job.
   */
  claim(
    workerId: string,
    kinds: readonly JobKind[],
    nowIso: string,
    leaseUntilIso: string,
  ): Promise<Job | undefined>;
  /**
   * Extends the lease and, when given, records the progress.
   * @throws ConflictError when the job is no longer running under `workerId` (lease lost).
   */
  renew(
    id: string,
    workerId: string,
    leaseUntilIso: string,
    progress: JobProgress | null,
  ): Promise<LeaseRenewal>;
  /**
   * Records how the attempt ended (a final state, or queued again for a retry).
   * @throws ConflictError when the job is no longer running under `workerId`.
   */
  finish(id: string, workerId: string, outcome: JobOutcome, nowIso: string): Promise<Job>;
  /** Running jobs whose lease expired at `nowIso` (their runner died), oldest first. */
  listExpired(nowIso: string, limit: number): Promise<Job[]>;
  /**
   * Records the outcome of an interrupted job if its lease is still expired at `nowIso`;
   * undefined when another runner got there first or its runner came back.
   */
  recoverExpired(id: string, outcome: JobOutcome, nowIso: string): Promise<Job | undefined>;
}
