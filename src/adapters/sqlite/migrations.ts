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

const V3_SQL = `
CREATE TABLE detection_runs (
  id TEXT PRIMARY KEY,
  image_id TEXT NOT NULL,          -- no foreign key, as for comparisons
  model_id TEXT NOT NULL,
  model_version TEXT NOT NULL,
  created_at TEXT NOT NULL,        -- ISO 8601 UTC
  detection_count INTEGER NOT NULL,
  doc TEXT NOT NULL,               -- JSON of the DetectionRun (with schemaVersion)
  schema_version INTEGER NOT NULL
) STRICT;
CREATE INDEX detection_runs_by_image ON detection_runs (image_id, created_at);

CREATE TABLE detections (
  run_id TEXT NOT NULL REFERENCES detection_runs (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,            -- position in the run, by descending score
  class TEXT NOT NULL,
  score REAL NOT NULL,
  min_lon REAL, min_lat REAL, max_lon REAL, max_lat REAL,  -- null for pixel-only imagery
  doc TEXT NOT NULL,               -- JSON of the StoredDetection
  PRIMARY KEY (run_id, idx)
) STRICT, WITHOUT ROWID;
CREATE INDEX detections_by_class ON detections (class, run_id);
`;

const V4_SQL = `
CREATE TABLE observations (
  id TEXT PRIMARY KEY,             -- obs_ + 16 hex of the sha256 of its identity
  site_id TEXT NOT NULL,           -- no foreign key: observations outlive catalog edits
  zone_id TEXT NOT NULL,           -- '' for a site-level observation
  metric TEXT NOT NULL,
  observed_at TEXT NOT NULL,       -- canonical ISO 8601 UTC, compared as text
  state TEXT NOT NULL CHECK (state IN ('observed', 'not-observable')),
  image_id TEXT,
  entered_at TEXT NOT NULL,
  doc TEXT NOT NULL,               -- JSON of the Observation (with schemaVersion)
  schema_version INTEGER NOT NULL
) STRICT;
CREATE INDEX observations_by_series ON observations (site_id, zone_id, metric, observed_at);
CREATE INDEX observations_by_time ON observations (observed_at, id);
CREATE INDEX observations_by_image ON observations (image_id);
`;

const V5_SQL = `
CREATE TABLE alert_rules (
  id TEXT PRIMARY KEY,
  doc TEXT NOT NULL,               -- JSON of the AlertRule
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,             -- alt_ + 16 hex of sha256(dedup_key); also the idempotency key
  rule_id TEXT NOT NULL,
  dedup_key TEXT NOT NULL UNIQUE,  -- the same fact never alerts twice
  cooldown_key TEXT NOT NULL,
  fact_at TEXT NOT NULL,           -- ISO 8601 UTC of the fact (cooldowns use fact time)
  decided_at TEXT NOT NULL,
  doc TEXT NOT NULL                -- JSON of the Alert
) STRICT;
CREATE INDEX alerts_by_cooldown ON alerts (cooldown_key, fact_at);
CREATE INDEX alerts_by_decided ON alerts (decided_at, id);

-- Written in the same transaction as the alert (and the fact behind it): one row per channel.
CREATE TABLE alert_outbox (
  id INTEGER PRIMARY KEY,
  alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  channel_index INTEGER NOT NULL,
  channel TEXT NOT NULL,           -- JSON of the AlertChannel at decision time
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  claimed_until TEXT,              -- a deliverer's lease; expired leases are claimable again
  delivered_at TEXT,
  last_error TEXT,
  UNIQUE (alert_id, channel_index)
) STRICT;
CREATE INDEX alert_outbox_due ON alert_outbox (state, next_attempt_at);
`;

// Reviews and the audit log are append-only: triggers refuse UPDATE and DELETE.
const V6_SQL = `
CREATE TABLE reviews (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the review id is rev_<seq>; later supersedes earlier
  target_kind TEXT NOT NULL CHECK (target_kind IN ('detection', 'observation', 'indicator')),
  target_id TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('confirm', 'reject')),
  reading TEXT CHECK (reading IN ('present', 'absent')),
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  author TEXT NOT NULL,
  at TEXT NOT NULL                 -- ISO 8601 UTC
) STRICT;
CREATE INDEX reviews_by_target ON reviews (target_kind, target_id, seq);
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews BEGIN
  SELECT RAISE(ABORT, 'reviews are append-only: enter a new review instead');
END;
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews BEGIN
  SELECT RAISE(ABORT, 'reviews are append-only: enter a new review instead');
END;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,                -- ISO 8601 UTC
  actor TEXT NOT NULL,
  action TEXT NOT NULL,            -- review.confirm, review.reject, observation.add, …
  target_kind TEXT,
  target_id TEXT,
  reason TEXT,
  details TEXT NOT NULL DEFAULT '{}'  -- JSON
) STRICT;
CREATE INDEX audit_log_by_at ON audit_log (at, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'the audit log is append-only');
END;
`;

