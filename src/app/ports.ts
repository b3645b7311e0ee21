/**
 * Ports: the interfaces through which use cases reach the outside world. Each is
 * implemented by one adapter per technology under src/adapters/. All methods are async
 * so that networked adapters (PostgreSQL, S3) fit the same shape as the embedded ones.
 */
import type { Site } from '../core/catalog/site.ts';
import type { ImageRecord, RasterDataType } from '../core/imagery/image.ts';
import type { PixelArray, RasterSource } from '../core/raster/raster.ts';
import type { Comparison } from '../core/change/comparison.ts';
import type { Observation } from '../core/activity/observation.ts';
import type { Bbox, GeoTransform, Position, PositionTransform } from '../core/geo/types.ts';
import type {
  StripKernelInput,
  StripKernelName,
  StripKernelOutput,
  StripPixels,
  StripSide,
} from './compare/strip-kernels.ts';
import type { ModelDescriptor, OutputTensor } from '../core/detect/detection.ts';
import type { DetectionRun, StoredDetection } from './detect/detection-run.ts';

export interface ImageListFilter {
  readonly siteId?: string;
  /** ISO 8601; acquiredAt >= since. */
  readonly since?: string;
  /** ISO 8601; acquiredAt <= until. */
  readonly until?: string;
}

export interface SiteRepository {
  list(): Promise<Site[]>;
  get(id: string): Promise<Site | undefined>;
  /**
   * Inserts or replaces the given sites and, in the same transaction, rewrites the
   * image↔site index rows for them from `imageSites` (site id → image ids).
   */
  upsertMany(
    sites: readonly Site[],
    imageSites: ReadonlyMap<string, readonly string[]>,
  ): Promise<void>;
  /** Removes a site and its index rows. @throws NotFoundError */
  remove(id: string): Promise<void>;
}

/** A slim view of an image for spatial indexing. */
export interface ImageFootprint {
  readonly id: string;
  readonly bbox: Bbox;
  readonly footprint: ImageRecord['footprint'];
}

export interface ImageRepository {
  get(id: string): Promise<ImageRecord | undefined>;
  findBySha256(sha256: string): Promise<ImageRecord | undefined>;
  /** The image one of whose files was ingested from this absolute path (newest first). */
  findByOriginalPath(path: string): Promise<ImageRecord | undefined>;
  /** Images ordered by acquiredAt, then id; `siteId` answers from the image↔site index. */
  list(filter?: ImageListFilter): Promise<ImageRecord[]>;
  /** Footprints whose bbox intersects `bbox` (lon/lat), from the index columns. */
  footprintsIntersecting(bbox: Bbox): Promise<ImageFootprint[]>;
  /**
   * Inserts the record and its image↔site index rows in one transaction.
   * @throws ConflictError when an image with the same sha256 exists.
   */
  insert(record: ImageRecord): Promise<void>;
  count(): Promise<number>;
}

/** Content-addressed file storage. */
export interface BlobStore {
  /**
   * Copies the file at `sourcePath` into the store under its sha256 (hashing while copying),
   * fsyncs and renames into place, so a crash leaves either the whole file or nothing.
   * Returns where it now lives. Idempotent for identical content.
   */
  put(
    sourcePath: string,
    options?: { readonly signal?: AbortSignal | undefined },
  ): Promise<StoredBlob>;
  /** Hashes a file without storing it (for `--link`). */
  hash(
    sourcePath: string,
    options?: { readonly signal?: AbortSignal | undefined },
  ): Promise<StoredBlob>;
}

export interface StoredBlob {
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Absolute path of the stored (or, for hash(), the original) file. */
  readonly path: string;
}

