/**
 * The job queue in PostgreSQL (migration 104). A claim is one statement that picks the
 * oldest due job with `SELECT … FOR UPDATE SKIP LOCKED` and marks it running, so runners on
 * any number of hosts never get the same job and never wait on each other's claims; every
 * other state change locks its row (`FOR UPDATE`) or is one conditional UPDATE, so a runner
 * whose lease was taken over cannot overwrite the new owner's record.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import {
  JOB_SCHEMA_VERSION,
  assertTransition,
  type Job,
  type JobProgress,
  type JobState,
} from '../../core/jobs/job.ts';
import type { JobKind } from '../../core/jobs/job-payloads.ts';
import { DEFAULT_JOB_BACKOFF, type JobOutcome } from '../../core/jobs/job-retry.ts';
import type {
  EnqueueOptions,
  JobListFilter,
  JobPage,
  JobStore,
  LeaseRenewal,
} from '../../app/jobs/job-queue.ts';
import { decodeDocument, encodeDocument } from '../sqlite/stored-document.ts';
import type { PgQueryable, PostgresDatabase } from './pg-database.ts';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/**
 * The states as the jobs table stores them: the domain's `completed` is stored `succeeded`,
 * as in SQLite's migration 9, so `db copy` moves rows unchanged.
 */
type StoredJobState = Exclude<JobState, 'completed'> | 'succeeded';

function toStoredState(state: JobState): StoredJobState {
  return state === 'completed' ? 'succeeded' : state;
}

function fromStoredState(state: StoredJobState): JobState {
  return state === 'succeeded' ? 'completed' : state;
}

interface JobRow {
  seq: string;
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
  cancel_requested: boolean;
  progress: string | null;
  result: string | null;
  error: string | null;
  schema_version: number;
}

function decodeOrNull(text: string | null): unknown {
  return text === null ? null : decodeDocument(text);
}

function toJob(row: JobRow): Job {
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
    cancelRequested: row.cancel_requested,
    progress: decodeOrNull(row.progress) as JobProgress | null,
    result: decodeOrNull(row.result),
    error: row.error,
  };
}

/** Cursors are the last row's `seq` in base 36 behind a prefix, as in the SQLite store. */
function encodeCursor(seq: string): string {
  return `c${Number(seq).toString(36)}`;
}

function decodeCursor(cursor: string): number {
  const seq = /^c[0-9a-z]{1,12}$/.test(cursor) ? parseInt(cursor.slice(1), 36) : Number.NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new ValidationError(`cursor ${JSON.stringify(cursor)} is not one this queue handed out`);
  }
  return seq;
}

/** {@link JobStore} over a {@link PostgresDatabase}; safe across processes and hosts. */
export class PgJobStore implements JobStore {
  readonly #db: PostgresDatabase;
  readonly #nowIso: () => string;

  constructor(db: PostgresDatabase, options: { nowIso?: () => string } = {}) {
    this.#db = db;
    this.#nowIso = options.nowIso ?? (() => new Date().toISOString());
  }