// Assessment snapshots (the probability of a playbook's hypothesis as of a time, for the
// probability alert rules) and the playbooks re-assessed after new observations.
const V7_SQL = `
CREATE TABLE assessment_snapshots (
  id INTEGER PRIMARY KEY,
  playbook_id TEXT NOT NULL,       -- the playbook's hypothesis slug
  hypothesis TEXT NOT NULL,
  as_of TEXT NOT NULL,             -- canonical ISO 8601 UTC, compared as text
  probability REAL NOT NULL,
  prior REAL NOT NULL,
  playbook_sha256 TEXT NOT NULL,   -- of the playbook's canonical JSON
  recorded_at TEXT NOT NULL,
  UNIQUE (playbook_id, hypothesis, playbook_sha256, as_of)
) STRICT;
CREATE INDEX assessment_snapshots_by_time ON assessment_snapshots (playbook_id, hypothesis, as_of);

CREATE TABLE watched_playbooks (
  playbook_id TEXT PRIMARY KEY,
  label TEXT NOT NULL,             -- the file it was registered from
  doc TEXT NOT NULL,               -- JSON of the playbook as parsed from that file
  playbook_sha256 TEXT NOT NULL,
  site_ids TEXT NOT NULL,          -- JSON array of the site ids its indicators are bound to
  added_at TEXT NOT NULL
) STRICT;
`;

// Local accounts; API tokens and sessions are stored as the sha256 of the secret only.
const V8_SQL = `
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
  password_hash TEXT NOT NULL,     -- scrypt$N$r$p$salt$key
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE api_tokens (
  token_sha256 TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,         -- public short id (hash prefix)
  user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX api_tokens_by_user ON api_tokens (user_name, created_at);

CREATE TABLE sessions (
  session_sha256 TEXT PRIMARY KEY,
  user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE login_attempts (
  id INTEGER PRIMARY KEY,
  user_name TEXT NOT NULL,         -- as typed; need not exist
  address TEXT NOT NULL,
  at TEXT NOT NULL,
  succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
) STRICT;
CREATE INDEX login_attempts_by_key ON login_attempts (user_name, address, at);
`;

const V9_SQL = `
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY,         -- submission order; the list cursor
  id TEXT NOT NULL UNIQUE,         -- job_ + 16 hex
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  payload TEXT NOT NULL,           -- JSON, validated for its kind
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_after TEXT NOT NULL,         -- ISO 8601 UTC; not claimed before (retry backoff)
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  worker_id TEXT,
  lease_until TEXT,                -- a runner's claim; an expired one means the runner died
  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  progress TEXT,                   -- JSON { stage, done, total }
  result TEXT,                     -- JSON
  error TEXT,
  schema_version INTEGER NOT NULL
) STRICT;
CREATE INDEX jobs_due ON jobs (state, run_after, seq);
CREATE INDEX jobs_by_kind ON jobs (kind, state, seq);
`;

// Analysts' annotations (lon/lat GeoJSON drawings on an image); deletes are soft.
const V10_SQL = `
CREATE TABLE annotations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- the id is ann_<seq>
  image_id TEXT NOT NULL,
  site_id TEXT,
  geometry TEXT NOT NULL,          -- GeoJSON geometry, lon/lat
  properties TEXT NOT NULL,        -- JSON { kind, text?, color?, length_m?, area_m2? }
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))
) STRICT;
CREATE INDEX annotations_by_image ON annotations (image_id, deleted, seq);
CREATE INDEX annotations_by_site ON annotations (site_id, deleted, seq);
`;

/** The production migrations, in order. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: V1_SQL },
  { version: 2, name: 'comparisons', sql: V2_SQL },
  { version: 3, name: 'detections', sql: V3_SQL },
  { version: 4, name: 'observations', sql: V4_SQL },
  { version: 5, name: 'alerts', sql: V5_SQL },
  { version: 6, name: 'reviews-and-audit-log', sql: V6_SQL },
  { version: 7, name: 'assessment-history', sql: V7_SQL },
  { version: 8, name: 'accounts-and-tokens', sql: V8_SQL },
  { version: 9, name: 'jobs', sql: V9_SQL },
  { version: 10, name: 'annotations', sql: V10_SQL },
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
