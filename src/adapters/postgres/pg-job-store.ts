/**
 * The job queue in PostgreSQL (migration 104). A claim is one statement that picks the
 * oldest due job with `SELECT … FOR UPDATE SKIP LOCKED` and marks it running, so runners on
 * any number of hosts never get the same job and never wait on each other's claims; every
 * other state change locks its row (`FOR UPDATE`) or is one conditional UPDATE, so a runner
 * whose lease was taken over cannot overwrite the new owner's record.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import {
  JOB_SCHEMA_VERSION,
  assertTransition,
  type Job,
  type JobProgress,
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
import { encodeDocument } from '../sqlite/stored-document.ts';
import { clampPageLimit } from '../sql-rows/paging.ts';
import {
  decodeJobCursor as decodeCursor,
  effectiveOutcome,
  encodeJobCursor as encodeCursor,
  fromStoredState,
  jobEndColumns,
  jobFromRow as toJob,
  toStoredState,
  type JobRow as SqlJobRow,
} from '../sql-rows/job-rows.ts';
import type { PgQueryable, PostgresDatabase } from './pg-database.ts';

type JobRow = SqlJobRow<string, boolean>;

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
    const limit = clampPageLimit(filter.limit);
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
    const outcome = effectiveOutcome(row, requested);
    assertTransition(row.id, fromStoredState(row.state), outcome.state);
    const end = jobEndColumns(row, outcome, nowIso);
    const { rows } = await client.query<JobRow>(
      `UPDATE jobs SET state = $1, updated_at = $2, worker_id = NULL, lease_until = NULL,
         finished_at = $3, run_after = $4, attempt = attempt - $5, result = $6, error = $7
       WHERE id = $8 RETURNING *`,
      [end.state, nowIso, end.finishedAt, end.runAfter, end.refund, end.result, end.error, row.id],
    );
    return toJob(firstRow(rows, row.id));
  }
}

function firstRow<R>(rows: readonly R[], id: string): R {
  const row = rows[0];
  if (row === undefined) throw new NotFoundError(`job "${id}" not found`);
  return row;
}