/** How to open imagery; the opener picks the format adapter. */
export type RasterInput =
  | {
      readonly kind: 'geotiff';
      readonly path: string;
      /** `EPSG:n` to use when the file's GeoKeys name no known CRS (user-defined, missing). */
      readonly crs?: string;
    }
  | {
      readonly kind: 'world-file-image';
      readonly path: string;
      readonly format: 'png' | 'jpeg';
      /** Path of the `.pgw`/`.jgw`/`.wld` file; absent means pixel-only. */
      readonly worldFilePath?: string;
      /** `EPSG:nnnn` from a `.prj` file or a flag. */
      readonly crs?: string;
    }
  | {
      readonly kind: 'band-set';
      /** One single-band file per band, any native resolution, same extent and CRS. */
      readonly bands: readonly { readonly name: string; readonly path: string }[];
    };

export interface RasterOpenLimits {
  /** Refuse (before allocating) rasters with more than this many pixels per band. */
  readonly maxPixels: number;
}

export interface RasterOpener {
  /**
   * @throws CorruptFileError, TooLargeError, UnknownCrsError, UnsupportedError, ValidationError
   */
  open(input: RasterInput, limits: RasterOpenLimits): Promise<RasterSource>;
}

/** Coordinate reference systems, resolved offline. */
export interface CrsRegistry {
  /** @throws UnknownCrsError naming the code */
  assertKnown(crs: string): void;
  /** A transform from `crs` map coordinates to lon/lat (EPSG:4326, [lon, lat]). */
  toLonLat(crs: string): PositionTransform;
  /** A transform from lon/lat to `crs` map coordinates. */
  fromLonLat(crs: string): PositionTransform;
  /** `EPSG:nnnn` for a WKT `.prj` text. @throws UnknownCrsError */
  fromWkt(wkt: string): string;
}

/** Metadata read from files beside an image (sidecar JSON, STAC Item JSON). */
export interface SidecarReader {
  read(imagePath: string): Promise<SidecarMetadata>;
}

/** Raw JSON found beside an image; parsed and merged by core/imagery/acquisition.ts. */
export interface SidecarMetadata {
  /** `<image>.json` or `<image-stem>.json` holding sitewatch acquisition fields. */
  readonly sidecar?: { readonly path: string; readonly json: unknown };
  /** A STAC Item (`<image>.stac.json`, `<stem>.stac.json`, or `item.json` with an asset pointing at the image). */
  readonly stac?: { readonly path: string; readonly json: unknown };
}

export interface Clock {
  /** ISO 8601 UTC. */
  nowIso(): string;
}

export interface ProgressReporter {
  start(total: number, label: string): void;
  tick(detail?: string): void;
  stop(): void;
}

/** Stored image comparisons. */
export interface ComparisonRepository {
  /**
   * Inserts one comparison in one transaction.
   * @throws ConflictError when a comparison with the same id exists.
   */
  insert(comparison: Comparison): Promise<void>;
  get(id: string): Promise<Comparison | undefined>;
  /** Comparisons involving the image (as A or B), newest first. */
  listForImage(imageId: string): Promise<Comparison[]>;
}

/** A single-file raster written top to bottom in row blocks. */
export interface RasterFileSpec {
  readonly width: number;
  readonly height: number;
  readonly bandCount: number;
  readonly dataType: RasterDataType;
  readonly nodata: number | null;
  /** `EPSG:n`, or null for pixel-only output. */
  readonly crs: string | null;
  readonly geoTransform: GeoTransform | null;
  /** 'nearest' for masks, 'average' for continuous data (overviews). */
  readonly overviewResampling: 'nearest' | 'average';
}

export interface RasterFileWriter {
  /** Appends rows `row0 …` (one array per band, width × n samples), in order, awaited. */
  writeRows(row0: number, bands: readonly PixelArray[]): Promise<void>;
  /** Writes the file once every row is in. */
  finish(): Promise<void>;
  /** Stops and removes temporary files. */
  abort(): Promise<void>;
}

/** Where a use case writes its output files (rasters, JSON). */
export interface OutputFiles {
  /** Creates the folder (and parents) if needed; returns its absolute path. */
  ensureDir(path: string): Promise<string>;
  /** Joins path segments the platform's way. */
  join(dir: string, name: string): string;
  /** Writes text atomically (temporary file, then rename). */
  writeText(path: string, text: string): Promise<void>;
  createRaster(path: string, spec: RasterFileSpec): Promise<RasterFileWriter>;
}

