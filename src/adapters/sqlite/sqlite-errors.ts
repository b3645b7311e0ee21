/** Recognising better-sqlite3 errors by their extended result code. */
import Database from 'better-sqlite3';

/** Constraint kinds as they appear in `SQLITE_CONSTRAINT_<KIND>` codes. */
export type SqliteConstraintKind = 'PRIMARYKEY' | 'UNIQUE' | 'FOREIGNKEY' | 'NOTNULL' | 'CHECK';

/** Whether `error` is a SQLite constraint violation of the given kind. */
export function isSqliteConstraint(error: unknown, kind: SqliteConstraintKind): boolean {
  return error instanceof Database.SqliteError && error.code === `SQLITE_CONSTRAINT_${kind}`;
}
