/**
 * Ports: the interfaces through which use cases reach the outside world. Each is
 * implemented by one adapter per technology under src/adapters/. All methods are async
 * so that networked adapters (PostgreSQL, S3) fit the same shape as the embedded ones.
 */
import type { Site } from '../core/catalog/site.ts';
import type { ImageRecord, RasterDataType } from '../core/imagery/image.ts';
import type { PixelArray, RasterSource } from '../core/raster/raster.ts';
import type { Comparison } from '../core/change/comparison.ts';
import type { Bbox, GeoTransform, Position, PositionTransform } from '../core/geo/types.ts';

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

export type { Position };
