/**
 * Test helper: a fresh, uniquely named PostgreSQL database with PostGIS and the migrations
 * applied, dropped again by `drop()`. Tests call {@link postgresAvailable} first and skip
 * with a clear message when no server answers.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyPgMigrations, type PgMigration } from './migrations.ts';
import { openPostgresDatabase, type PostgresDatabase } from './pg-database.ts';

/** The server tests use: SITEWATCH_TEST_PG_URL, else the local trust login. */
export function testServerUrl(): string {
  return process.env['SITEWATCH_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

let availability: Promise<string | undefined> | undefined;

/**
 * Undefined when the test server answers and has PostGIS, else the reason it cannot be used
 * (print it in the skip message). Probed once per process.
 */
export function postgresUnavailableReason(): Promise<string | undefined> {
  availability ??= probe();
  return availability;
}

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: testServerUrl(),
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    const result = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_available_extensions WHERE name = 'postgis'",
    );
    if (result.rows[0]?.n !== '1') return `PostGIS is not installed on ${testServerUrl()}`;
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return `PostgreSQL is not reachable at ${testServerUrl()} (${detail}); set SITEWATCH_TEST_PG_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Whether the test server can be used (see {@link postgresUnavailableReason}). */
export async function postgresAvailable(): Promise<boolean> {
  return (await postgresUnavailableReason()) === undefined;
}

export interface TestDatabase {
  /** The URL of the fresh database. */
  readonly url: string;
  readonly name: string;
  /** An open pool over it (closed by `drop`). */
  readonly db: PostgresDatabase;
  /** Closes the pool and drops the database, terminating any connection left. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** Migrations to apply; the production list by default, `[]` for none. */
  readonly migrations?: readonly PgMigration[];
}

/** Creates `sitewatch_test_<random>` on the test server, with PostGIS and the migrations. */
export async function createTestDatabase(
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  const name = `sitewatch_test_${randomBytes(6).toString('hex')}`;
  const serverUrl = testServerUrl();
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(serverUrl, name);
  let db: PostgresDatabase | undefined;
  try {
    db = await openPostgresDatabase(url, { maxConnections: 4 });
    await db.query('CREATE EXTENSION IF NOT EXISTS postgis');
    const migrations = options.migrations;
    await applyPgMigrations(db.pool, migrations === undefined ? {} : { migrations });
  } catch (error) {
    await db?.close().catch(() => undefined);
    await dropDatabase(serverUrl, name).catch(() => undefined);
    throw error;
  }
  const opened = db;
  let dropped = false;
  return {
    url,
    name,
    db: opened,
    async drop(): Promise<void> {
      if (dropped) return;
      dropped = true;
      await opened.close().catch(() => undefined);
      await dropDatabase(serverUrl, name);
    },
  };
}

/** Creates an empty uniquely named database (no PostGIS, no migrations); for `db copy` tests. */
export async function createEmptyTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sitewatch_test_${randomBytes(6).toString('hex')}`;
  const serverUrl = testServerUrl();
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  return {
    url: withDatabase(serverUrl, name),
    drop: () => dropDatabase(serverUrl, name),
  };
}

/** `url` with its database name replaced by `name`. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
