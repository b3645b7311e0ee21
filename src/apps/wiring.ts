/**
 * Composition root for the embedded default: SQLite + local blob store + file rasters.
 * Entry points (CLI now, server and worker later) call `openSitewatch` and nothing deeper.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogService } from '../app/catalog-service.ts';
import type { CompareDeps } from '../app/compare-images.ts';
import type { IngestDeps } from '../app/ingest-images.ts';
import type {
  ComparisonRepository,
  CrsRegistry,
  ImageRepository,
  SiteRepository,
} from '../app/ports.ts';
import { LocalBlobStore } from '../adapters/blob-local/local-blob-store.ts';
import { EpsgCrsRegistry } from '../adapters/crs/epsg-crs-registry.ts';
import { FsSidecarReader } from '../adapters/fs/fs-sidecar-reader.ts';
import { FileRasterOpener } from '../adapters/raster-opener.ts';
import { openSqliteDatabase } from '../adapters/sqlite/sqlite-database.ts';
import { SqliteComparisonRepository } from '../adapters/sqlite/sqlite-comparison-repository.ts';
import { SqliteImageRepository } from '../adapters/sqlite/sqlite-image-repository.ts';
import { SqliteSiteRepository } from '../adapters/sqlite/sqlite-site-repository.ts';
import { sha256Hex } from '../adapters/system/node-sha256.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { SitewatchConfig } from './config.ts';
import { LocalOutputFiles } from './output-files.ts';
import { SOFTWARE_VERSION } from './version.ts';

export interface Sitewatch {
  readonly config: SitewatchConfig;
  readonly catalog: CatalogService;
  readonly images: ImageRepository;
  readonly sites: SiteRepository;
  readonly crs: CrsRegistry;
  readonly comparisons: ComparisonRepository;
  readonly ingestDeps: IngestDeps;
  readonly compareDeps: CompareDeps;
  close(): Promise<void>;
}

/** Opens (creating if needed) the data home named by `config.home`. */
export async function openSitewatch(config: SitewatchConfig): Promise<Sitewatch> {
  mkdirSync(config.home, { recursive: true });
  const db = openSqliteDatabase(join(config.home, 'sitewatch.db'));
  const sites = new SqliteSiteRepository(db);
  const images = new SqliteImageRepository(db);
  const blobs = new LocalBlobStore(join(config.home, 'blobs'));
  await blobs.sweepTemp();
  const crs = new EpsgCrsRegistry();
  const ingestDeps: IngestDeps = {
    images,
    sites,
    blobs,
    opener: new FileRasterOpener(crs),
    crs,
    sidecars: new FsSidecarReader(),
    clock: new SystemClock(),
    limits: { maxPixels: config.maxPixels },
    sha256Hex,
  };
  const comparisons = new SqliteComparisonRepository(db);
  const compareDeps: CompareDeps = {
    images,
    sites,
    comparisons,
    opener: ingestDeps.opener,
    crs,
    limits: ingestDeps.limits,
    clock: ingestDeps.clock,
    files: new LocalOutputFiles(),
    sha256Hex,
    softwareVersion: SOFTWARE_VERSION,
  };
  return {
    config,
    catalog: new CatalogService({ sites, images }),
    images,
    sites,
    crs,
    comparisons,
    ingestDeps,
    compareDeps,
    close: () => {
      db.close();
      return Promise.resolve();
    },
  };
}
