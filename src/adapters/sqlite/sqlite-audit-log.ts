/**
 * The audit log in SQLite (migration 6): append-only rows (triggers refuse UPDATE and
 * DELETE), each written in the transaction of the change it records.
 */
import type { AuditEntry, NewAuditEntry } from '../../core/review/audit.ts';
import type { AuditFilter, AuditLog } from '../../app/review/review-ports.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { settle } from './settle.ts';
import {
  auditEntryFromRow as toEntry,
  auditEntryToParams,
  type AuditRow as SqlAuditRow,
} from '../sql-rows/audit-rows.ts';

type AuditRow = SqlAuditRow<number>;

/**
 * Appends an entry with the open connection; call inside the transaction of the write it
 * records (exported for adapters of this folder whose writes are audited, e.g. observations).
 */
export function appendAuditEntryInTransaction(db: SqliteDatabase, entry: NewAuditEntry): void {
  if (!db.handle.inTransaction) {
    throw new Error('appendAuditEntryInTransaction must run inside a transaction');
  }
  db.prepare(
    `INSERT INTO audit_log (at, actor, action, target_kind, target_id, reason, details)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(...auditEntryToParams(entry));
}

/** {@link AuditLog} over an open {@link SqliteDatabase}. */
export class SqliteAuditLog implements AuditLog {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return settle(() => {
      const where: string[] = [];
      const params: string[] = [];
      const add = (column: string, operator: string, value: string | undefined) => {
        if (value === undefined) return;
        where.push(`${column} ${operator} ?`);
        params.push(value);
      };
      add('at', '>=', filter.since);
      add('actor', '=', filter.actor);
      add('action', '=', filter.action);
      add('target_id', '=', filter.targetId);
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      const rows = this.#db
        .prepare(`SELECT * FROM audit_log${clause} ORDER BY id`)
        .all(...params) as AuditRow[];
      return rows.map(toEntry);
    });
  }
}
