/**
 * Versioned PostgreSQL schema migrations. The list is the concatenation of per-area files
 * (catalog: versions 1–99, analysis: 100–199), so two areas can add migrations without
 * renumbering each other's. Each migration runs in its own transaction and is recorded in
 * `schema_migrations`; a session-level advisory lock makes concurrent starters wait for
 * each other instead of racing. A database holding a version this code does not know was
 * written by a newer sitewatch and is refused. Never edit a released migration: append.
 */
import type pg from 'pg';
import { SitewatchError, UnsupportedError, ValidationError } from '../../core/errors.ts';
import { ANALYSIS_MIGRATIONS } from './migrations-analysis.ts';
import { CATALOG_MIGRATIONS } from './migrations-catalog.ts';

export interface PgMigration {
  /** Unique; within its area's range (catalog 1–99, analysis 100–199). */
  readonly version: number;
  /** kebab-case summary, recorded beside the version. */
  readonly name: string;
  readonly sql: string;
}

/** Version ranges per area, so a misplaced migration fails loudly. */
export const MIGRATION_AREAS = [
  { area: 'catalog', min: 1, max: 99 },
  { area: 'analysis', min: 100, max: 199 },
] as const;

/** The production migrations, in version order. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  ...CATALOG_MIGRATIONS,
  ...ANALYSIS_MIGRATIONS,
].sort((a, b) => a.version - b.version);

/** Arbitrary constant key of the advisory lock held while migrating ('sitewatch' in ASCII). */
export const MIGRATION_LOCK_KEY = 0x73697465;

export interface ApplyPgMigrationsOptions {
  /** Migrations to apply; the production list unless a test passes its own. */
  readonly migrations?: readonly PgMigration[];
  /** For messages only (a masked URL). */
  readonly displayUrl?: string;
}

export interface MigrationOutcome {
  /** Versions applied by this call, in order. */
  readonly applied: readonly number[];
  /** Every version recorded in the database afterwards. */
  readonly versions: readonly number[];
}

/**
 * Applies every migration not yet recorded, in version order, each in one transaction,
 * holding the migration advisory lock for the whole run.
 * @throws ValidationError when `migrations` has duplicate or unordered versions.
 * @throws UnsupportedError when the database records a version this code does not know.
 * @throws SitewatchError with code `IO` naming the migration when one fails (rolled back).
 */
export async function applyPgMigrations(
  pool: pg.Pool,
  options: ApplyPgMigrationsOptions = {},
): Promise<MigrationOutcome> {
  const migrations = options.migrations ?? PG_MIGRATIONS;
  const where = options.displayUrl ?? 'the PostgreSQL database';
  assertValid(migrations);
  const client = await pool.connect();
  const connection = { broken: false };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const recorded = await recordedVersions(client);
      const known = new Set(migrations.map((migration) => migration.version));
      const unknown = recorded.filter((version) => !known.has(version));
      if (unknown.length > 0) {
        throw new UnsupportedError(
          `${where} has schema migration(s) ${unknown.join(', ')} that this sitewatch does not ` +
            'know (written by a newer sitewatch?); upgrade sitewatch or point it at another database',
        );
      }
      const done = new Set(recorded);
      const applied: number[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await applyOne(client, migration, where);
        applied.push(migration.version);
      }
      return { applied, versions: await recordedVersions(client) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {
        connection.broken = true;
      });
    }
  } finally {
    client.release(connection.broken ? true : undefined);
  }
}

async function applyOne(client: pg.PoolClient, migration: PgMigration, where: string) {
  try {
    await client.query('BEGIN');
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
      migration.version,
      migration.name,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const detail = error instanceof Error ? error.message : String(error);
    throw new SitewatchError(
      'IO',
      `migration ${migration.version} '${migration.name}' failed on ${where}: ${detail}`,
      { cause: error },
    );
  }
}

/** The versions recorded in `schema_migrations`, ascending; empty when the table is absent. */
export async function recordedVersions(client: Pick<pg.Pool, 'query'>): Promise<number[]> {
  const exists = await client.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (exists.rows[0]?.present !== true) return [];
  const result = await client.query<{ version: number }>(
    'SELECT version FROM schema_migrations ORDER BY version',
  );
  return result.rows.map((row) => row.version);
}

function assertValid(migrations: readonly PgMigration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new ValidationError(
        `migration '${migration.name}' has version ${migration.version}; versions must be ` +
          `integers in strictly increasing order (previous: ${previous})`,
      );
    }
    previous = migration.version;
  }
}
