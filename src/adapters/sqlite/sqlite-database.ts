/**
 * Opening the embedded SQLite database: pragmas chosen for crash safety (see
 * docs/adr/0003-embedded-store.md) and versioned migrations applied before first use.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SitewatchError, UnsupportedError } from '../../core/errors.ts';
import { applyMigrations, MIGRATIONS, type Migration } from './migrations.ts';

/** How hard a commit pushes to disk; see the ADR for why NORMAL is the default. */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

export interface OpenSqliteOptions {
  /**
   * `NORMAL` (default): a commit survives a killed process; after a power cut the last
   * commits may roll back, whole. `FULL`: fsync on every commit, durable after a power cut.
   */
  readonly synchronous?: SqliteSynchronous;
  /** How long a writer waits for another process's lock before SQLITE_BUSY (ms). Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Migrations to apply; the production list unless a test passes its own. */
  readonly migrations?: readonly Migration[];
  /** ISO 8601 UTC clock for `schema_migrations.applied_at`. */
  readonly nowIso?: () => string;
}

/** A small wrapper around one better-sqlite3 connection. */
export interface SqliteDatabase {
  /** The raw connection, for the repositories of this adapter only. */
  readonly handle: Database.Database;
  /** The path it was opened from (`:memory:` for an in-memory database). */
  readonly path: string;
  /** A prepared statement for `sql`, cached per connection. */
  prepare(sql: string): Database.Statement;
  /**
   * Runs `fn` in one `BEGIN IMMEDIATE` transaction: committed if `fn` returns, rolled back
   * (and the error rethrown) if it throws. Nested calls become savepoints.
   */
  transaction<T>(fn: () => T): T;
  /** Closes the connection (idempotent). */
  close(): void;
}

/**
 * Opens (creating if needed, with its parent folder) the database at `path`, sets WAL mode,
 * `synchronous`, foreign keys and the busy timeout, and applies pending migrations.
 * @throws UnsupportedError when WAL mode cannot be enabled (e.g. a network file system) or
 *   the database was written by a newer sitewatch (its schema version is above the code's).
 * @throws SitewatchError with code `IO` when the file cannot be opened.
 */
export function openSqliteDatabase(path: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  const inMemory = path === ':memory:';
  let handle: Database.Database;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    handle = new Database(path);
  } catch (error) {
    throw new SitewatchError('IO', `cannot open SQLite database at ${path}: ${String(error)}`, {
      cause: error,
    });
  }
  try {
    configure(handle, path, inMemory, options);
    applyMigrations(handle, {
      migrations: options.migrations ?? MIGRATIONS,
      nowIso: options.nowIso ?? (() => new Date().toISOString()),
      path,
    });
  } catch (error) {
    handle.close();
    throw error;
  }
  return wrap(handle, path);
}

function configure(
  handle: Database.Database,
  path: string,
  inMemory: boolean,
  options: OpenSqliteOptions,
): void {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  handle.pragma(`busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
  const mode = String(handle.pragma('journal_mode = WAL', { simple: true }));
  if (!inMemory && mode.toLowerCase() !== 'wal') {
    throw new UnsupportedError(
      `SQLite database at ${path} cannot use WAL journal mode (got '${mode}'); ` +
        'keep the sitewatch home on a local file system',
    );
  }
  handle.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  handle.pragma('foreign_keys = ON');
}

function wrap(handle: Database.Database, path: string): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    handle,
    path,
    prepare(sql: string): Database.Statement {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = handle.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    transaction<T>(fn: () => T): T {
      return handle.transaction(fn).immediate();
    },
    close(): void {
      if (!handle.open) return;
      statements.clear();
      handle.pragma('optimize');
      handle.close();
    },
  };
}
