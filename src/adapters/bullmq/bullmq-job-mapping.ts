/**
 * How a sitewatch {@link Job} sits in BullMQ: one BullMQ queue per job kind (so a worker can
 * take only some kinds), the BullMQ job id is the sitewatch id, and `data` carries what BullMQ
 * has no field for (the payload, attempts counted by sitewatch's own retry policy, the last
 * error, when a retry is due). The lease is BullMQ's job lock: its token is the runner's id and
 * its time to live is the lease.
 */
import type { Job as BullJob } from 'bullmq';
import { ValidationError } from '../../core/errors.ts';
import type { Job, JobProgress, JobState } from '../../core/jobs/job.ts';
import { isJobKind, type JobKind } from '../../core/jobs/job-payloads.ts';

/** What sitewatch keeps in a BullMQ job's `data`. */
export interface BullJobData {
  readonly schemaVersion: number;
  /** Enqueue order across kinds (Redis INCR), for listing newest first. */
  readonly seq: number;
  readonly payload: unknown;
  readonly maxAttempts: number;
  /** Attempts started (sitewatch counts them: a refunded attempt is taken back). */
  readonly attempt: number;
  readonly error: string | null;
  /** ISO 8601 UTC: when a waiting retry is due. */
  readonly runAfter: string;
  readonly updatedAt: string;
  /** Set when an attempt ended cancelled (it then sits in BullMQ's failed set). */
  readonly cancelled?: boolean;
}

/** BullMQ's states, as `Job#getState` and `Queue#getJobs` name them. */
export type BullState =
  'waiting' | 'delayed' | 'prioritized' | 'waiting-children' | 'active' | 'completed' | 'failed';

/** The BullMQ states that hold jobs of each sitewatch state. */
export const BULL_STATES_OF: Readonly<Record<JobState, readonly BullState[]>> = {
  queued: ['waiting', 'delayed', 'prioritized'],
  running: ['active'],
  completed: ['completed'],
  failed: ['failed'],
  cancelled: ['failed'],
};

/** The lock on an active job: its holder and how long it still holds (ms). */
export interface BullLock {
  readonly token: string;
  readonly ttlMs: number;
}

export function jobStateOf(state: BullState, data: BullJobData): JobState {
  switch (state) {
    case 'active':
      return 'running';
    case 'completed':
      return 'completed';
    case 'failed':
      return data.cancelled === true ? 'cancelled' : 'failed';
    default:
      return 'queued';
  }
}

export function isBullState(value: string): value is BullState {
  return [
    'waiting',
    'delayed',
    'prioritized',
    'waiting-children',
    'active',
    'completed',
    'failed',
  ].includes(value);
}

function iso(ms: number | undefined): string | null {
  return ms === undefined || ms === 0 || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}

function progressOf(value: unknown): JobProgress | null {
  if (typeof value !== 'object' || value === null) return null;
  const p = value as Partial<JobProgress>;
  if (typeof p.stage !== 'string' || typeof p.done !== 'number' || typeof p.total !== 'number') {
    return null;
  }
  return { stage: p.stage, done: p.done, total: p.total };
}

/** @throws ValidationError when the BullMQ job's name is not a sitewatch job kind. */
export function kindOf(job: BullJob): JobKind {
  if (!isJobKind(job.name)) {
    throw new ValidationError(`BullMQ job ${job.id ?? '?'} has unknown kind "${job.name}"`);
  }
  return job.name;
}

/** The sitewatch view of a BullMQ job in `state`, with its lock when active. */
export function toJob(
  job: BullJob<BullJobData>,
  state: BullState,
  lock: BullLock | null,
  cancelRequested: boolean,
  nowMs: number,
): Job {
  const data = job.data;
  // Typed string by BullMQ, absent on a job that never failed.
  const { failedReason } = job as { failedReason?: string };
  const jobState = jobStateOf(state, data);
  const final = jobState === 'completed' || jobState === 'failed' || jobState === 'cancelled';
  const createdAt = new Date(job.timestamp).toISOString();
  const touched = Math.max(
    job.timestamp,
    job.processedOn ?? 0,
    job.finishedOn ?? 0,
    Date.parse(data.updatedAt) || 0,
  );
  return {
    schemaVersion: data.schemaVersion,
    id: job.id ?? '',
    kind: kindOf(job),
    payload: data.payload,
    state: jobState,
    attempt: data.attempt,
    maxAttempts: data.maxAttempts,
    runAfter: data.runAfter,
    createdAt,
    updatedAt: new Date(touched).toISOString(),
    startedAt: iso(job.processedOn),
    finishedAt: final ? iso(job.finishedOn) : null,
    workerId: jobState === 'running' && lock !== null ? lock.token : null,
    leaseUntil:
      jobState === 'running' && lock !== null ? new Date(nowMs + lock.ttlMs).toISOString() : null,
    cancelRequested: jobState === 'running' && cancelRequested,
    progress: progressOf(job.progress),
    result: jobState === 'completed' ? (job.returnvalue ?? null) : null,
    error: final && jobState !== 'completed' ? (failedReason ?? data.error) : data.error,
  };
}
