/**
 * PostgreSQL + PostGIS migrations for the catalog (sites, images, observations): versions
 * 1–99. Geometry is lon/lat (EPSG:4326) with GiST indexes, so "which sites does this
 * footprint touch" and "which images cover this site" are answered in the database.
 * Documents are stored as text written by encodeDocument (lossless for NaN, ±Infinity, -0),
 * exactly as the SQLite adapter stores them, so `db copy` can compare content hashes.
 * Text keys use the "C" collation so that ORDER BY matches SQLite's byte order.
 * Never edit a released migration: append a new one.
 */
import type { PgMigration } from './migrations.ts';

const V1_SQL = `
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE sites (
  id text COLLATE "C" PRIMARY KEY,
  doc text NOT NULL,                       -- encodeDocument JSON of the Site plus schemaVersion
  schema_version integer NOT NULL,
  geom geometry(Geometry, 4326),           -- the site polygon; null only if it cannot be read
  updated_at text NOT NULL                 -- ISO 8601 UTC
);
CREATE INDEX sites_geom ON sites USING gist (geom);

CREATE TABLE images (
  seq bigserial UNIQUE,                    -- insertion order (newest-ingest tie-break)
  id text COLLATE "C" PRIMARY KEY,
  sha256 text NOT NULL UNIQUE,
  acquired_at timestamptz NOT NULL,
  min_lon double precision, min_lat double precision,
  max_lon double precision, max_lat double precision,  -- exact bbox; null for pixel-only imagery
  footprint geometry(Geometry, 4326),      -- null for pixel-only imagery
  doc text NOT NULL,                       -- the ImageRecord without 'sites' (see image_sites)
  schema_version integer NOT NULL,
  ingested_at timestamptz NOT NULL
);
CREATE INDEX images_by_acquired_at ON images (acquired_at, id);
CREATE INDEX images_footprint ON images USING gist (footprint);

CREATE TABLE image_files (
  image_id text COLLATE "C" NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  idx integer NOT NULL,
  role text NOT NULL,
  sha256 text NOT NULL,
  size_bytes bigint NOT NULL,
  original_path text COLLATE "C" NOT NULL,
  stored_path text NOT NULL,
  linked boolean NOT NULL,
  PRIMARY KEY (image_id, idx)
);
CREATE INDEX image_files_by_original_path ON image_files (original_path);
CREATE INDEX image_files_by_sha256 ON image_files (sha256);

-- The image<->site index, the source of truth for ImageRecord.sites (no foreign key to
-- sites: the site repository deletes a removed site's rows in the same transaction).
CREATE TABLE image_sites (
  image_id text COLLATE "C" NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  site_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (image_id, site_id)
);
CREATE INDEX image_sites_by_site ON image_sites (site_id, image_id);

CREATE TABLE observations (
  id text COLLATE "C" PRIMARY KEY,
  site_id text COLLATE "C" NOT NULL,
  zone_id text COLLATE "C" NOT NULL,                   -- '' for a site-level observation
  metric text COLLATE "C" NOT NULL,
  observed_at text COLLATE "C" NOT NULL,               -- canonical ISO 8601 UTC, compared as text (as in SQLite)
  state text NOT NULL CHECK (state IN ('observed', 'not-observable')),
  image_id text COLLATE "C",
  entered_at text NOT NULL,
  doc text NOT NULL,
  schema_version integer NOT NULL
);
CREATE INDEX observations_by_series ON observations (site_id, zone_id, metric, observed_at);
CREATE INDEX observations_by_time ON observations (observed_at, id);
CREATE INDEX observations_by_image ON observations (image_id);
`;

/** The catalog migrations, in order. */
export const CATALOG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: 'catalog', sql: V1_SQL },
];
