/**
 * What becomes of an attempt that did not succeed: retried after an exponential backoff (the
 * alert outbox's policy shape), failed for good, cancelled, or put back for another runner.
 * Pure: the time comes in as an argument.
 */
import { backoffDelayMs, type BackoffPolicy } from '../alerts/alert.ts';
import { SitewatchError, type ErrorCode } from '../errors.ts';
import type { Job } from './job.ts';

/** 10 s, 20 s, … capped at 10 min; three attempts in all unless the job says otherwise. */
export const DEFAULT_JOB_BACKOFF: BackoffPolicy = {
  baseMs: 10_000,
  maxMs: 600_000,
  maxAttempts: 3,
};

/** The message a job fails with when its last attempt died with its runner. */
export const INTERRUPTED_MESSAGE = 'interrupted by a restart';

/**
 * Errors that another attempt cannot cure: the input is wrong or missing. Everything else (I/O,
 * a crashed worker thread, an unexpected bug) is retried.
 */
const FINAL_ERROR_CODES: readonly ErrorCode[] = [
  'INVALID_INPUT',
  'INVALID_GEOMETRY',
  'NOT_FOUND',
  'CONFLICT',
  'UNSUPPORTED',
  'CORRUPT_FILE',
  'TOO_LARGE',
  'UNKNOWN_CRS',
  'MISSING_METADATA',
  'CANCELLED',
];

/** How an attempt ends, as the queue records it. */
export type JobOutcome =
  | { readonly state: 'completed'; readonly result: unknown }
  | { readonly state: 'failed'; readonly error: string }
  | { readonly state: 'cancelled'; readonly error: string | null }
  | {
      readonly state: 'queued';
      readonly error: string;
      /** ISO 8601 UTC: not claimed before. */
      readonly runAfter: string;
      /** The attempt does not count (the runner was stopped, not the job at fault). */
      readonly refundAttempt: boolean;
    };

/** Why a running job's signal was aborted, if it was. */
export type AbortCause = 'cancel' | 'shutdown' | null;

export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export function isRetryableJobError(error: unknown): boolean {
  return !(error instanceof SitewatchError && FINAL_ERROR_CODES.includes(error.code));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The outcome of an attempt that threw `error`: cancelled when a cancel was asked for, put back
 * (attempt refunded) when the runner is shutting down, retried after the backoff while attempts
 * remain and the error is retryable, else failed with the error's message.
 */
export function outcomeOfFailure(
  job: Pick<Job, 'attempt' | 'maxAttempts'>,
  error: unknown,
  cause: AbortCause,
  nowIso: string,
  policy: BackoffPolicy = DEFAULT_JOB_BACKOFF,
): JobOutcome {
  const message = messageOf(error);
  if (cause === 'cancel') return { state: 'cancelled', error: message };
  if (cause === 'shutdown') {
    return { state: 'queued', error: message, runAfter: nowIso, refundAttempt: true };
  }
  if (!isRetryableJobError(error)) return { state: 'failed', error: message };
  const delayMs = backoffDelayMs({ ...policy, maxAttempts: job.maxAttempts }, job.attempt);
  if (delayMs === null) return { state: 'failed', error: message };
  return {
    state: 'queued',
    error: message,
    runAfter: addMs(nowIso, delayMs),
    refundAttempt: false,
  };
}

/**
 * The outcome of a job found running with an expired lease (its runner died): queued again
 * at once while attempts remain (the use cases store nothing until their last step, so a
 * rerun repeats nothing that was kept), else failed as interrupted.
 */
export function outcomeOfInterrupted(
  job: Pick<Job, 'attempt' | 'maxAttempts'>,
  nowIso: string,
): JobOutcome {
  if (job.attempt < job.maxAttempts) {
    return { state: 'queued', error: INTERRUPTED_MESSAGE, runAfter: nowIso, refundAttempt: false };
  }
  return { state: 'failed', error: INTERRUPTED_MESSAGE };
}
