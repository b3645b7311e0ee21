/**
 * Opening a PostgreSQL (+ PostGIS) database: one `pg` pool, transactions that roll back
 * whole on any error, and the mapping from PostgreSQL error codes to sitewatch errors
 * (the counterpart of sqlite-errors.ts). Repositories of this adapter only touch SQL
 * through a {@link PostgresDatabase}.
 */
import pg from 'pg';
import {
  ConflictError,
  NotFoundError,
  SitewatchError,
  ValidationError,
} from '../../core/errors.ts';

/** A client checked out of the pool; only valid inside the callback that received it. */
export type PgClient = pg.PoolClient;

/**
 * Anything that can run a query: a {@link PostgresDatabase}, its pool, or a transaction's
 * client (errors are mapped only by PostgresDatabase itself).
 */
export interface PgQueryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface OpenPostgresOptions {
  /** Most connections the pool holds open. Default 10. */
  readonly maxConnections?: number;
  /** How long to wait for a connection before failing (ms). Default 10,000. */
  readonly connectTimeoutMs?: number;
  /** Application name shown in pg_stat_activity. Default `sitewatch`. */
  readonly applicationName?: string;
}

/** A small wrapper around one `pg.Pool`. */
export interface PostgresDatabase {
  /** The connection URL with any password masked, for messages. */
  readonly displayUrl: string;
  /** The raw pool, for this adapter's repositories and tests only. */
  readonly pool: pg.Pool;
  /** Runs one statement outside any explicit transaction; errors mapped by {@link mapPgError}. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<pg.QueryResult<R>>;
  /**
   * Runs `fn` in one transaction on one pooled client: committed if `fn` resolves, rolled
   * back (and the error rethrown, mapped) if it rejects or the connection drops. A client
   * whose connection broke is discarded rather than returned to the pool.
   */
  withTransaction<T>(fn: (client: PgClient) => Promise<T>): Promise<T>;
  /** Closes every connection (idempotent). */
  close(): Promise<void>;
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function maskPostgresUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(url);
}

/**
 * Opens a pool for `url` and checks one connection works.
 * @throws ValidationError when `url` is not a postgres:// URL.
 * @throws SitewatchError with code `IO` when the server cannot be reached.
 */
export async function openPostgresDatabase(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<PostgresDatabase> {
  if (!isPostgresUrl(url)) {
    throw new ValidationError(
      `database URL '${maskPostgresUrl(url)}' is not a postgres:// or postgresql:// URL`,
    );
  }
  const displayUrl = maskPostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: options.applicationName ?? 'sitewatch',
  });
  // An idle client whose backend dies emits 'error' on the pool; without a listener that
  // would crash the process. The next checkout simply gets a fresh connection.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new SitewatchError(
      'IO',
      `cannot connect to PostgreSQL at ${displayUrl}: ${describePgError(error)}`,
      { cause: error },
    );
  }
  return wrapPool(pool, displayUrl);
}

/** Wraps an existing pool (tests, the migration runner). */
export function wrapPool(pool: pg.Pool, displayUrl: string): PostgresDatabase {
  let closed = false;
  return {
    displayUrl,
    pool,
    async query<R extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []) {
      try {
        return await pool.query<R>(sql, params as unknown[]);
      } catch (error) {
        throw mapPgError(error, sql);
      }
    },
    async withTransaction<T>(fn: (client: PgClient) => Promise<T>): Promise<T> {
      let client: PgClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw mapPgError(error, 'connect');
      }
      const connection = { broken: false };
      const onError = (): void => {
        connection.broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          // The connection is gone: the server rolls the transaction back itself.
          connection.broken = true;
        }
        throw mapPgError(error, 'transaction');
      } finally {
        client.removeListener('error', onError);
        client.release(connection.broken ? true : undefined);
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

interface PgErrorFields {
  readonly code?: unknown;
  readonly detail?: unknown;
  readonly constraint?: unknown;
  readonly table?: unknown;
  readonly message?: unknown;
}

/** The SQLSTATE of a `pg` error, or undefined for anything else. */
export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as PgErrorFields).code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `error` is a unique (or primary-key) violation, optionally of one constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (pgErrorCode(error) !== '23505') return false;
  return constraint === undefined || (error as PgErrorFields).constraint === constraint;
}

function describePgError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const fields = error as PgErrorFields;
  const detail = typeof fields.detail === 'string' ? ` (${fields.detail})` : '';
  return `${error.message}${detail}`;
}

/**
 * Maps a PostgreSQL error to a sitewatch error; sitewatch errors pass through unchanged.
 * unique violation (23505) → ConflictError; foreign-key violation (23503) → NotFoundError;
 * not-null / check / invalid text (23502, 23514, 22P02, 22007, 22008) → ValidationError;
 * anything else (lost connection, missing table, …) → SitewatchError `IO`.
 * `context` (a statement or an operation) is named in the message.
 */
export function mapPgError(error: unknown, context: string): SitewatchError {
  if (error instanceof SitewatchError) return error;
  const code = pgErrorCode(error);
  const message = describePgError(error);
  const where = context.replace(/\s+/g, ' ').trim().slice(0, 120);
  switch (code) {
    case '23505':
      return new ConflictError(`already exists: ${message}`, { cause: error });
    case '23503':
      return new NotFoundError(`refers to a missing record: ${message}`, { cause: error });
    case '23502':
    case '23514':
    case '22P02':
    case '22007':
    case '22008':
      return new ValidationError(`rejected by PostgreSQL: ${message}`, { cause: error });
    default:
      return new SitewatchError('IO', `PostgreSQL failed in ${where}: ${message}`, {
        cause: error,
      });
  }
}
