/**
 * The job queue in SQLite (migration 9). Every state change is one conditional UPDATE inside a
 * `BEGIN IMMEDIATE` transaction, so two runners (threads, processes) never claim the same job
 * and a runner whose lease was taken over cannot overwrite the new owner's record.
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
import type { SqliteDatabase } from './sqlite-database.ts';
import { decodeDocument, encodeDocument } from './stored-document.ts';
import { settle } from './settle.ts';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

/** The states as migration 9 stores them: the domain's `completed` is stored `succeeded`. */
type StoredJobState = Exclude<JobState, 'completed'> | 'succeeded';

function toStoredState(state: JobState): StoredJobState {
  return state === 'completed' ? 'succeeded' : state;
}

function fromStoredState(state: StoredJobState): JobState {
  return state === 'succeeded' ? 'completed' : state;
}

interface JobRow {
  seq: number;
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
  cancel_requested: number;
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
    cancelRequested: row.cancel_requested === 1,
    progress: decodeOrNull(row.progress) as JobProgress | null,
    result: decodeOrNull(row.result),
    error: row.error,
  };
}

/** Cursors are the last row's `seq`, in base 36 behind a prefix, opaque to callers. */
function encodeCursor(seq: number): string {
  return `c${seq.toString(36)}`;
}

function decodeCursor(cursor: string): number {
  const seq = /^c[0-9a-z]{1,12}$/.test(cursor) ? parseInt(cursor.slice(1), 36) : Number.NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new ValidationError(`cursor ${JSON.stringify(cursor)} is not one this queue handed out`);
  }
  return seq;
}

/** {@link JobStore} over an open {@link SqliteDatabase}. */
export class SqliteJobStore implements JobStore {
  readonly #db: SqliteDatabase;
  readonly #nowIso: () => string;

  constructor(db: SqliteDatabase, options: { nowIso?: () => string } = {}) {
    this.#db = db;
    this.#nowIso = options.nowIso ?? (() => new Date().toISOString());
  }