/** A model's input or output: its name and dims (a symbolic dimension is −1). */
export interface TensorSignature {
  readonly name: string;
  readonly dims: readonly number[];
}

/** A model loaded for inference (one session; reused for every batch of tiles). */
export interface ObjectDetector {
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  /**
   * Runs one batch. `input` holds `dims[0] × dims[1] × dims[2] × dims[3]` float32 samples,
   * NCHW (batch, channel, row, column). Returns every output of the model, in its order.
   * An input on a SharedArrayBuffer may be read after the call returns, until it settles.
   * @throws CorruptFileError when the engine fails on the model; UnsupportedError for a
   *   non-float32 output.
   */
  run(
    input: Float32Array,
    dims: readonly [number, number, number, number],
  ): Promise<OutputTensor[]>;
  /** Milliseconds the engine itself spent on the latest settled run (no queueing or transfer). */
  readonly lastRunMs?: number;
  close(): Promise<void>;
}

/** Loads model files into an inference engine. */
export interface DetectorFactory {
  /** Threads each session uses inside one operator (CPU execution). */
  readonly intraOpThreads: number;
  /** @throws CorruptFileError naming the file when it is not a loadable model */
  open(modelPath: string): Promise<ObjectDetector>;
}

/** A model the registry knows: an ONNX file with its descriptor, or a built-in without a file. */
export type InstalledModel =
  | {
      readonly kind: 'onnx';
      readonly id: string;
      readonly version: string;
      readonly descriptor: ModelDescriptor;
      /** Absolute path of the `.onnx` file. */
      readonly modelPath: string;
      readonly descriptorPath: string;
      /** sha256 of the `.onnx` file, lower-case hex. */
      readonly sha256: string;
      readonly sizeBytes: number;
      /** `built-in` (shipped in the repo's models/), `installed` (home), `path` (given by path). */
      readonly origin: 'built-in' | 'installed' | 'path';
    }
  | {
      readonly kind: 'tophat';
      readonly id: string;
      readonly version: string;
      readonly description: string;
      readonly classes: readonly string[];
      readonly origin: 'built-in';
    };

/** Where models live: the home's models/<id>/, the shipped models/, and the built-in baseline. */
export interface ModelRegistry {
  /** Every model, built-in first, then installed, by id. */
  list(): Promise<InstalledModel[]>;
  /**
   * A model by id, or by the path of a folder holding `model.onnx` + `descriptor.json`, or of
   * an `.onnx` file with `descriptor.json` (or `<stem>.json`) beside it.
   * @throws NotFoundError naming the reference; ValidationError for a bad descriptor
   */
  resolve(ref: string): Promise<InstalledModel>;
  /**
   * Reads a descriptor JSON file.
   * @throws ValidationError naming the path when it is missing or not JSON
   */
  readDescriptor(path: string): Promise<unknown>;
  /** The descriptor path beside a model file, or undefined when there is none. */
  descriptorBeside(modelPath: string): Promise<string | undefined>;
  /**
   * Copies the model and its descriptor (`descriptorJson`, written as given) into
   * `<home>/models/<id>/` through a temporary folder renamed into place.
   * @throws ConflictError when a model with this id exists; NotFoundError for a missing file
   */
  install(modelPath: string, descriptorJson: unknown, id: string): Promise<InstalledModel>;
}

/** Stored detection runs and their detections. */
export interface DetectionRepository {
  /**
   * Inserts the run and all its detections in one transaction.
   * @throws ConflictError when a run with the same id exists.
   */
  insert(run: DetectionRun, detections: readonly StoredDetection[]): Promise<void>;
  getRun(id: string): Promise<DetectionRun | undefined>;
  /** Runs on the image, newest first. */
  listRunsForImage(imageId: string): Promise<DetectionRun[]>;
  /** The run's detections, in the order stored. */
  listDetections(runId: string): Promise<StoredDetection[]>;
}

