/**
 * The `jobs` table's row as both SQL stores read it (SQLite migration 9, PostgreSQL migration
 * 104) and its mapping to and from the domain {@link Job}. Only the dialect's types differ:
 * `seq` (a number in SQLite, a bigint string from pg) and `cancel_requested` (0/1 or boolean).
 */
import type { Job, JobProgress, JobState } from '../../core/jobs/job.ts';
import type { JobKind } from '../../core/jobs/job-payloads.ts';
import type { JobOutcome } from '../../core/jobs/job-retry.ts';
import { decodeDocument, encodeDocument } from '../sqlite/stored-document.ts';
import { decodeBase36Cursor, encodeBase36Cursor } from './paging.ts';

/**
 * The states as the jobs table stores them: the domain's `completed` is stored `succeeded`
 * (SQLite's migration 9; PostgreSQL keeps it so `db copy` moves rows unchanged).
 */
export type StoredJobState = Exclude<JobState, 'completed'> | 'succeeded';

export function toStoredState(state: JobState): StoredJobState {
  return state === 'completed' ? 'succeeded' : state;
}

export function fromStoredState(state: StoredJobState): JobState {
  return state === 'succeeded' ? 'completed' : state;
}

/** One `jobs` row; `Seq` and `Flag` are the dialect's types for `seq` and `cancel_requested`. */
export interface JobRow<Seq extends number | string, Flag extends number | boolean> {
  seq: Seq;
  id: string;
  kind: JobKind;
  state: StoredJobState;
  payload: string;
  attempt: number;
  max_attempts: number;
  run_after: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  worker_id: string | null;
  lease_until: string | null;
  cancel_requested: Flag;
  progress: string | null;
  result: string | null;
  error: string | null;
  schema_version: number;
}

/** A stored boolean: SQLite's 1 or PostgreSQL's true. */
export function storedFlag(value: number | boolean): boolean {
  return value === true || value === 1;
}

function decodeOrNull(text: string | null): unknown {
  return text === null ? null : decodeDocument(text);
}

export function jobFromRow(row: JobRow<number | string, number | boolean>): Job {
  return {
    schemaVersion: row.schema_version,
    id: row.id,
    kind: row.kind,
    payload: decodeDocument(row.payload),
    state: fromStoredState(row.state),
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    runAfter: row.run_after,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    workerId: row.worker_id,
    leaseUntil: row.lease_until,
    cancelRequested: storedFlag(row.cancel_requested),
    progress: decodeOrNull(row.progress) as JobProgress | null,
    result: decodeOrNull(row.result),
    error: row.error,
  };
}

/** Cursors are the last row's `seq`, in base 36 behind a prefix, opaque to callers. */
export function encodeJobCursor(seq: number | string): string {
  return encodeBase36Cursor('c', Number(seq));
}

export function decodeJobCursor(cursor: string): number {
  return decodeBase36Cursor('c', cursor);
}

/**
 * The outcome actually written for the end of the running attempt of `row`: a job whose
 * cancel was asked for is cancelled rather than queued again.
 */
export function effectiveOutcome(
  row: JobRow<number | string, number | boolean>,
  requested: JobOutcome,
): JobOutcome {
  return requested.state === 'queued' && storedFlag(row.cancel_requested)
    ? { state: 'cancelled', error: `cancelled (${requested.error})` }
    : requested;
}

/** The columns that end the running attempt of `row` with `outcome` (see {@link effectiveOutcome}). */
export interface JobEndColumns {
  readonly state: StoredJobState;
  readonly finishedAt: string | null;
  readonly runAfter: string;
  readonly refund: 0 | 1;
  readonly result: string | null;
  readonly error: string | null;
}

export function jobEndColumns(
  row: JobRow<number | string, number | boolean>,
  outcome: JobOutcome,
  nowIso: string,
): JobEndColumns {
  return {
    state: toStoredState(outcome.state),
    finishedAt: outcome.state !== 'queued' ? nowIso : null,
    runAfter: outcome.state === 'queued' ? outcome.runAfter : row.run_after,
    refund: outcome.state === 'queued' && outcome.refundAttempt ? 1 : 0,
    result: outcome.state === 'completed' ? encodeDocument(outcome.result) : null,
    error: outcome.state === 'completed' ? null : outcome.error,
  };
}