  #row(id: string): JobRow | undefined {
    return this.#db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  #mustGet(id: string): JobRow {
    const row = this.#row(id);
    if (row === undefined) throw new NotFoundError(`job "${id}" not found`);
    return row;
  }

  enqueue(kind: JobKind, payload: unknown, options: EnqueueOptions = {}): Promise<Job> {
    return settle(() => {
      const now = this.#nowIso();
      const id = `job_${randomBytes(8).toString('hex')}`;
      this.#db
        .prepare(
          `INSERT INTO jobs (id, kind, state, payload, max_attempts, run_after, created_at,
             updated_at, schema_version)
           VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          kind,
          encodeDocument(payload),
          options.maxAttempts ?? DEFAULT_JOB_BACKOFF.maxAttempts,
          now,
          now,
          now,
          JOB_SCHEMA_VERSION,
        );
      return toJob(this.#mustGet(id));
    });
  }

  get(id: string): Promise<Job | undefined> {
    return settle(() => {
      const row = this.#row(id);
      return row === undefined ? undefined : toJob(row);
    });
  }

  list(filter: JobListFilter = {}): Promise<JobPage> {
    return settle(() => {
      const limit = Math.min(MAX_PAGE, Math.max(1, Math.trunc(filter.limit ?? DEFAULT_PAGE)));
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (filter.state !== undefined) {
        where.push('state = ?');
        params.push(toStoredState(filter.state));
      }
      if (filter.kind !== undefined) {
        where.push('kind = ?');
        params.push(filter.kind);
      }
      if (filter.cursor !== undefined) {
        where.push('seq < ?');
        params.push(decodeCursor(filter.cursor));
      }
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      const rows = this.#db
        .prepare(`SELECT * FROM jobs${clause} ORDER BY seq DESC LIMIT ?`)
        .all(...params, limit + 1) as JobRow[];
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        jobs: page.map(toJob),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null,
      };
    });
  }

  cancel(id: string): Promise<Job> {
    return settle(() =>
      this.#db.transaction(() => {
        const row = this.#mustGet(id);
        const now = this.#nowIso();
        if (row.state === 'queued') {
          this.#db
            .prepare(
              `UPDATE jobs SET state = 'cancelled', finished_at = ?, updated_at = ?,
                 error = 'cancelled before it started' WHERE id = ?`,
            )
            .run(now, now, id);
        } else if (row.state === 'running') {
          this.#db
            .prepare('UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?')
            .run(now, id);
        } else if (row.state !== 'cancelled') {
          throw new ConflictError(
            `job ${id} already ${fromStoredState(row.state)}; there is nothing to cancel`,
          );
        }
        return toJob(this.#mustGet(id));
      }),
    );
  }

  claim(
    workerId: string,
    kinds: readonly JobKind[],
    nowIso: string,
    leaseUntilIso: string,
  ): Promise<Job | undefined> {
    return settle(() => {
      if (kinds.length === 0) return undefined;
      return this.#db.transaction(() => {
        const marks = kinds.map(() => '?').join(', ');
        const row = this.#db
          .prepare(
            `SELECT id FROM jobs WHERE state = 'queued' AND run_after <= ? AND kind IN (${marks})
             ORDER BY run_after, seq LIMIT 1`,
          )
          .get(nowIso, ...kinds) as { id: string } | undefined;
        if (row === undefined) return undefined;
        this.#db
          .prepare(
            `UPDATE jobs SET state = 'running', attempt = attempt + 1, worker_id = ?,
               lease_until = ?, started_at = ?, updated_at = ?, progress = NULL
             WHERE id = ? AND state = 'queued'`,
          )
          .run(workerId, leaseUntilIso, nowIso, nowIso, row.id);
        return toJob(this.#mustGet(row.id));
      });
    });
  }

  renew(
    id: string,
    workerId: string,
    leaseUntilIso: string,
    progress: JobProgress | null,
  ): Promise<LeaseRenewal> {
    return settle(() =>
      this.#db.transaction(() => {
        const changed = this.#db
          .prepare(
            `UPDATE jobs SET lease_until = ?, progress = coalesce(?, progress)
             WHERE id = ? AND state = 'running' AND worker_id = ?`,
          )
          .run(leaseUntilIso, progress === null ? null : encodeDocument(progress), id, workerId);
        if (changed.changes === 0) this.#lostLease(id, workerId);
        return { cancelRequested: this.#mustGet(id).cancel_requested === 1 };
      }),
    );
  }

  #lostLease(id: string, workerId: string): never {
    const row = this.#mustGet(id);
    throw new ConflictError(
      `job ${id} is ${row.state} under ${row.worker_id ?? 'no runner'}, no longer held by ${workerId}`,
    );
  }

  finish(id: string, workerId: string, outcome: JobOutcome, nowIso: string): Promise<Job> {
    return settle(() =>
      this.#db.transaction(() => {
        const row = this.#mustGet(id);
        if (row.state !== 'running' || row.worker_id !== workerId) this.#lostLease(id, workerId);
        this.#record(row, outcome, nowIso);
        return toJob(this.#mustGet(id));
      }),
    );
  }

  listExpired(nowIso: string, limit: number): Promise<Job[]> {
    return settle(() =>
      (
        this.#db
          .prepare(
            `SELECT * FROM jobs WHERE state = 'running' AND lease_until <= ?
             ORDER BY lease_until, seq LIMIT ?`,
          )
          .all(nowIso, limit) as JobRow[]
      ).map(toJob),
    );
  }

  recoverExpired(id: string, outcome: JobOutcome, nowIso: string): Promise<Job | undefined> {
    return settle(() =>
      this.#db.transaction(() => {
        const row = this.#mustGet(id);
        if (row.state !== 'running' || row.lease_until === null || row.lease_until > nowIso) {
          return undefined;
        }
        this.#record(row, outcome, nowIso);
        return toJob(this.#mustGet(id));
      }),
    );
  }

  /**
   * Writes the end of the running attempt of `row`; call inside a transaction. A job whose
   * cancel was asked for is cancelled rather than queued again.
   */
  #record(row: JobRow, requested: JobOutcome, nowIso: string): void {
    const outcome: JobOutcome =
      requested.state === 'queued' && row.cancel_requested === 1
        ? { state: 'cancelled', error: `cancelled (${requested.error})` }
        : requested;
    assertTransition(row.id, fromStoredState(row.state), outcome.state);
    const final = outcome.state !== 'queued';
    this.#db
      .prepare(
        `UPDATE jobs SET state = ?, updated_at = ?, worker_id = NULL, lease_until = NULL,
           finished_at = ?, run_after = ?, attempt = attempt - ?, result = ?, error = ?
         WHERE id = ?`,
      )
      .run(
        toStoredState(outcome.state),
        nowIso,
        final ? nowIso : null,
        outcome.state === 'queued' ? outcome.runAfter : row.run_after,
        outcome.state === 'queued' && outcome.refundAttempt ? 1 : 0,
        outcome.state === 'completed' ? encodeDocument(outcome.result) : null,
        outcome.state === 'completed' ? null : outcome.error,
        row.id,
      );
  }
}
