/**
 * The site catalog in PostgreSQL + PostGIS: one document per site with its polygon as a
 * geometry (GiST-indexed), and the image↔site index rows that `upsertMany` rewrites in the
 * same transaction. `sitesTouching` answers "which sites does this footprint touch" in SQL.
 */
import type { Site } from '../../core/catalog/site.ts';
import type { PolygonalGeometry } from '../../core/geo/types.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { SiteRepository } from '../../app/ports.ts';
import type { PgClient, PostgresDatabase } from './pg-database.ts';
import {
  SITE_DOCUMENT_VERSION,
  assertUpsertInput,
  siteDocument,
  siteFromRow as toSite,
  type SiteRow,
} from '../sql-rows/site-rows.ts';

export { SITE_DOCUMENT_VERSION };

export interface PgSiteRepositoryOptions {
  /** ISO 8601 UTC clock for `updated_at`. */
  readonly nowIso?: () => string;
}

/** lon/lat GeoJSON → geometry(…, 4326); `$n` is the GeoJSON text. */
export const geometryFromGeoJson = (param: string): string =>
  `ST_SetSRID(ST_GeomFromGeoJSON(${param}), 4326)`;

/** {@link SiteRepository} over an open {@link PostgresDatabase}. */
export class PgSiteRepository implements SiteRepository {
  readonly #db: PostgresDatabase;
  readonly #nowIso: () => string;

  constructor(db: PostgresDatabase, options: PgSiteRepositoryOptions = {}) {
    this.#db = db;
    this.#nowIso = options.nowIso ?? (() => new Date().toISOString());
  }

  /** All sites, ordered by id. */
  async list(): Promise<Site[]> {
    const result = await this.#db.query<SiteRow>('SELECT id, doc FROM sites ORDER BY id');
    return result.rows.map(toSite);
  }

  async get(id: string): Promise<Site | undefined> {
    const result = await this.#db.query<SiteRow>('SELECT id, doc FROM sites WHERE id = $1', [id]);
    const row = result.rows[0];
    return row === undefined ? undefined : toSite(row);
  }

  /**
   * Inserts or replaces `sites` and rewrites their index rows from `imageSites`, all in one
   * transaction. A site absent from `imageSites` ends with no index rows.
   * @throws ValidationError when a site id repeats, or `imageSites` names a site not in `sites`.
   * @throws NotFoundError when `imageSites` names an image that is not stored.
   */
  async upsertMany(
    sites: readonly Site[],
    imageSites: ReadonlyMap<string, readonly string[]>,
  ): Promise<void> {
    assertUpsertInput(sites, imageSites);
    const updatedAt = this.#nowIso();
    await this.#db.withTransaction(async (client) => {
      for (const site of sites) {
        await writeSite(client, site, updatedAt, imageSites.get(site.id) ?? []);
      }
    });
  }

  /**
   * Removes a site and its index rows in one transaction.
   * @throws NotFoundError naming the id when no such site is stored.
   */
  async remove(id: string): Promise<void> {
    await this.#db.withTransaction(async (client) => {
      const { rowCount } = await client.query('DELETE FROM sites WHERE id = $1', [id]);
      if (rowCount === 0) throw new NotFoundError(`no site with id '${id}'`);
      await client.query('DELETE FROM image_sites WHERE site_id = $1', [id]);
    });
  }

  /**
   * Ids of the sites whose polygon intersects `footprint` (lon/lat), ordered by id; answered
   * by the GiST index on the site geometry, then exactly by ST_Intersects.
   */
  async sitesTouching(footprint: PolygonalGeometry): Promise<string[]> {
    const result = await this.#db.query<{ id: string }>(
      `SELECT s.id FROM sites AS s, (SELECT ${geometryFromGeoJson('$1')} AS g) AS q
       WHERE s.geom && q.g AND ST_Intersects(s.geom, q.g) ORDER BY s.id`,
      [JSON.stringify(footprint)],
    );
    return result.rows.map((row) => row.id);
  }
}

async function writeSite(
  client: PgClient,
  site: Site,
  updatedAt: string,
  imageIds: readonly string[],
): Promise<void> {
  const doc = siteDocument(site);
  await client.query(
    `INSERT INTO sites (id, doc, schema_version, geom, updated_at)
     VALUES ($1, $2, $3, ${geometryFromGeoJson('$4')}, $5)
     ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, schema_version = excluded.schema_version,
       geom = excluded.geom, updated_at = excluded.updated_at`,
    [site.id, doc, SITE_DOCUMENT_VERSION, JSON.stringify(site.geometry), updatedAt],
  );
  await client.query('DELETE FROM image_sites WHERE site_id = $1', [site.id]);
  if (imageIds.length === 0) return;
  const missing = await client.query<{ id: string }>(
    `SELECT u.id FROM unnest($1::text[]) WITH ORDINALITY AS u(id, n)
     WHERE NOT EXISTS (SELECT 1 FROM images AS i WHERE i.id = u.id) ORDER BY u.n LIMIT 1`,
    [imageIds],
  );
  const first = missing.rows[0];
  if (first !== undefined) {
    throw new NotFoundError(
      `image '${first.id}' listed for site '${site.id}' is not stored; index only stored images`,
    );
  }
  await client.query(
    `INSERT INTO image_sites (image_id, site_id) SELECT DISTINCT u.id, $2::text
     FROM unnest($1::text[]) AS u(id) ON CONFLICT DO NOTHING`,
    [imageIds, site.id],
  );
}