/**
 * Runs the per-strip kernels of `compare/strip-kernels.ts`, in the calling thread or on worker
 * threads; every implementation gives the same result for the same input.
 */
export interface StripKernelRunner {
  /** How many kernels it runs at once (1 in the calling thread). */
  readonly concurrency: number;
  /**
   * Runs one kernel. The input is not modified; a runner on other threads copies it, except
   * typed arrays on a SharedArrayBuffer, which it shares.
   */
  run<K extends StripKernelName>(
    kernel: K,
    input: StripKernelInput<K>,
  ): Promise<StripKernelOutput<K>>;
}

/** The decoded, warped grid strips of both images of one comparison, kept for its passes. */
export interface StripCache {
  /** Where the strips are held: in memory, or spilled to a temporary file. */
  readonly storage: 'memory' | 'file';
  /** Stores (or replaces) one image's side of strip `index`; the caller keeps its arrays. */
  putSide(index: number, side: 'a' | 'b', data: StripSide): Promise<void>;
  /**
   * Strip `index` with `valid` = A's valid ∧ B's valid. Its arrays may be shared with the
   * cache: read them only.
   * @throws ValidationError when a side of the strip was never stored.
   */
  get(index: number): Promise<StripPixels>;
  /**
   * Says the caller (and every kernel it ran on the strip) is done with a strip from
   * {@link get}, so its memory may be reused for the next one.
   */
  release(strip: StripPixels): void;
}

/** How a comparison's grid is cut into strips. */
export interface StripLayout {
  readonly gridWidth: number;
  /** Strips top to bottom. */
  readonly strips: readonly { readonly row0: number; readonly height: number }[];
  readonly bandCount: number;
}

/** The strip cache and kernel runner of one comparison. */
export interface StripWorkspace {
  readonly cache: StripCache;
  readonly runner: StripKernelRunner;
  /** Stops workers and removes temporary files; safe to call twice. */
  close(): Promise<void>;
}

export interface StripWorkspaceFactory {
  /**
   * @param scratchDir a private folder for temporary files (the spilled cache), from
   *   {@link ScratchSpace}.
   */
  open(layout: StripLayout, scratchDir: string): Promise<StripWorkspace>;
}

/** Private temporary folders for long-running use cases. */
export interface ScratchSpace {
  /**
   * Creates a new private folder inside `parent` (an existing folder), or in the data home's
   * temporary folder when `parent` is null.
   */
  createFolder(parent: string | null, prefix: string): Promise<ScratchFolder>;
  /**
   * Removes the folders `prefix…` of the data home's temporary folder that are older than
   * `maxAgeMs` and whose creating process is gone (leftovers of a crashed or killed run);
   * resolves to their paths. Folders it cannot judge or remove are left alone.
   */
  removeAbandoned(prefix: string, maxAgeMs: number): Promise<string[]>;
}

export interface ScratchFolder {
  /** Absolute path. */
  readonly path: string;
  /** Moves the file `from` to `to`, replacing `to`. */
  move(from: string, to: string): Promise<void>;
  /** Removes the folder and everything in it; safe to call twice. */
  remove(): Promise<void>;
}

/** Which observations to list; every field narrows. */
export interface ObservationFilter {
  readonly siteId?: string;
  /** A zone id, or null for site-level observations only; absent for all. */
  readonly zoneId?: string | null;
  readonly metric?: string;
  /** ISO 8601 UTC; observedAt >= since. */
  readonly since?: string;
  /** ISO 8601 UTC; observedAt <= until. */
  readonly until?: string;
  /** Only these sites (e.g. those a playbook names). */
  readonly siteIds?: readonly string[];
}

/** Stored observations (manual, from detections, from comparisons). Append-only. */
export interface ObservationRepository {
  /**
   * Inserts the observations that are not stored yet, all in one transaction. An observation
   * whose id is stored already is left as it is (ids derive from content, so this makes
   * importing a file twice harmless).
   * @returns the ids inserted and the ids already held, each in input order.
   */
  insertMany(
    observations: readonly Observation[],
  ): Promise<{ inserted: readonly string[]; existing: readonly string[] }>;
  get(id: string): Promise<Observation | undefined>;
  /** Observations ordered by observedAt, then id. */
  list(filter?: ObservationFilter): Promise<Observation[]>;
  count(): Promise<number>;
}

