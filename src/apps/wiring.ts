/**
 * Composition root for the embedded default: SQLite + local blob store + file rasters.
 * Entry points (CLI now, server and worker later) call `openSitewatch` and nothing deeper.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatalogService } from '../app/catalog-service.ts';
import type { CompareDeps } from '../app/compare-images.ts';
import type { DetectDeps } from '../app/detect-image.ts';
import type { AddModelDeps } from '../app/detect/add-model.ts';
import type { IngestDeps } from '../app/ingest-images.ts';
import type { ObserveDeps } from '../app/activity/observe.ts';
import type { ReviewDeps } from '../app/review/review-evidence.ts';
import type { DeliverAlertsDeps } from '../app/alerts/deliver-alerts.ts';
import type { RecordAssessmentDeps } from '../app/alerts/record-assessment.ts';
import { MetricRegistry } from '../core/activity/metrics.ts';
import type {
  ComparisonRepository,
  CrsRegistry,
  DetectionRepository,
  ImageRepository,
  ModelRegistry,
  SiteRepository,
} from '../app/ports.ts';
import { ChannelAlertSender } from '../adapters/alert-delivery/channel-sender.ts';
import { SmtpSender } from '../adapters/alert-delivery/smtp-sender.ts';
import { WebhookSender } from '../adapters/alert-delivery/webhook-sender.ts';
import { LocalBlobStore } from '../adapters/blob-local/local-blob-store.ts';
import { parseS3BlobUrl, S3BlobStore } from '../adapters/blob-http/s3-blob-store.ts';
import { ValidationError } from '../core/errors.ts';
import { EpsgCrsRegistry } from '../adapters/crs/epsg-crs-registry.ts';
import { FsSidecarReader } from '../adapters/fs/fs-sidecar-reader.ts';
import { FsModelRegistry } from '../adapters/model-registry/fs-model-registry.ts';
import { OnnxDetectorFactory } from '../adapters/onnx/onnx-detector.ts';
import { FileRasterOpener } from '../adapters/raster-opener.ts';
import type { AnnotationDeps } from '../app/annotations/annotations.ts';
import { ScryptPasswordHasher } from '../adapters/crypto/scrypt-password-hasher.ts';
import { NodeSecretSource } from '../adapters/crypto/node-secret-source.ts';
import type { AccountDeps } from '../app/accounts/accounts.ts';
import { sha256Hex } from '../adapters/system/node-sha256.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import { BullmqJobStore } from '../adapters/bullmq/bullmq-job-store.ts';
import type { JobStore } from '../app/jobs/job-queue.ts';
import { createJobHandlers } from '../app/jobs/job-handlers.ts';
import { JobRunner, type JobRunnerOptions } from '../app/jobs/job-runner.ts';
import { LocalScratchSpace } from '../adapters/workers/local-scratch-space.ts';
import { WorkerStripWorkspaces } from '../adapters/workers/worker-strip-workspaces.ts';
import { SharpTileEncoder } from '../adapters/image-encode/sharp-tile-encoder.ts';
import { LruTileCache } from '../app/tiles/lru-tile-cache.ts';
import { CogOverviewCache } from '../adapters/overview-cache/cog-overview-cache.ts';
import { TileRenderer } from '../app/tiles/render-tile.ts';
import type { TileServiceDeps } from '../app/tiles/serve-tile.ts';
import type { SitewatchConfig } from './config.ts';
import { LocalOutputFiles } from './output-files.ts';
import { SOFTWARE_VERSION } from './version.ts';
import { openStoreRepositories } from './store-repositories.ts';

export interface Sitewatch {
  readonly config: SitewatchConfig;
  readonly catalog: CatalogService;
  readonly images: ImageRepository;
  readonly sites: SiteRepository;
  readonly crs: CrsRegistry;
  readonly comparisons: ComparisonRepository;
  readonly ingestDeps: IngestDeps;
  readonly compareDeps: CompareDeps;
  readonly detections: DetectionRepository;
  readonly models: ModelRegistry;
  readonly detectDeps: DetectDeps;
  readonly addModelDeps: AddModelDeps;
  /** Observations, series and assessments (observe, series, assess). */
  readonly observeDeps: ObserveDeps;
  /** Analysts' reviews of evidence and the audit log (review, audit, assess). */
  readonly reviewDeps: ReviewDeps;
  /** Recorded assessments (snapshots with their alerts) and watched playbooks. */
  readonly assessmentDeps: RecordAssessmentDeps;
  /** Alert rules, alerts and the outbox, with the channels that deliver them. */
  readonly alertDeps: DeliverAlertsDeps;
  /** Local accounts, API tokens and sessions (users, tokens, serve). */
  readonly accountDeps: AccountDeps;
  /** The job queue (compare, detect, assess as jobs); runners come from `createJobRunner`. */
  readonly jobs: JobStore;
  /** Analysts' annotations on images (serve). */
  readonly annotationDeps: AnnotationDeps;
  close(): Promise<void>;
}

/** The models shipped with sitewatch (the repository's models/ folder). */
const BUILT_IN_MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/** The S3-compatible blob store when `config.blobUrl` is set (with both credentials). */
function openS3BlobStore(config: SitewatchConfig): S3BlobStore | undefined {
  if (config.blobUrl === undefined) return undefined;
  if (config.s3AccessKeyId === undefined || config.s3SecretAccessKey === undefined) {
    throw new ValidationError(
      'SITEWATCH_BLOB_URL is set: SITEWATCH_S3_ACCESS_KEY_ID and SITEWATCH_S3_SECRET_ACCESS_KEY are needed too',
    );
  }
  return new S3BlobStore(parseS3BlobUrl(config.blobUrl), {
    accessKeyId: config.s3AccessKeyId,
    secretAccessKey: config.s3SecretAccessKey,
  });
}

