/**
 * Versioned schema migrations. Each is applied in its own transaction and recorded in
 * `schema_migrations`; a database whose version is above the code's is refused. Never edit
 * a released migration: append a new one.
 */
import type Database from 'better-sqlite3';
import { SitewatchError, UnsupportedError, ValidationError } from '../../core/errors.ts';

export interface Migration {
  /** 1, 2, 3, … with no gaps. */
  readonly version: number;
  /** kebab-case summary, recorded beside the version. */
  readonly name: string;
  readonly sql: string;
}

const V1_SQL = `
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  doc TEXT NOT NULL,               -- JSON of the Site plus schemaVersion
  schema_version INTEGER NOT NULL,
  updated_at TEXT NOT NULL         -- ISO 8601 UTC
) STRICT;

CREATE TABLE images (
  row_id INTEGER PRIMARY KEY,      -- stable integer key for the R*Tree (plain rowids move on VACUUM)
  id TEXT NOT NULL UNIQUE,
  sha256 TEXT NOT NULL UNIQUE,
  acquired_at TEXT NOT NULL,       -- canonical ISO 8601 UTC with milliseconds, compared as text
  min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL,  -- null for pixel-only imagery
  doc TEXT NOT NULL,               -- JSON of the ImageRecord without 'sites' (see image_sites)
  schema_version INTEGER NOT NULL,
  ingested_at TEXT NOT NULL
) STRICT;
CREATE INDEX images_by_acquired_at ON images (acquired_at, id);

-- Conservative float32 boxes; exact filtering uses the REAL columns of images.
CREATE VIRTUAL TABLE images_rtree USING rtree (row_id, min_lon, max_lon, min_lat, max_lat);
CREATE TRIGGER images_rtree_delete AFTER DELETE ON images BEGIN
  DELETE FROM images_rtree WHERE row_id = old.row_id;
END;

CREATE TABLE image_files (
  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,            -- position in ImageRecord.files
  role TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  original_path TEXT NOT NULL,
  stored_path TEXT NOT NULL,
  linked INTEGER NOT NULL CHECK (linked IN (0, 1)),
  PRIMARY KEY (image_id, idx)
) STRICT;
CREATE INDEX image_files_by_original_path ON image_files (original_path);
CREATE INDEX image_files_by_sha256 ON image_files (sha256);

-- The image<->site index; the source of truth for ImageRecord.sites. No foreign key to
-- sites: the site repository deletes a removed site's rows in the same transaction.
CREATE TABLE image_sites (
  image_id TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  site_id TEXT NOT NULL,
  PRIMARY KEY (image_id, site_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX image_sites_by_site ON image_sites (site_id, image_id);
`;

const V2_SQL = `
CREATE TABLE comparisons (
  id TEXT PRIMARY KEY,
  image_a TEXT NOT NULL,           -- image ids; no foreign key, so a comparison outlives nothing it names silently
  image_b TEXT NOT NULL,
  created_at TEXT NOT NULL,        -- ISO 8601 UTC
  doc TEXT NOT NULL,               -- JSON of the Comparison (with schemaVersion)
  schema_version INTEGER NOT NULL
) STRICT;
CREATE INDEX comparisons_by_image_a ON comparisons (image_a, created_at);
CREATE INDEX comparisons_by_image_b ON comparisons (image_b, created_at);
`;

/** The production migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: V1_SQL },
  { version: 2, name: 'comparisons', sql: V2_SQL },
];

export interface ApplyMigrationsOptions {
  readonly migrations: readonly Migration[];
  /** ISO 8601 UTC, recorded as `applied_at`. */
  readonly nowIso: () => string;
  /** For messages only. */
  readonly path: string;
}

/**
 * Applies every migration above the database's current version, each in one transaction.
 * @returns the schema version the database is at afterwards.
 * @throws UnsupportedError when the database is newer than the newest migration.
 * @throws ValidationError when `migrations` is not numbered 1, 2, 3, … in order.
 * @throws SitewatchError with code `IO` naming the migration when one fails (it is rolled back).
 */
export function applyMigrations(db: Database.Database, options: ApplyMigrationsOptions): number {
  const { migrations, path } = options;
  assertOrdered(migrations);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const current = currentSchemaVersion(db);
  const latest = migrations.length;
  if (current > latest) {
    throw new UnsupportedError(
      `SQLite database at ${path} has schema version ${current}, newer than this sitewatch ` +
        `supports (${latest}); upgrade sitewatch or point it at another home`,
    );
  }
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const migration of migrations.slice(current)) {
    try {
      db.transaction(() => {
        // Another process may have applied it since we looked: re-check under the write lock.
        if (currentSchemaVersion(db) >= migration.version) return;
        db.exec(migration.sql);
        record.run(migration.version, migration.name, options.nowIso());
      }).immediate();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new SitewatchError(
        'IO',
        `migration ${migration.version} '${migration.name}' failed on ${path}: ${detail}`,
        { cause: error },
      );
    }
  }
  return currentSchemaVersion(db);
}

/** The highest applied migration version; 0 for a fresh database. */
export function currentSchemaVersion(db: Database.Database): number {
  const row = db.prepare('SELECT max(version) AS version FROM schema_migrations').get() as
    { version: number | null } | undefined;
  return row?.version ?? 0;
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new ValidationError(
        `migration '${migration.name}' has version ${migration.version}; expected ${index + 1} ` +
          '(versions must run 1, 2, 3, … without gaps)',
      );
    }
  });
}
