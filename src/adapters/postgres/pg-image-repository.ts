/**
 * Ingested images in PostgreSQL + PostGIS: the record as a document, the footprint as a
 * geometry(…, 4326) with a GiST index, the exact lon/lat bbox, one row per file and the
 * image↔site index, written in one transaction.
 */
import type { Bbox } from '../../core/geo/types.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ImageFootprint, ImageListFilter, ImageRepository } from '../../app/ports.ts';
import {
  assertQueryBbox,
  footprintFromRow as toFootprint,
  fromImageRow,
  toImageRow,
  type FootprintRow,
  type ImageRow,
} from '../sqlite/image-rows.ts';
import { normaliseSince, normaliseUntil } from '../sqlite/iso-time-bounds.ts';
import type { PgClient, PostgresDatabase } from './pg-database.ts';
import { geometryFromGeoJson } from './pg-site-repository.ts';

/** Selects what {@link fromImageRow} needs from `images AS i`; sites sorted by id. */
const RECORD_COLUMNS = `i.id AS id, i.doc AS doc,
  ARRAY(SELECT s.site_id FROM image_sites AS s WHERE s.image_id = i.id ORDER BY s.site_id) AS sites`;

interface RecordRow {
  id: string;
  doc: string;
  sites: string[];
}

/** Date range of {@link PgImageRepository.imagesCoveringSite}; both bounds inclusive. */
export interface DateRange {
  /** ISO 8601 date or date-time; a date means the start of that day UTC. */
  readonly since?: string;
  /** ISO 8601 date or date-time; a date means the end of that day UTC. */
  readonly until?: string;
}

const toRecord = (row: RecordRow): ImageRecord =>
  fromImageRow(row.id, row.doc, JSON.stringify(row.sites));

