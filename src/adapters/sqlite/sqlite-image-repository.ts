/**
 * Ingested images in SQLite: the record as a JSON document, indexed columns (time, bbox in
 * an R*Tree), one row per file and the image↔site index, written in one transaction.
 */
import type { Bbox } from '../../core/geo/types.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import type { ImageFootprint, ImageListFilter, ImageRepository } from '../../app/ports.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import {
  assertQueryBbox,
  footprintFromRow as toFootprint,
  fromImageRow,
  toImageRow,
  type FootprintRow,
  type ImageRow,
} from './image-rows.ts';
import { normaliseSince, normaliseUntil } from './iso-time-bounds.ts';
import { isSqliteConstraint } from './sqlite-errors.ts';
import { settle } from './settle.ts';

/** Selects what {@link fromImageRow} needs from `images AS i`; sites sorted by id. */
const RECORD_COLUMNS = `i.id AS id, i.doc AS doc,
  (SELECT json_group_array(s.site_id ORDER BY s.site_id) FROM image_sites AS s
    WHERE s.image_id = i.id) AS sites`;

interface RecordRow {
  id: string;
  doc: string;
  sites: string;
}

/** {@link ImageRepository} over an open {@link SqliteDatabase}. */
export class SqliteImageRepository implements ImageRepository {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  get(id: string): Promise<ImageRecord | undefined> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM images AS i WHERE i.id = ?`, id);
  }

  findBySha256(sha256: string): Promise<ImageRecord | undefined> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM images AS i WHERE i.sha256 = ?`, sha256);
  }

  /** Newest ingest first (by ingestedAt, then insertion order). */
  findByOriginalPath(path: string): Promise<ImageRecord | undefined> {
    return this.#one(
      `SELECT ${RECORD_COLUMNS} FROM image_files AS f CROSS JOIN images AS i ON i.id = f.image_id
       WHERE f.original_path = ? ORDER BY i.ingested_at DESC, i.row_id DESC LIMIT 1`,
      path,
    );
  }

  /**
   * Images ordered by acquiredAt, then id. A date-only `since` means the start of that day
   * UTC, a date-only `until` its end; both bounds are inclusive.
   * @throws ValidationError when `since` or `until` is not an ISO 8601 date or date-time.
   */
  list(filter: ImageListFilter = {}): Promise<ImageRecord[]> {
    return settle(() => {
      const { sql, params } = imageListQuery(filter);
      const rows = this.#db.prepare(sql).all(...params) as RecordRow[];
      return rows.map((row) => fromImageRow(row.id, row.doc, row.sites));
    });
  }

  /**
   * Footprints whose bbox intersects `bbox` (edges touching count), ordered by acquiredAt
   * then id. Pixel-only images have no footprint and never match.
   * @throws ValidationError unless `bbox` is finite with min <= max.
   */
  footprintsIntersecting(bbox: Bbox): Promise<ImageFootprint[]> {
    return settle(() => {
      assertQueryBbox(bbox);
      const [minLon, minLat, maxLon, maxLat] = bbox;
      const box = [maxLon, minLon, maxLat, minLat];
      const rows = this.#db
        .prepare(
          `SELECT i.id, i.min_lon, i.min_lat, i.max_lon, i.max_lat,
             json_extract(i.doc, '$.footprint') AS footprint
           FROM images_rtree AS r CROSS JOIN images AS i ON i.row_id = r.row_id
           WHERE r.min_lon <= ? AND r.max_lon >= ? AND r.min_lat <= ? AND r.max_lat >= ?
             AND i.min_lon <= ? AND i.max_lon >= ? AND i.min_lat <= ? AND i.max_lat >= ?
           ORDER BY i.acquired_at, i.id`,
        )
        .all(...box, ...box) as FootprintRow[];
      return rows.map(toFootprint);
    });
  }

  /**
   * Inserts the record, its file rows, its bbox and its image↔site rows in one transaction.
   * @throws ConflictError naming the sha256 and the stored id when that content is stored.
   * @throws ValidationError for a malformed record (see toImageRow) or a site listed twice;
   *   nothing is written then.
   */
  insert(record: ImageRecord): Promise<void> {
    return settle(() => {
      const row = toImageRow(record);
      this.#db.transaction(() => {
        this.#insertImage(row);
        this.#insertFiles(record);
        this.#insertSites(record);
      });
    });
  }

  count(): Promise<number> {
    return settle(() => {
      const row = this.#db.prepare('SELECT count(*) AS n FROM images').get() as { n: number };
      return row.n;
    });
  }

  #one(sql: string, value: string): Promise<ImageRecord | undefined> {
    return settle(() => {
      const row = this.#db.prepare(sql).get(value) as RecordRow | undefined;
      return row === undefined ? undefined : fromImageRow(row.id, row.doc, row.sites);
    });
  }

  #insertImage(row: ImageRow): void {
    const existing = this.#db.prepare('SELECT id FROM images WHERE sha256 = ?').get(row.sha256) as
      { id: string } | undefined;
    if (existing !== undefined) {
      throw new ConflictError(
        `an image with sha256 ${row.sha256} is already stored as '${existing.id}'`,
      );
    }
    const [minLon, minLat, maxLon, maxLat] = row.bbox ?? [null, null, null, null];
    let rowId: number | bigint;
    try {
      rowId = this.#db
        .prepare(
          `INSERT INTO images (id, sha256, acquired_at, min_lon, min_lat, max_lon, max_lat,
             doc, schema_version, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.id,
          row.sha256,
          row.acquiredAt,
          minLon,
          minLat,
          maxLon,
          maxLat,
          row.doc,
          row.schemaVersion,
          row.ingestedAt,
        ).lastInsertRowid;
    } catch (error) {
      if (!isSqliteConstraint(error, 'UNIQUE')) throw error;
      throw new ConflictError(`an image with id '${row.id}' is already stored`, { cause: error });
    }
    if (row.bbox !== null) {
      this.#db
        .prepare(
          'INSERT INTO images_rtree (row_id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)',
        )
        .run(rowId, minLon, maxLon, minLat, maxLat);
    }
  }

  #insertFiles(record: ImageRecord): void {
    const insertFile = this.#db.prepare(
      `INSERT INTO image_files (image_id, idx, role, sha256, size_bytes, original_path,
         stored_path, linked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    record.files.forEach((file, index) => {
      insertFile.run(
        record.id,
        index,
        file.role,
        file.sha256,
        file.sizeBytes,
        file.originalPath,
        file.storedPath,
        file.linked ? 1 : 0,
      );
    });
  }

  #insertSites(record: ImageRecord): void {
    const insertSite = this.#db.prepare(
      'INSERT INTO image_sites (image_id, site_id) VALUES (?, ?)',
    );
    for (const siteId of record.sites) {
      try {
        insertSite.run(record.id, siteId);
      } catch (error) {
        if (!isSqliteConstraint(error, 'PRIMARYKEY')) throw error;
        throw new ValidationError(
          `image '${record.id}' lists site '${siteId}' more than once; expected each site once`,
          { cause: error },
        );
      }
    }
  }
}

/**
 * The SQL and parameters `list` runs for `filter` (exported for query-plan tests).
 * @throws ValidationError when `since` or `until` is not an ISO 8601 date or date-time.
 */
export function imageListQuery(filter: ImageListFilter): { sql: string; params: string[] } {
  const conditions: string[] = [];
  const params: string[] = [];
  let from = 'images AS i';
  if (filter.siteId !== undefined) {
    // CROSS JOIN fixes the join order: walk the (site_id, image_id) index, then look up images.
    from = 'image_sites AS x CROSS JOIN images AS i ON i.id = x.image_id';
    conditions.push('x.site_id = ?');
    params.push(filter.siteId);
  }
  if (filter.since !== undefined) {
    conditions.push('i.acquired_at >= ?');
    params.push(normaliseSince(filter.since));
  }
  if (filter.until !== undefined) {
    conditions.push('i.acquired_at <= ?');
    params.push(normaliseUntil(filter.until));
  }
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM ${from} ${where} ORDER BY i.acquired_at, i.id`,
    params,
  };
}
