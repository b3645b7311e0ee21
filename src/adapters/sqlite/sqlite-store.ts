/** One call that opens the database and builds both repositories over it. */
import {
  openSqliteDatabase,
  type OpenSqliteOptions,
  type SqliteDatabase,
} from './sqlite-database.ts';
import { SqliteImageRepository } from './sqlite-image-repository.ts';
import { SqliteSiteRepository } from './sqlite-site-repository.ts';

export interface SqliteStore {
  readonly db: SqliteDatabase;
  readonly sites: SqliteSiteRepository;
  readonly images: SqliteImageRepository;
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * Opens the database at `path` (see {@link openSqliteDatabase}) with its repositories.
 * @throws UnsupportedError, SitewatchError as openSqliteDatabase does.
 */
export function openSqliteStore(path: string, options: OpenSqliteOptions = {}): SqliteStore {
  const db = openSqliteDatabase(path, options);
  const siteOptions = options.nowIso === undefined ? {} : { nowIso: options.nowIso };
  return {
    db,
    sites: new SqliteSiteRepository(db, siteOptions),
    images: new SqliteImageRepository(db),
    close(): Promise<void> {
      db.close();
      return Promise.resolve();
    },
  };
}
