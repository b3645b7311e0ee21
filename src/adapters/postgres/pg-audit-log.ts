/**
 * The audit log in PostgreSQL (migration 101): append-only rows (triggers refuse UPDATE,
 * DELETE and TRUNCATE), each written in the transaction of the change it records.
 */
import type { AuditEntry, NewAuditEntry } from '../../core/review/audit.ts';
import type { AuditFilter, AuditLog } from '../../app/review/review-ports.ts';
import type { PgClient, PostgresDatabase } from './pg-database.ts';
import {
  auditEntryFromRow as toEntry,
  auditEntryToParams,
  type AuditRow as SqlAuditRow,
} from '../sql-rows/audit-rows.ts';

type AuditRow = SqlAuditRow<string>;

/**
 * Appends an entry with a transaction's client: call it from inside
 * `PostgresDatabase.withTransaction`, in the transaction of the write it records (exported for
 * the repositories of this folder whose writes are audited).
 */
export async function appendPgAuditEntry(client: PgClient, entry: NewAuditEntry): Promise<void> {
  await client.query(
    `INSERT INTO audit_log (at, actor, action, target_kind, target_id, reason, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    auditEntryToParams(entry),
  );
}

/** {@link AuditLog} over a {@link PostgresDatabase}. */
export class PgAuditLog implements AuditLog {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: string[] = [];
    const add = (column: string, operator: string, value: string | undefined): void => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${column} ${operator} $${params.length}`);
    };
    add('at', '>=', filter.since);
    add('actor', '=', filter.actor);
    add('action', '=', filter.action);
    add('target_id', '=', filter.targetId);
    const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
    const { rows } = await this.#db.query<AuditRow>(
      `SELECT * FROM audit_log${clause} ORDER BY id`,
      params,
    );
    return rows.map(toEntry);
  }
}
