/**
 * GeoPackage 1.3 writer (OGC 12-128r18) on better-sqlite3: the required metadata tables
 * (gpkg_spatial_ref_sys with EPSG:4326, gpkg_contents, gpkg_geometry_columns), one feature
 * table with a MULTIPOLYGON (or, with points and lines, GEOMETRY) column, application_id 'GPKG' and user_version 10300.
 * Written to a temporary file and renamed, so a failure leaves no half file. No R-tree index
 * (optional in the standard; GDAL builds one when it needs it).
 */
import { rmSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SitewatchError } from '../../core/errors.ts';
import { layerBbox, layerFields, type ExportLayer } from '../../core/export/export-layer.ts';
import {
  GPKG_SRS_ID,
  gpkgGeometryBlob,
  layerGeometryTypeName,
} from '../../core/export/gpkg-geometry.ts';

/** 'GPKG' as a big-endian 32-bit integer. */
const GPKG_APPLICATION_ID = 0x47504b47;
const GPKG_USER_VERSION = 10300;
const GEOMETRY_COLUMN = 'geom';

const WGS84_WKT =
  'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]';

const METADATA_SQL = `
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
`;

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Writes `layer` as a one-table GeoPackage at `path` (replacing any file there).
 * @throws SitewatchError('IO') naming the path when it cannot be written
 */
export function writeGeoPackage(path: string, layer: ExportLayer): void {
  const temporary = `${path}.tmp-${process.pid}`;
  rmSync(temporary, { force: true });
  try {
    const db = new Database(temporary);
    try {
      fillGeoPackage(db, layer);
    } finally {
      db.close();
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new SitewatchError('IO', `cannot write GeoPackage ${path}: ${String(error)}`, {
      cause: error,
    });
  }
}

function fillGeoPackage(db: Database.Database, layer: ExportLayer): void {
  db.pragma(`application_id = ${GPKG_APPLICATION_ID}`);
  db.pragma(`user_version = ${GPKG_USER_VERSION}`);
  const fields = layerFields(layer);
  const table = quoteIdentifier(layer.name);
  const columns = fields.map((f) => `${quoteIdentifier(f.name)} ${f.type}`);
  const extent = layerBbox(layer) ?? [null, null, null, null];
  const geometryType = layerGeometryTypeName(layer);
  db.transaction(() => {
    db.exec(METADATA_SQL);
    db.prepare('INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)').run(
      'WGS 84 geodetic',
      GPKG_SRS_ID,
      'EPSG',
      4326,
      WGS84_WKT,
      'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid',
    );
    db.exec(
      `CREATE TABLE ${table} (fid INTEGER PRIMARY KEY AUTOINCREMENT, ${quoteIdentifier(GEOMETRY_COLUMN)} ${geometryType}${columns.map((c) => `, ${c}`).join('')})`,
    );
    db.prepare(
      `INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, '', ?, ?, ?, ?, ?)`,
    ).run(layer.name, layer.name, ...extent, GPKG_SRS_ID);
    db.prepare(`INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)`).run(
      layer.name,
      GEOMETRY_COLUMN,
      geometryType,
      GPKG_SRS_ID,
    );
    const insert = db.prepare(
      `INSERT INTO ${table} (${[GEOMETRY_COLUMN, ...fields.map((f) => f.name)].map(quoteIdentifier).join(', ')}) VALUES (${['?', ...fields.map(() => '?')].join(', ')})`,
    );
    for (const feature of layer.features) {
      const blob =
        feature.geometry === null ? null : Buffer.from(gpkgGeometryBlob(feature.geometry));
      const values = fields.map((f) => {
        const value = feature.properties[f.name] ?? null;
        return typeof value === 'boolean' ? (value ? 1 : 0) : value;
      });
      insert.run(blob, ...values);
    }
  })();
}