export type { Position };

// ---- Alerts (issue 5, item 6) ----

import type { Alert, OutboxItem, OutboxState } from '../core/alerts/alert.ts';
import type { AlertCandidate } from '../core/alerts/alert-decision.ts';
import type { AlertChannel, AlertRule } from '../core/alerts/alert-rule.ts';

/** Which alerts to list; every field narrows. */
export interface AlertFilter {
  readonly ruleId?: string;
  /** ISO 8601 UTC; decidedAt >= since. */
  readonly since?: string;
  readonly limit?: number;
}

/** What recording candidates did to each: recorded, a duplicate, or inside a cooldown. */
export interface RecordedAlerts {
  readonly recorded: readonly Alert[];
  readonly duplicates: readonly string[];
  readonly cooledDown: readonly string[];
}

/**
 * Alert writes bound to an open store transaction, so that the alert and its outbox rows
 * commit or roll back together with the fact that caused them. Adapters extend it with their
 * own transaction handle (SQLite: the connection; PostgreSQL: the transaction's client), so
 * the fact's writer can write through the same transaction.
 */
export interface AlertTransaction {
  /**
   * Records each candidate whose dedup key is new and that is outside its cooldown, with one
   * pending outbox row per channel of its rule.
   */
  recordAlerts(
    candidates: readonly AlertCandidate[],
    decidedAtIso: string,
  ): Promise<RecordedAlerts>;
}

/**
 * Alert rules, alerts and the delivery outbox. `Tx` is the adapter's transaction handle
 * (see {@link AlertTransaction}).
 */
export interface AlertRepository<Tx extends AlertTransaction = AlertTransaction> {
  putRules(rules: readonly AlertRule[]): Promise<void>;
  listRules(): Promise<AlertRule[]>;
  getRule(id: string): Promise<AlertRule | undefined>;
  /**
   * Runs `work` in one store transaction: committed when it resolves, and a throw or
   * rejection rolls back everything it wrote, including the caller's own writes made through
   * `tx`. `work` must await only this transaction's work (no network, no other store calls):
   * the SQLite adapter holds its single connection's write lock meanwhile.
   */
  withTransaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Newest first, with each channel's delivery state. */
  listAlerts(filter?: AlertFilter): Promise<AlertWithDeliveries[]>;
  getAlert(id: string): Promise<AlertWithDeliveries | undefined>;
  /**
   * Claims up to `limit` pending outbox rows due at `nowIso` and not claimed by a live
   * claim, leasing them until `leaseUntilIso` (a crashed deliverer's claim expires).
   */
  claimDue(nowIso: string, leaseUntilIso: string, limit: number): Promise<OutboxItem[]>;
  /** Ends the claims on these outbox rows (not attempted), so that they are due again now. */
  releaseClaims(outboxIds: readonly number[]): Promise<void>;
  markDelivered(outboxId: number, nowIso: string): Promise<void>;
  /** Records a failed attempt; `nextAttemptIso` null marks the row failed for good. */
  markAttemptFailed(outboxId: number, error: string, nextAttemptIso: string | null): Promise<void>;
  /** Makes every outbox row of the alert pending and due at `nowIso` (replay). */
  requeue(alertId: string, nowIso: string): Promise<number>;
}

export interface AlertDeliveryState {
  readonly outboxId: number;
  readonly channel: AlertChannel['kind'];
  readonly state: OutboxState;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
  readonly lastError: string | null;
}

export interface AlertWithDeliveries {
  readonly alert: Alert;
  readonly deliveries: readonly AlertDeliveryState[];
}

/** Sends one alert to one channel; throws `AlertDeliveryError` (core/alerts/alert.ts) on failure. */
export interface AlertSender {
  send(alert: Alert, channel: AlertChannel): Promise<void>;
}
