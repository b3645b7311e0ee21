import type { GeoTransform, PolygonGeometry } from '../geo/types.ts';

export const RASTER_DATA_TYPES = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'float64',
] as const;
export type RasterDataType = (typeof RASTER_DATA_TYPES)[number];

/** Where a piece of acquisition metadata came from, highest precedence first. */
export const METADATA_SOURCES = ['sidecar', 'stac', 'tiff-tag', 'flag'] as const;
export type MetadataSource = (typeof METADATA_SOURCES)[number];

/** Acquisition facts; every field but `acquiredAt` may be unknown (null). */
export interface Acquisition {
  /** ISO 8601 UTC, e.g. `2019-02-22T02:10:00.000Z`. */
  readonly acquiredAt: string;
  readonly sensor: string | null;
  readonly provider: string | null;
  /** Degrees above the horizon, [-90, 90]. */
  readonly sunElevationDeg: number | null;
  /** Degrees clockwise from north, [0, 360). */
  readonly sunAzimuthDeg: number | null;
  /** Degrees from nadir, [0, 90]. */
  readonly offNadirDeg: number | null;
  /** Percent, [0, 100]. */
  readonly cloudCoverPercent: number | null;
  /** Credit line / licence to print with figures, e.g. `Contains modified Copernicus Sentinel data 2016`. */
  readonly credit: string | null;
  readonly license: string | null;
  /** Which source each known field came from, e.g. `{ acquiredAt: 'stac', sensor: 'flag' }`. */
  readonly sources: Readonly<Partial<Record<AcquisitionField, MetadataSource>>>;
}
export type AcquisitionField = Exclude<keyof Acquisition, 'sources'>;

/** One band of an image, in band order. */
export interface BandInfo {
  readonly name: string;
  /** Ground sample distance the band was captured at (metres); differs from the image's for resampled bands. */
  readonly nativeGsdMeters: number | null;
  /** Index into `ImageRecord.files` of the file holding this band. */
  readonly fileIndex: number;
  /** Band (sample) index inside that file, 0-based. */
  readonly fileBand: number;
}

/** Per-band statistics over valid (not nodata) pixels, accumulated in float64. */
export interface BandStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stdDev: number;
  readonly validCount: number;
}

export type StoredFileRole = 'raster' | 'band' | 'world-file' | 'prj' | 'sidecar' | 'stac';

/** A file belonging to an image, held in the content-addressed store or linked in place. */
export interface StoredFile {
  readonly role: StoredFileRole;
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Absolute path the file was ingested from. */
  readonly originalPath: string;
  /** Absolute path sitewatch reads it from (inside the store, or the original with --link). */
  readonly storedPath: string;
  readonly linked: boolean;
}

export type ImageFormat = 'geotiff' | 'png' | 'jpeg' | 'band-set';

export interface RasterLayout {
  readonly tiled: boolean;
  readonly blockWidth: number;
  readonly blockHeight: number;
  /** e.g. `deflate`, `lzw`, `jpeg`, `packbits`, `zstd`, `none`. */
  readonly compression: string;
  readonly overviewCount: number;
  readonly cloudOptimized: boolean;
}

export const IMAGE_SCHEMA_VERSION = 1;

/** An ingested, dated image. Immutable once stored. */
export interface ImageRecord {
  readonly schemaVersion: typeof IMAGE_SCHEMA_VERSION;
  /** `img_` + first 16 hex digits of `sha256`. */
  readonly id: string;
  /** sha256 of the raster bytes; for a band set, sha256 over `name:sha256\n` lines in band order. */
  readonly sha256: string;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  readonly bands: readonly BandInfo[];
  readonly dataType: RasterDataType;
  readonly nodata: number | null;
  /** `EPSG:nnnn`, or null for pixel-only imagery. */
  readonly crs: string | null;
  readonly geoTransform: GeoTransform | null;
  /** Ground sample distance at the image centre, metres; null for pixel-only imagery. */
  readonly gsdMeters: number | null;
  /** lon/lat outline of the image; null for pixel-only imagery. */
  readonly footprint: PolygonGeometry | null;
  readonly acquisition: Acquisition;
  readonly layout: RasterLayout;
  readonly stats: readonly BandStats[];
  readonly files: readonly StoredFile[];
  /** Ids of the sites whose polygon intersects the footprint, at ingest or since. */
  readonly sites: readonly string[];
  /** ISO 8601 UTC. */
  readonly ingestedAt: string;
}

/** Derives an image id from its sha256. */
export function imageIdFromSha256(sha256: string): string {
  return `img_${sha256.slice(0, 16)}`;
}
