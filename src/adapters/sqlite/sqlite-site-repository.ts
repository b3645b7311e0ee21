/**
 * The site catalog in SQLite: one JSON document per site, plus the image↔site index rows
 * that `upsertMany` rewrites in the same transaction.
 */
import type { Site } from '../../core/catalog/site.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { SiteRepository } from '../../app/ports.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { isSqliteConstraint } from './sqlite-errors.ts';
import { settle } from './settle.ts';
import {
  SITE_DOCUMENT_VERSION,
  assertUpsertInput,
  siteDocument,
  siteFromRow as toSite,
  type SiteRow,
} from '../sql-rows/site-rows.ts';

export { SITE_DOCUMENT_VERSION };

export interface SqliteSiteRepositoryOptions {
  /** ISO 8601 UTC clock for `updated_at`. */
  readonly nowIso?: () => string;
}

/** {@link SiteRepository} over an open {@link SqliteDatabase}. */
export class SqliteSiteRepository implements SiteRepository {
  readonly #db: SqliteDatabase;
  readonly #nowIso: () => string;

  constructor(db: SqliteDatabase, options: SqliteSiteRepositoryOptions = {}) {
    this.#db = db;
    this.#nowIso = options.nowIso ?? (() => new Date().toISOString());
  }

  /** All sites, ordered by id. */
  list(): Promise<Site[]> {
    return settle(() => {
      const rows = this.#db.prepare('SELECT id, doc FROM sites ORDER BY id').all() as SiteRow[];
      return rows.map(toSite);
    });
  }

  get(id: string): Promise<Site | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT id, doc FROM sites WHERE id = ?').get(id) as
        SiteRow | undefined;
      return row === undefined ? undefined : toSite(row);
    });
  }

  /**
   * Inserts or replaces `sites` and rewrites their index rows from `imageSites`, all in one
   * transaction. A site absent from `imageSites` ends with no index rows.
   * @throws ValidationError when a site id repeats, or `imageSites` names a site not in `sites`.
   * @throws NotFoundError when `imageSites` names an image that is not stored.
   */
  upsertMany(
    sites: readonly Site[],
    imageSites: ReadonlyMap<string, readonly string[]>,
  ): Promise<void> {
    return settle(() => {
      assertUpsertInput(sites, imageSites);
      const updatedAt = this.#nowIso();
      this.#db.transaction(() => {
        for (const site of sites) this.#writeSite(site, updatedAt, imageSites.get(site.id) ?? []);
      });
    });
  }

  /**
   * Removes a site and its index rows in one transaction.
   * @throws NotFoundError naming the id when no such site is stored.
   */
  remove(id: string): Promise<void> {
    return settle(() => {
      this.#db.transaction(() => {
        const { changes } = this.#db.prepare('DELETE FROM sites WHERE id = ?').run(id);
        if (changes === 0) throw new NotFoundError(`no site with id '${id}'`);
        this.#db.prepare('DELETE FROM image_sites WHERE site_id = ?').run(id);
      });
    });
  }

  #writeSite(site: Site, updatedAt: string, imageIds: readonly string[]): void {
    const doc = siteDocument(site);
    this.#db
      .prepare(
        `INSERT INTO sites (id, doc, schema_version, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc,
           schema_version = excluded.schema_version, updated_at = excluded.updated_at`,
      )
      .run(site.id, doc, SITE_DOCUMENT_VERSION, updatedAt);
    this.#db.prepare('DELETE FROM image_sites WHERE site_id = ?').run(site.id);
    const insertIndexRow = this.#db.prepare(
      'INSERT OR IGNORE INTO image_sites (image_id, site_id) VALUES (?, ?)',
    );
    for (const imageId of imageIds) {
      try {
        insertIndexRow.run(imageId, site.id);
      } catch (error) {
        if (!isSqliteConstraint(error, 'FOREIGNKEY')) throw error;
        throw new NotFoundError(
          `image '${imageId}' listed for site '${site.id}' is not stored; index only stored images`,
          { cause: error },
        );
      }
    }
  }
}
