/**
 * Overview levels of a tile pyramid: level k is the image reduced by 2^k in both directions
 * (GDAL's rule, ceil(size / 2) per step), and a tile reads the coarsest level that still has at
 * least one pixel per tile pixel.
 */
import { ValidationError } from '../errors.ts';
import type { GeoTransform } from '../geo/types.ts';
import { overviewLevelSizes, type LevelSize } from '../raster/overview.ts';
import { TILE_SIZE_PX } from './web-mercator.ts';

/** Levels below full resolution until the whole image fits one tile (0 when it already does). */
export function pyramidLevelCount(width: number, height: number): number {
  return overviewLevelSizes(width, height, TILE_SIZE_PX, 'auto').length;
}

/** Size of level `level` (0 = full resolution) of a width × height image. */
export function levelSize(width: number, height: number, level: number): LevelSize {
  const factor = 2 ** level;
  return { width: Math.ceil(width / factor), height: Math.ceil(height / factor) };
}

/** The geotransform of level `level`: the same origin, pixels 2^level times larger. */
export function levelGeoTransform(transform: GeoTransform, level: number): GeoTransform {
  const f = 2 ** level;
  return [
    transform[0],
    transform[1] * f,
    transform[2] * f,
    transform[3],
    transform[4] * f,
    transform[5] * f,
  ];
}

/**
 * The level to read for a tile whose pixels each span `sourcePxPerTilePx` full-resolution
 * pixels: the largest k ≤ `levelCount` with 2^k ≤ that span (so the tile never upsamples an
 * overview it could have read finer).
 * @throws ValidationError when the span is not a positive finite number.
 */
export function chooseOverviewLevel(sourcePxPerTilePx: number, levelCount: number): number {
  if (!(Number.isFinite(sourcePxPerTilePx) && sourcePxPerTilePx > 0)) {
    throw new ValidationError(
      `source pixels per tile pixel must be a positive number; got ${sourcePxPerTilePx}`,
    );
  }
  // The tolerance keeps a span of exactly 2^k (e.g. 3.9999999 from rounding) on level k.
  const level = Math.floor(Math.log2(sourcePxPerTilePx) + 1e-6);
  return Math.max(0, Math.min(levelCount, level));
}
