/**
 * Jobs: long work (compare, detect, assess) queued, claimed by a runner under a lease, and
 * finished as completed, failed or cancelled. A job is plain JSON (payload, progress, result)
 * so that any queue (SQLite here, Redis later) can hold it and any host can run it.
 *
 * States and transitions:
 *   queued → running (claimed) | cancelled (cancel before it starts)
 *   running → completed | failed | cancelled | queued (a retry, a released or interrupted attempt)
 * completed, failed and cancelled are final.
 */
import { ConflictError } from '../errors.ts';
import type { JobKind } from './job-payloads.ts';

export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const FINAL_JOB_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled'];

const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  queued: ['running', 'cancelled'],
  running: ['completed', 'failed', 'cancelled', 'queued'],
  completed: [],
  failed: [],
  cancelled: [],
};

export const JOB_SCHEMA_VERSION = 1;

/** Where a running job is: a stage and, when countable, how far through it. */
export interface JobProgress {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

export interface Job {
  readonly schemaVersion: number;
  /** `job_` + 16 hex; chosen by the queue. */
  readonly id: string;
  readonly kind: JobKind;
  /** The validated payload of its kind (JSON). */
  readonly payload: unknown;
  readonly state: JobState;
  /** Attempts started so far (0 while first queued). */
  readonly attempt: number;
  /** After this many attempts a failure is final. */
  readonly maxAttempts: number;
  /** ISO 8601 UTC; not claimed before (the backoff of a retry). */
  readonly runAfter: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When the current (or last) attempt started; null before the first. */
  readonly startedAt: string | null;
  /** When it reached a final state. */
  readonly finishedAt: string | null;
  /** The runner holding it while running. */
  readonly workerId: string | null;
  /** ISO 8601 UTC until which the runner's claim holds; an expired lease means it died. */
  readonly leaseUntil: string | null;
  /** A cancel was asked for while it ran; the runner aborts it. */
  readonly cancelRequested: boolean;
  readonly progress: JobProgress | null;
  /** What the handler returned (JSON), once completed. */
  readonly result: unknown;
  /** The last attempt's error (also kept while a retry waits). */
  readonly error: string | null;
}

export function isFinalJobState(state: JobState): boolean {
  return FINAL_JOB_STATES.includes(state);
}

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** @throws ConflictError naming the job and both states when `from → to` is not allowed. */
export function assertTransition(jobId: string, from: JobState, to: JobState): void {
  if (!canTransition(from, to)) {
    throw new ConflictError(`job ${jobId} is ${from}; it cannot become ${to}`);
  }
}