/** {@link ImageRepository} over an open {@link PostgresDatabase}. */
export class PgImageRepository implements ImageRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  get(id: string): Promise<ImageRecord | undefined> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM images AS i WHERE i.id = $1`, id);
  }

  findBySha256(sha256: string): Promise<ImageRecord | undefined> {
    return this.#one(`SELECT ${RECORD_COLUMNS} FROM images AS i WHERE i.sha256 = $1`, sha256);
  }

  /** Newest ingest first (by ingestedAt, then insertion order). */
  findByOriginalPath(path: string): Promise<ImageRecord | undefined> {
    return this.#one(
      `SELECT ${RECORD_COLUMNS} FROM image_files AS f JOIN images AS i ON i.id = f.image_id
       WHERE f.original_path = $1 ORDER BY i.ingested_at DESC, i.seq DESC LIMIT 1`,
      path,
    );
  }

  /**
   * Images ordered by acquiredAt, then id. A date-only `since` means the start of that day
   * UTC, a date-only `until` its end; both bounds are inclusive.
   * @throws ValidationError when `since` or `until` is not an ISO 8601 date or date-time.
   */
  async list(filter: ImageListFilter = {}): Promise<ImageRecord[]> {
    const { sql, params } = pgImageListQuery(filter);
    const result = await this.#db.query<RecordRow>(sql, params);
    return result.rows.map(toRecord);
  }

  /**
   * Images whose footprint geometry intersects the polygon of site `siteId` within the date
   * range, ordered by acquiredAt then id: answered from the GiST index on the footprints
   * (not the image↔site index table), so images ingested before the site existed count too.
   * @throws NotFoundError naming the id when no such site is stored.
   * @throws ValidationError when a bound is not an ISO 8601 date or date-time.
   */
  async imagesCoveringSite(siteId: string, range: DateRange = {}): Promise<ImageRecord[]> {
    const { sql, params } = imagesCoveringSiteQuery(siteId, range);
    // One round trip: the LEFT JOIN yields one all-null image row for a site with no images
    // and no row at all for an unknown site.
    const result = await this.#db.query<RecordRow | { id: null }>(sql, params);
    if (result.rows.length === 0) throw new NotFoundError(`no site with id '${siteId}'`);
    return result.rows.filter((row): row is RecordRow => row.id !== null).map(toRecord);
  }

  /**
   * Footprints whose bbox intersects `bbox` (edges touching count), ordered by acquiredAt
   * then id: the GiST index (`&&`) narrows, the exact bbox columns decide. Pixel-only
   * images have no footprint and never match.
   * @throws ValidationError unless `bbox` is finite with min <= max.
   */
  async footprintsIntersecting(bbox: Bbox): Promise<ImageFootprint[]> {
    assertQueryBbox(bbox);
    const [minLon, minLat, maxLon, maxLat] = bbox;
    const result = await this.#db.query<FootprintRow>(
      `SELECT i.id, i.min_lon, i.min_lat, i.max_lon, i.max_lat,
         (i.doc::json -> 'footprint')::text AS footprint
       FROM images AS i
       WHERE i.footprint && ST_MakeEnvelope($1, $2, $3, $4, 4326)
         AND i.min_lon <= $3 AND i.max_lon >= $1 AND i.min_lat <= $4 AND i.max_lat >= $2
       ORDER BY i.acquired_at, i.id`,
      [minLon, minLat, maxLon, maxLat],
    );
    return result.rows.map(toFootprint);
  }

  /**
   * Inserts the record, its file rows, its footprint and its image↔site rows in one
   * transaction.
   * @throws ConflictError naming the sha256 and the stored id when that content is stored.
   * @throws ValidationError for a malformed record (see toImageRow) or a site listed twice;
   *   nothing is written then.
   */
  async insert(record: ImageRecord): Promise<void> {
    const row = toImageRow(record);
    assertSitesOnce(record);
    await this.#db.withTransaction(async (client) => {
      await insertImageRows(client, record, row);
    });
  }

  async count(): Promise<number> {
    const result = await this.#db.query<{ n: string }>('SELECT count(*) AS n FROM images');
    return Number(result.rows[0]?.n ?? 0);
  }

  async #one(sql: string, value: string): Promise<ImageRecord | undefined> {
    const result = await this.#db.query<RecordRow>(sql, [value]);
    const row = result.rows[0];
    return row === undefined ? undefined : toRecord(row);
  }
}

function assertSitesOnce(record: ImageRecord): void {
  const seen = new Set<string>();
  for (const siteId of record.sites) {
    if (seen.has(siteId)) {
      throw new ValidationError(
        `image '${record.id}' lists site '${siteId}' more than once; expected each site once`,
      );
    }
    seen.add(siteId);
  }
}

/** Writes one image's rows inside the caller's transaction (also used by `db copy`). */
export async function insertImageRows(
  client: PgClient,
  record: ImageRecord,
  row: ImageRow,
): Promise<void> {
  const existing = await client.query<{ id: string }>('SELECT id FROM images WHERE sha256 = $1', [
    row.sha256,
  ]);
  const stored = existing.rows[0];
  if (stored !== undefined) {
    throw new ConflictError(
      `an image with sha256 ${row.sha256} is already stored as '${stored.id}'`,
    );
  }
  const [minLon, minLat, maxLon, maxLat] = row.bbox ?? [null, null, null, null];
  const footprint = record.footprint === null ? null : JSON.stringify(record.footprint);
  await client.query(
    `INSERT INTO images (id, sha256, acquired_at, min_lon, min_lat, max_lon, max_lat, footprint,
       doc, schema_version, ingested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, ${geometryFromGeoJson('$8')}, $9, $10, $11)`,
    [
      row.id,
      row.sha256,
      row.acquiredAt,
      minLon,
      minLat,
      maxLon,
      maxLat,
      footprint,
      row.doc,
      row.schemaVersion,
      row.ingestedAt,
    ],
  );
  if (record.files.length > 0) {
    await client.query(
      `INSERT INTO image_files (image_id, idx, role, sha256, size_bytes, original_path,
         stored_path, linked)
       SELECT $1, u.idx - 1, u.role, u.sha256, u.size_bytes, u.original_path, u.stored_path, u.linked
       FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::boolean[])
         WITH ORDINALITY AS u(role, sha256, size_bytes, original_path, stored_path, linked, idx)`,
      [
        record.id,
        record.files.map((file) => file.role),
        record.files.map((file) => file.sha256),
        record.files.map((file) => file.sizeBytes),
        record.files.map((file) => file.originalPath),
        record.files.map((file) => file.storedPath),
        record.files.map((file) => file.linked),
      ],
    );
  }
  if (record.sites.length > 0) {
    await client.query(
      'INSERT INTO image_sites (image_id, site_id) SELECT $1, unnest($2::text[])',
      [record.id, record.sites],
    );
  }
}

function acquiredBounds(range: DateRange, conditions: string[], params: unknown[]): void {
  if (range.since !== undefined) {
    params.push(normaliseSince(range.since));
    conditions.push(`i.acquired_at >= $${params.length}::timestamptz`);
  }
  if (range.until !== undefined) {
    params.push(normaliseUntil(range.until));
    conditions.push(`i.acquired_at <= $${params.length}::timestamptz`);
  }
}

/**
 * The SQL and parameters `list` runs for `filter` (exported for query-plan tests).
 * @throws ValidationError when `since` or `until` is not an ISO 8601 date or date-time.
 */
export function pgImageListQuery(filter: ImageListFilter): { sql: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  let from = 'images AS i';
  if (filter.siteId !== undefined) {
    from = 'image_sites AS x JOIN images AS i ON i.id = x.image_id';
    params.push(filter.siteId);
    conditions.push(`x.site_id = $${params.length}`);
  }
  acquiredBounds(filter, conditions, params);
  const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM ${from} ${where} ORDER BY i.acquired_at, i.id`,
    params,
  };
}

/**
 * The SQL of {@link PgImageRepository.imagesCoveringSite} (exported for the bench and
 * query-plan tests): `&&` on the footprint GiST index, then ST_Intersects, then the dates.
 */
export function imagesCoveringSiteQuery(
  siteId: string,
  range: DateRange,
  columns: string = RECORD_COLUMNS,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [siteId];
  const conditions = ['i.footprint && s.geom', 'ST_Intersects(i.footprint, s.geom)'];
  acquiredBounds(range, conditions, params);
  return {
    sql: `SELECT ${columns} FROM sites AS s LEFT JOIN images AS i ON ${conditions.join(' AND ')}
          WHERE s.id = $1 ORDER BY i.acquired_at, i.id`,
    params,
  };
}