/**
 * Opens (creating if needed) the data home named by `config.home`; the repositories live in
 * its SQLite database, or in PostgreSQL + PostGIS when `config.databaseUrl` is set.
 */
export async function openSitewatch(config: SitewatchConfig): Promise<Sitewatch> {
  mkdirSync(config.home, { recursive: true });
  const store = await openStoreRepositories(config);
  const { sites, images } = store;
  const s3 = openS3BlobStore(config);
  const localBlobs = new LocalBlobStore(join(config.home, 'blobs'));
  if (s3 === undefined) await localBlobs.sweepTemp();
  const crs = new EpsgCrsRegistry();
  const ingestDeps: IngestDeps = {
    images,
    sites,
    blobs: s3 ?? localBlobs,
    opener: new FileRasterOpener(
      crs,
      s3 === undefined ? {} : { openRemote: (url) => s3.openByteSource(url) },
    ),
    crs,
    sidecars: new FsSidecarReader(),
    clock: new SystemClock(),
    limits: { maxPixels: config.maxPixels },
    sha256Hex,
  };
  const comparisons = store.comparisons;
  const strips = new WorkerStripWorkspaces();
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
    strips,
    scratch: new LocalScratchSpace(join(config.home, 'tmp')),
  };
  const detections = store.detections;
  const models = new FsModelRegistry({
    installDir: join(config.home, 'models'),
    builtInDir: BUILT_IN_MODELS_DIR,
  });
  // Two threads inside each operator: both cores of the 2-core reference machine.
  const detectors = new OnnxDetectorFactory({ intraOpThreads: 1 });
  const detectDeps: DetectDeps = {
    images,
    sites,
    detections,
    models,
    detectors,
    opener: ingestDeps.opener,
    crs,
    limits: ingestDeps.limits,
    clock: ingestDeps.clock,
    elapsedMs: () => performance.now(),
    files: new LocalOutputFiles(),
    sha256Hex,
    softwareVersion: SOFTWARE_VERSION,
  };
  // Observations, alerts and assessment snapshots share the connection: a fact and its
  // alerts commit in one transaction.
  // SITEWATCH_REDIS_URL moves the job queue to Redis (BullMQ), shared by hosts; else SQLite.
  const redisJobs =
    config.redisUrl === undefined
      ? undefined
      : new BullmqJobStore({
          url: config.redisUrl,
          ...(config.redisPrefix === undefined ? {} : { prefix: config.redisPrefix }),
        });
  const { observations, alerts, history, reviews } = store;
  const observeDeps: ObserveDeps = {
    observations,
    sites,
    images,
    clock: ingestDeps.clock,
    metrics: new MetricRegistry(),
    sha256Hex,
    // Re-assessments of watched playbooks fuse the evidence as the analysts' reviews have it.
    alerting: { rules: alerts, store: store.observationAlerts, history, reviews },
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
    detections,
    models,
    detectDeps,
    addModelDeps: { models, detectors },
    observeDeps,
    reviewDeps: {
      reviews,
      audit: store.audit,
      observations: observeDeps.observations,
      detections,
      clock: ingestDeps.clock,
    },
    assessmentDeps: { ...observeDeps, history, rules: alerts, reviews },
    alertDeps: {
      alerts,
      // Webhook secrets and SMTP credentials are named by rules and read from the environment.
      sender: new ChannelAlertSender(
        new WebhookSender({ env: (name) => process.env[name] }),
        new SmtpSender({ env: (name) => process.env[name] }),
      ),
      clock: ingestDeps.clock,
    },
    accountDeps: {
      accounts: store.accounts,
      hasher: new ScryptPasswordHasher(),
      secrets: new NodeSecretSource(),
      clock: ingestDeps.clock,
      sha256Hex,
    },
    jobs: redisJobs ?? store.jobs,
    annotationDeps: {
      annotations: store.annotations,
      images,
      sites,
      clock: ingestDeps.clock,
    },
    close: async () => {
      await redisJobs?.close();
      await store.close();
      await strips.close();
    },
  };
}

/**
 * A runner for this home's job queue with the compare, detect and assess handlers; at most
 * `concurrency` jobs at once (default 1: compare already spreads over worker threads).
 */
export function createJobRunner(sw: Sitewatch, options: Partial<JobRunnerOptions> = {}): JobRunner {
  const handlers = createJobHandlers({
    compare: sw.compareDeps,
    detect: sw.detectDeps,
    assess: sw.assessmentDeps,
  });
  return new JobRunner(
    { store: sw.jobs, handlers, clock: sw.compareDeps.clock },
    { workerId: `${hostname()}:${process.pid}`, ...options },
  );
}

/** In-memory tile cache of `sitewatch serve` (encoded PNG/WebP tiles). */
export const DEFAULT_TILE_CACHE_BYTES = 64 * 2 ** 20;

/** The tile service over an opened home; `close` releases the renderer's open images. */
export function createTileService(
  sw: Sitewatch,
  cacheBytes: number = DEFAULT_TILE_CACHE_BYTES,
): { readonly deps: TileServiceDeps; close(): Promise<void> } {
  const renderer = new TileRenderer({
    images: sw.images,
    opener: sw.ingestDeps.opener,
    crs: sw.crs,
    limits: sw.ingestDeps.limits,
    overviewCache: new CogOverviewCache(
      join(sw.config.home, 'cache', 'overviews'),
      sw.ingestDeps.opener,
      sw.ingestDeps.limits,
    ),
  });
  return {
    deps: {
      renderer,
      encoder: new SharpTileEncoder(),
      cache: new LruTileCache(cacheBytes),
      sha256Hex,
    },
    close: () => renderer.close(),
  };
}