  async #row(q: PgQueryable, id: string, lock = false): Promise<JobRow | undefined> {
    const result = await q.query<JobRow>(
      `SELECT * FROM jobs WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return result.rows[0];
  }

  async #mustGet(q: PgQueryable, id: string, lock = false): Promise<JobRow> {
    const row = await this.#row(q, id, lock);
    if (row === undefined) throw new NotFoundError(`job "${id}" not found`);
    return row;
  }

  async enqueue(kind: JobKind, payload: unknown, options: EnqueueOptions = {}): Promise<Job> {
    const now = this.#nowIso();
    const id = `job_${randomBytes(8).toString('hex')}`;
    const result = await this.#db.query<JobRow>(
      `INSERT INTO jobs (id, kind, state, payload, max_attempts, run_after, created_at,
         updated_at, schema_version)
       VALUES ($1, $2, 'queued', $3, $4, $5, $5, $5, $6) RETURNING *`,
      [
        id,
        kind,
        encodeDocument(payload),
        options.maxAttempts ?? DEFAULT_JOB_BACKOFF.maxAttempts,
        now,
        JOB_SCHEMA_VERSION,
      ],
    );
    return toJob(firstRow(result.rows, id));
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.#row(this.#db, id);
    return row === undefined ? undefined : toJob(row);
  }

  async list(filter: JobListFilter = {}): Promise<JobPage> {
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.trunc(filter.limit ?? DEFAULT_PAGE)));
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (condition: (mark: string) => string, value: string | number): void => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (filter.state !== undefined) add((m) => `state = ${m}`, toStoredState(filter.state));
    if (filter.kind !== undefined) add((m) => `kind = ${m}`, filter.kind);
    if (filter.cursor !== undefined) add((m) => `seq < ${m}`, decodeCursor(filter.cursor));
    params.push(limit + 1);
    const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
    const { rows } = await this.#db.query<JobRow>(
      `SELECT * FROM jobs${clause} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map(toJob),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null,
    };
  }

  cancel(id: string): Promise<Job> {
    return this.#db.withTransaction(async (client) => {
      const row = await this.#mustGet(client, id, true);
      const now = this.#nowIso();
      if (row.state === 'queued') {
        await client.query(
          `UPDATE jobs SET state = 'cancelled', finished_at = $1, updated_at = $1,
             error = 'cancelled before it started' WHERE id = $2`,
          [now, id],
        );
      } else if (row.state === 'running') {
        await client.query(
          'UPDATE jobs SET cancel_requested = TRUE, updated_at = $1 WHERE id = $2',
          [now, id],
        );
      } else if (row.state !== 'cancelled') {
        throw new ConflictError(
          `job ${id} already ${fromStoredState(row.state)}; there is nothing to cancel`,
        );
      }
      return toJob(await this.#mustGet(client, id));
    });
  }

  async claim(
    workerId: string,
    kinds: readonly JobKind[],
    nowIso: string,
    leaseUntilIso: string,
  ): Promise<Job | undefined> {
    if (kinds.length === 0) return undefined;
    const { rows } = await this.#db.query<JobRow>(
      `WITH next AS (
         SELECT seq FROM jobs
         WHERE state = 'queued' AND run_after <= $1 AND kind = ANY($2::text[])
         ORDER BY run_after, seq LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs SET state = 'running', attempt = attempt + 1, worker_id = $3,
         lease_until = $4, started_at = $1, updated_at = $1, progress = NULL
       FROM next WHERE jobs.seq = next.seq
       RETURNING jobs.*`,
      [nowIso, [...kinds], workerId, leaseUntilIso],
    );
    const row = rows[0];
    return row === undefined ? undefined : toJob(row);
  }

  async renew(
    id: string,
    workerId: string,
    leaseUntilIso: string,
    progress: JobProgress | null,
  ): Promise<LeaseRenewal> {
    const { rows } = await this.#db.query<{ cancel_requested: boolean }>(
      `UPDATE jobs SET lease_until = $1, progress = coalesce($2, progress)
       WHERE id = $3 AND state = 'running' AND worker_id = $4
       RETURNING cancel_requested`,
      [leaseUntilIso, progress === null ? null : encodeDocument(progress), id, workerId],
    );
    const row = rows[0];
    if (row === undefined) return this.#lostLease(this.#db, id, workerId);
    return { cancelRequested: row.cancel_requested };
  }

  async #lostLease(q: PgQueryable, id: string, workerId: string): Promise<never> {
    const row = await this.#mustGet(q, id);
    throw new ConflictError(
      `job ${id} is ${fromStoredState(row.state)} under ${row.worker_id ?? 'no runner'}, no longer held by ${workerId}`,
    );
  }

  finish(id: string, workerId: string, outcome: JobOutcome, nowIso: string): Promise<Job> {
    return this.#db.withTransaction(async (client) => {
      const row = await this.#mustGet(client, id, true);
      if (row.state !== 'running' || row.worker_id !== workerId) {
        return this.#lostLease(client, id, workerId);
      }
      return this.#record(client, row, outcome, nowIso);
    });
  }

  async listExpired(nowIso: string, limit: number): Promise<Job[]> {
    const { rows } = await this.#db.query<JobRow>(
      `SELECT * FROM jobs WHERE state = 'running' AND lease_until <= $1
       ORDER BY lease_until, seq LIMIT $2`,
      [nowIso, limit],
    );
    return rows.map(toJob);
  }

  recoverExpired(id: string, outcome: JobOutcome, nowIso: string): Promise<Job | undefined> {
    return this.#db.withTransaction(async (client) => {
      const row = await this.#mustGet(client, id, true);
      if (row.state !== 'running' || row.lease_until === null || row.lease_until > nowIso) {
        return undefined;
      }
      return this.#record(client, row, outcome, nowIso);
    });
  }

  /**
   * Writes the end of the running attempt of `row` (locked by the caller's transaction). A job
   * whose cancel was asked for is cancelled rather than queued again.
   */
  async #record(
    client: PgQueryable,
    row: JobRow,
    requested: JobOutcome,
    nowIso: string,
  ): Promise<Job> {
    const outcome: JobOutcome =
      requested.state === 'queued' && row.cancel_requested
        ? { state: 'cancelled', error: `cancelled (${requested.error})` }
        : requested;
    assertTransition(row.id, fromStoredState(row.state), outcome.state);
    const final = outcome.state !== 'queued';
    const { rows } = await client.query<JobRow>(
      `UPDATE jobs SET state = $1, updated_at = $2, worker_id = NULL, lease_until = NULL,
         finished_at = $3, run_after = $4, attempt = attempt - $5, result = $6, error = $7
       WHERE id = $8 RETURNING *`,
      [
        toStoredState(outcome.state),
        nowIso,
        final ? nowIso : null,
        outcome.state === 'queued' ? outcome.runAfter : row.run_after,
        outcome.state === 'queued' && outcome.refundAttempt ? 1 : 0,
        outcome.state === 'completed' ? encodeDocument(outcome.result) : null,
        outcome.state === 'completed' ? null : outcome.error,
        row.id,
      ],
    );
    return toJob(firstRow(rows, row.id));
  }
}

function firstRow<R>(rows: readonly R[], id: string): R {
  const row = rows[0];
  if (row === undefined) throw new NotFoundError(`job "${id}" not found`);
  return row;
}
