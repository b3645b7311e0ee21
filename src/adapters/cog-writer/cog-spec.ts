/**
 * What a Cloud-Optimized GeoTIFF to write looks like, and its validation into a fully resolved
 * spec with every default filled in.
 */
import { ValidationError } from '../../core/errors.ts';
import { describeValue } from '../../core/geo/describe-value.ts';
import type { GeoTransform } from '../../core/geo/types.ts';
import { RASTER_DATA_TYPES, type RasterDataType } from '../../core/imagery/image.ts';
import {
  OVERVIEW_RESAMPLINGS,
  overviewLevelSizes,
  type LevelSize,
  type OverviewResampling,
} from '../../core/raster/overview.ts';

/** How the samples of a tile are laid out: GDAL's `INTERLEAVE=PIXEL` or `INTERLEAVE=BAND`. */
export type CogInterleave = 'pixel' | 'band';

export interface CogSpec {
  /** Pixels. */
  readonly width: number;
  /** Pixels. */
  readonly height: number;
  readonly bandCount: number;
  readonly dataType: RasterDataType;
  /** Written as GDAL_NODATA; NaN allowed for float types. */
  readonly nodata: number | null;
  /** `EPSG:n`, or null for no CRS (pixel-only output). */
  readonly crs: string | null;
  /** GDAL order (see GeoTransform); null for pixel-only output. */
  readonly geoTransform: GeoTransform | null;
  /** Default: true for EPSG:4326 and EPSG:4000–4999. */
  readonly crsIsGeographic?: boolean;
  /** Tile side in pixels, a multiple of 16 in [16, 4096]. Default 512. */
  readonly tileSize?: number;
  /** Default 'deflate'. */
  readonly compression?: 'deflate' | 'none';
  /** zlib level 1–9. Default 6 (GDAL's default). */
  readonly deflateLevel?: number;
  /**
   * TIFF predictor before deflate: 2 (horizontal differencing) for integers, 3 (floating point)
   * for floats. Default false (GDAL's default). Needs compression 'deflate'.
   */
  readonly predictor?: boolean;
  /** 'auto' halves until both sides ≤ tileSize; a number gives that many levels. Default 'auto'. */
  readonly overviews?: 'auto' | number;
  /** 'nearest' for masks and classes, 'average' (ignores nodata) for continuous data. Default 'nearest'. */
  readonly overviewResampling?: OverviewResampling;
  /** One per band; written as GDAL band DESCRIPTION. */
  readonly bandDescriptions?: readonly string[];
  /** GDAL_METADATA dataset items. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Photometric interpretation: 'rgb' needs ≥ 3 uint8/uint16 bands. Default 'min-is-black'. */
  readonly photometric?: 'min-is-black' | 'rgb';
  /** Default 'pixel' (GDAL's COG layout; see docs in cog-writer.ts). */
  readonly interleave?: CogInterleave;
  /**
   * Tiles handed to libuv's threadpool for deflate at once (default 4, its thread count); 0
   * compresses synchronously on the calling thread. More in flight uses more cores when they
   * are free, but tiles then wait longer and fall out of the CPU caches before compression
   * (measured on 2 cores: about 10 % more CPU time than synchronous).
   */
  readonly maxTilesInFlight?: number;
  /** 'if-needed' (default): BigTIFF only when the file passes 4 GiB; 'always' as GDAL's BIGTIFF=YES. */
  readonly bigTiff?: 'if-needed' | 'always';
}

export interface ResolvedCogSpec {
  readonly width: number;
  readonly height: number;
  readonly bandCount: number;
  readonly dataType: RasterDataType;
  readonly nodata: number | null;
  readonly epsg: number | null;
  readonly crsIsGeographic: boolean;
  readonly geoTransform: GeoTransform | null;
  readonly tileSize: number;
  readonly compression: 'deflate' | 'none';
  readonly deflateLevel: number;
  readonly predictor: boolean;
  /** Full resolution first, then each overview. */
  readonly levels: readonly LevelSize[];
  readonly overviewResampling: OverviewResampling;
  readonly bandDescriptions: readonly string[] | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly photometric: 'min-is-black' | 'rgb';
  readonly interleave: CogInterleave;
  readonly maxTilesInFlight: number;
  readonly bigTiff: 'if-needed' | 'always';
}

const MAX_SIDE_PIXELS = 2 ** 31 - 1;
const INTEGER_RANGES: Partial<Record<RasterDataType, readonly [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
};

/**
 * Pixel size of pyramid level `level` (0 = full resolution).
 * @throws ValidationError when the spec has no such level.
 */
export function levelSize(spec: ResolvedCogSpec, level: number): LevelSize {
  const size = spec.levels[level];
  if (size === undefined) {
    throw new ValidationError(`level ${level} is not one of the ${spec.levels.length} levels`);
  }
  return size;
}

/** Whether samples of this type are IEEE floats. */
export function isFloatType(dataType: RasterDataType): boolean {
  return dataType === 'float32' || dataType === 'float64';
}

function requireInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${name} ${String(value)} must be an integer in [${min}, ${max}]`);
  }
  return value;
}

function parseEpsg(crs: string | null): number | null {
  if (crs === null) return null;
  const match = /^EPSG:(\d{1,5})$/i.exec(crs);
  const code = match ? Number(match[1]) : NaN;
  if (!(code >= 1 && code <= 65535)) {
    throw new ValidationError(
      `crs ${JSON.stringify(crs)} must be 'EPSG:n' with n in [1, 65535], or null`,
    );
  }
  return code;
}

function checkNodata(nodata: unknown, dataType: RasterDataType): void {
  if (nodata === null) return;
  const range = INTEGER_RANGES[dataType];
  if (typeof nodata !== 'number') {
    throw new ValidationError(`nodata ${describeValue(nodata)} must be a number or null`);
  }
  if (range && !(Number.isInteger(nodata) && nodata >= range[0] && nodata <= range[1])) {
    throw new ValidationError(
      `nodata ${nodata} is not a ${dataType} value (integer in [${range[0]}, ${range[1]}])`,
    );
  }
  if (dataType === 'float32' && Number.isFinite(nodata) && Math.fround(nodata) !== nodata) {
    throw new ValidationError(`nodata ${nodata} is not exactly representable as float32`);
  }
}

function checkGeoTransform(value: unknown): void {
  if (value === null) return;
  const t = value as GeoTransform;
  const numbers = Array.isArray(value) ? (value as unknown[]) : [];
  if (numbers.length !== 6 || !numbers.every((v) => Number.isFinite(v))) {
    const shown = Array.isArray(value)
      ? `[${numbers.map(describeValue).join(',')}]`
      : describeValue(value);
    throw new ValidationError(`geoTransform ${shown} must be 6 finite numbers`);
  }
  if (t[1] * t[5] - t[2] * t[4] === 0) {
    throw new ValidationError(`geoTransform [${t.join(', ')}] is singular (zero pixel area)`);
  }
}

function checkDescriptions(spec: CogSpec): readonly string[] | null {
  const names = spec.bandDescriptions;
  if (names === undefined) return null;
  if (names.length !== spec.bandCount || !names.every((n) => typeof n === 'string')) {
    throw new ValidationError(
      `bandDescriptions has ${names.length} entries; expected ${spec.bandCount} strings, one per band`,
    );
  }
  return names;
}

/** `value` when it is one of `allowed` (checked at run time: callers may be untyped). */
function oneOf<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    const expected = allowed.map((a) => `'${a}'`).join(', ');
    throw new ValidationError(`${name} ${JSON.stringify(value)} must be one of ${expected}`);
  }
  return value;
}

interface CheckedOptions {
  readonly compression: 'deflate' | 'none';
  readonly predictor: boolean;
  readonly overviewResampling: OverviewResampling;
  readonly photometric: 'min-is-black' | 'rgb';
  readonly interleave: CogInterleave;
  readonly bigTiff: 'if-needed' | 'always';
}

function checkOptions(spec: CogSpec): CheckedOptions {
  oneOf('dataType', spec.dataType, RASTER_DATA_TYPES);
  const compression = oneOf('compression', spec.compression ?? 'deflate', ['deflate', 'none']);
  const predictor = spec.predictor ?? false;
  if (predictor && compression !== 'deflate') {
    throw new ValidationError(
      `predictor needs compression 'deflate', not ${JSON.stringify(compression)}`,
    );
  }
  const photometric = oneOf('photometric', spec.photometric ?? 'min-is-black', [
    'min-is-black',
    'rgb',
  ]);
  if (
    photometric === 'rgb' &&
    (spec.bandCount < 3 || (spec.dataType !== 'uint8' && spec.dataType !== 'uint16'))
  ) {
    throw new ValidationError(
      `photometric 'rgb' needs ≥ 3 uint8 or uint16 bands, not ${spec.bandCount} ${spec.dataType} band(s)`,
    );
  }
  return {
    compression,
    predictor,
    overviewResampling: oneOf(
      'overviewResampling',
      spec.overviewResampling ?? 'nearest',
      OVERVIEW_RESAMPLINGS,
    ),
    photometric,
    interleave: oneOf('interleave', spec.interleave ?? 'pixel', ['pixel', 'band']),
    bigTiff: oneOf('bigTiff', spec.bigTiff ?? 'if-needed', ['if-needed', 'always']),
  };
}

/**
 * Checks a spec and fills in the defaults.
 * @throws ValidationError naming the first bad field and value.
 */
export function resolveCogSpec(spec: CogSpec): ResolvedCogSpec {
  const width = requireInteger('width', spec.width, 1, MAX_SIDE_PIXELS);
  const height = requireInteger('height', spec.height, 1, MAX_SIDE_PIXELS);
  const bandCount = requireInteger('bandCount', spec.bandCount, 1, 65535);
  const tileSize = requireInteger('tileSize', spec.tileSize ?? 512, 16, 4096);
  if (tileSize % 16 !== 0) {
    throw new ValidationError(`tileSize ${tileSize} must be a multiple of 16`);
  }
  const options = checkOptions(spec);
  checkNodata(spec.nodata, spec.dataType);
  checkGeoTransform(spec.geoTransform);
  const epsg = parseEpsg(spec.crs);
  const overviews = overviewLevelSizes(width, height, tileSize, spec.overviews ?? 'auto');
  return {
    ...options,
    width,
    height,
    bandCount,
    dataType: spec.dataType,
    nodata: spec.nodata,
    epsg,
    crsIsGeographic: spec.crsIsGeographic ?? (epsg !== null && epsg >= 4000 && epsg <= 4999),
    geoTransform: spec.geoTransform,
    tileSize,
    deflateLevel: requireInteger('deflateLevel', spec.deflateLevel ?? 6, 1, 9),
    levels: [{ width, height }, ...overviews],
    bandDescriptions: checkDescriptions(spec),
    metadata: spec.metadata ?? {},
    maxTilesInFlight: requireInteger('maxTilesInFlight', spec.maxTilesInFlight ?? 4, 0, 1024),
  };
}
