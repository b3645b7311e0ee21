/**
 * Overview (reduced-resolution level) helpers for pyramid writers such as the COG writer:
 * the level sizes, and a 2 × 2 reduction of a block of rows that ignores nodata.
 *
 * Level k + 1 has ceil(width_k / 2) × ceil(height_k / 2) pixels (GDAL's rule), so a trailing odd
 * column or row of level k reduces on its own (1 × 2, 2 × 1 or 1 × 1 source pixels).
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from './raster.ts';

export const OVERVIEW_RESAMPLINGS = ['nearest', 'average'] as const;
/**
 * `nearest`: the top-left pixel of each 2 × 2 block (masks, classes: no value is invented);
 * `average`: the mean of the valid pixels of the block (continuous data).
 */
export type OverviewResampling = (typeof OVERVIEW_RESAMPLINGS)[number];

export interface LevelSize {
  readonly width: number;
  readonly height: number;
}

/** The most overview levels a writer will make (a 2^31-pixel side halves to 1 in 31 steps). */
const MAX_OVERVIEW_LEVELS = 31;

/**
 * Sizes in pixels of the overview levels below a `width` × `height` image, largest first.
 * `'auto'` halves until both sides are ≤ `tileSize` (none when the image already fits one
 * tile); a number asks for exactly that many levels.
 * @throws ValidationError when the count is not an integer in [0, 31], or asks for a level
 *   smaller than 1 × 1 pixel in both sides (an image of 1 × 1 has no overviews).
 */
export function overviewLevelSizes(
  width: number,
  height: number,
  tileSize: number,
  overviews: 'auto' | number,
): LevelSize[] {
  const sizes: LevelSize[] = [];
  let w = width;
  let h = height;
  if (overviews === 'auto') {
    while (w > tileSize || h > tileSize) {
      w = Math.ceil(w / 2);
      h = Math.ceil(h / 2);
      sizes.push({ width: w, height: h });
    }
    return sizes;
  }
  if (!Number.isInteger(overviews) || overviews < 0 || overviews > MAX_OVERVIEW_LEVELS) {
    throw new ValidationError(
      `overviews ${overviews} must be 'auto' or an integer in [0, ${MAX_OVERVIEW_LEVELS}]`,
    );
  }
  for (let level = 0; level < overviews; level++) {
    if (w === 1 && h === 1) {
      throw new ValidationError(
        `overviews ${overviews} is too many for a ${width} × ${height} image: level ${level + 1} would be below 1 × 1 pixel`,
      );
    }
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    sizes.push({ width: w, height: h });
  }
  return sizes;
}

export interface DownsampleOptions {
  readonly resampling: OverviewResampling;
  /** Value of pixels without data, skipped by `average`; NaN matches NaN. */
  readonly nodata: number | null;
  /** Round averages to integers (integer data types); floats keep the exact mean. */
  readonly integer: boolean;
}

/**
 * Reduces `srcRows` rows of `srcWidth` pixels of one band by 2 in both directions, writing
 * ceil(srcRows / 2) rows of ceil(srcWidth / 2) pixels into `dst` starting at element `dstOffset`.
 * `average` ignores nodata (and NaN) pixels, gives nodata where a block has no valid pixel, and
 * never turns a block with valid pixels into the nodata value (when the stored mean would equal
 * nodata it keeps the block's last valid pixel in row-major order instead).
 * Integer averages round half up. Values are stored through `dst`'s element type.
 */
export function downsampleByTwo(
  src: PixelArray,
  srcWidth: number,
  srcRows: number,
  dst: PixelArray,
  dstOffset: number,
  options: DownsampleOptions,
): void {
  const dstWidth = Math.ceil(srcWidth / 2);
  for (let row = 0; 2 * row < srcRows; row++) {
    const top = 2 * row * srcWidth;
    const bottom = 2 * row + 1 < srcRows ? top + srcWidth : -1;
    const out = dstOffset + row * dstWidth;
    if (options.resampling === 'nearest') {
      for (let col = 0; col < dstWidth; col++) dst[out + col] = src[top + 2 * col] ?? 0;
    } else if (options.nodata === null && options.integer && bottom >= 0) {
      averageIntegerRowPair(src, top, bottom, srcWidth, dst, out);
    } else {
      averageRowPairWithNodata(src, top, bottom, srcWidth, dst, out, options);
    }
  }
}

/** Fast path: integers without nodata, two rows present. */
function averageIntegerRowPair(
  src: PixelArray,
  top: number,
  bottom: number,
  srcWidth: number,
  dst: PixelArray,
  out: number,
): void {
  const pairs = srcWidth >> 1;
  for (let col = 0; col < pairs; col++) {
    const i = 2 * col;
    dst[out + col] = Math.floor(
      ((src[top + i] ?? 0) +
        (src[top + i + 1] ?? 0) +
        (src[bottom + i] ?? 0) +
        (src[bottom + i + 1] ?? 0) +
        2) /
        4,
    );
  }
  if (srcWidth & 1) {
    const i = srcWidth - 1;
    dst[out + pairs] = Math.floor(((src[top + i] ?? 0) + (src[bottom + i] ?? 0) + 1) / 2);
  }
}

/** General path: skips nodata and NaN; one or two rows; odd widths. */
function averageRowPairWithNodata(
  src: PixelArray,
  top: number,
  bottom: number,
  srcWidth: number,
  dst: PixelArray,
  out: number,
  options: DownsampleOptions,
): void {
  const nodata = options.nodata;
  const nodataIsNaN = nodata !== null && Number.isNaN(nodata);
  const dstWidth = Math.ceil(srcWidth / 2);
  for (let col = 0; col < dstWidth; col++) {
    const c0 = 2 * col;
    const c1 = c0 + 1 < srcWidth ? c0 + 1 : -1;
    let sum = 0;
    let count = 0;
    let sample = 0;
    for (let k = 0; k < 4; k++) {
      const rowStart = k < 2 ? top : bottom;
      const c = k % 2 === 0 ? c0 : c1;
      if (rowStart < 0 || c < 0) continue;
      const v = src[rowStart + c] ?? 0;
      if (Number.isNaN(v) || (!nodataIsNaN && v === nodata)) continue;
      sum += v;
      count++;
      sample = v;
    }
    if (count === 0) {
      dst[out + col] = nodata ?? Number.NaN;
      continue;
    }
    const mean = options.integer ? Math.floor(sum / count + 0.5) : sum / count;
    dst[out + col] = mean;
    // The stored mean can equal nodata (rounding, float32 precision): keep a valid pixel instead.
    if (nodata !== null && !nodataIsNaN && dst[out + col] === nodata) dst[out + col] = sample;
  }
}
