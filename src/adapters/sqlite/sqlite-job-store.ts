/**
 * The job queue in SQLite (migration 9). Every state change is one conditional UPDATE inside a
 * `BEGIN IMMEDIATE` transaction, so two runners (threads, processes) never claim the same job
 * and a runner whose lease was taken over cannot overwrite the new owner's record.
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
import type { SqliteDatabase } from './sqlite-database.ts';
import { encodeDocument } from './stored-document.ts';
import { clampPageLimit } from '../sql-rows/paging.ts';
import {
  decodeJobCursor as decodeCursor,
  encodeJobCursor as encodeCursor,
  fromStoredState,
  effectiveOutcome,
  jobEndColumns,
  jobFromRow as toJob,
  toStoredState,
  type JobRow as SqlJobRow,
} from '../sql-rows/job-rows.ts';
import { settle } from './settle.ts';

type JobRow = SqlJobRow<number, number>;

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
      const limit = clampPageLimit(filter.limit);
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
    const outcome = effectiveOutcome(row, requested);
    assertTransition(row.id, fromStoredState(row.state), outcome.state);
    const end = jobEndColumns(row, outcome, nowIso);
    this.#db
      .prepare(
        `UPDATE jobs SET state = ?, updated_at = ?, worker_id = NULL, lease_until = NULL,
           finished_at = ?, run_after = ?, attempt = attempt - ?, result = ?, error = ?
         WHERE id = ?`,
      )
      .run(
        end.state,
        nowIso,
        end.finishedAt,
        end.runAfter,
        end.refund,
        end.result,
        end.error,
        row.id,
      );
  }
}
