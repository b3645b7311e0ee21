/**
 * Resampling of one band between two north-up grids whose axes are aligned (no rotation), e.g.
 * a 20 m Sentinel-2 band onto the 10 m grid of the same tile. Pure: the caller reads the source
 * window that {@link sourceWindowFor} names and hands it in.
 *
 * Coordinates: pixel-corner space, where pixel (col, row) covers [col, col + 1) × [row, row + 1)
 * and its centre is (col + 0.5, row + 0.5), as in a GDAL geotransform.
 */
import { ValidationError } from '../errors.ts';
import type { GeoTransform } from '../geo/types.ts';
import type { PixelArray, PixelWindow } from './raster.ts';

export const RESAMPLE_METHODS = ['nearest', 'bilinear', 'cubic'] as const;
export type ResampleMethod = (typeof RESAMPLE_METHODS)[number];

/**
 * Per-axis affine map from destination to source pixel-corner coordinates:
 * srcCol = scaleX · dstCol + offsetX; srcRow = scaleY · dstRow + offsetY.
 */
export interface GridMapping {
  readonly scaleX: number;
  readonly offsetX: number;
  readonly scaleY: number;
  readonly offsetY: number;
}

/**
 * The mapping from the pixels of grid `destination` to those of grid `source` (both GDAL
 * geotransforms in the same CRS).
 * @throws ValidationError when either grid is rotated or has a zero pixel size.
 */
export function mappingBetweenGrids(destination: GeoTransform, source: GeoTransform): GridMapping {
  for (const [label, t] of [
    ['destination', destination],
    ['source', source],
  ] as const) {
    if (t[2] !== 0 || t[4] !== 0 || t[1] === 0 || t[5] === 0) {
      throw new ValidationError(
        `${label} geotransform [${t.join(', ')}] must be north-up without rotation and non-zero pixel size`,
      );
    }
  }
  return {
    scaleX: destination[1] / source[1],
    offsetX: (destination[0] - source[0]) / source[1] + 0,
    scaleY: destination[5] / source[5],
    offsetY: (destination[3] - source[3]) / source[5] + 0,
  };
}

/** How many source pixels beyond the nearest ones each method reads on each side. */
function kernelRadius(method: ResampleMethod): number {
  return method === 'nearest' ? 0 : method === 'bilinear' ? 1 : 2;
}

function axisRange(
  scale: number,
  offset: number,
  start: number,
  length: number,
  size: number,
  radius: number,
): [number, number] {
  const a = scale * (start + 0.5) + offset;
  const b = scale * (start + length - 0.5) + offset;
  const low = Math.floor(Math.min(a, b) - (radius > 0 ? 0.5 : 0)) - Math.max(0, radius - 1);
  const high = Math.floor(Math.max(a, b) - (radius > 0 ? 0.5 : 0)) + radius;
  const clampedLow = Math.min(Math.max(low, 0), size - 1);
  const clampedHigh = Math.min(Math.max(high, 0), size - 1);
  return [clampedLow, clampedHigh - clampedLow + 1];
}

/**
 * The source window (clamped to the source raster of srcWidth × srcHeight pixels) that
 * {@link resampleWindow} needs to fill `destination` with `method`.
 */
export function sourceWindowFor(
  mapping: GridMapping,
  destination: PixelWindow,
  srcWidth: number,
  srcHeight: number,
  method: ResampleMethod,
): PixelWindow {
  const radius = kernelRadius(method);
  const [col0, width] = axisRange(
    mapping.scaleX,
    mapping.offsetX,
    destination.col0,
    destination.width,
    srcWidth,
    radius,
  );
  const [row0, height] = axisRange(
    mapping.scaleY,
    mapping.offsetY,
    destination.row0,
    destination.height,
    srcHeight,
    radius,
  );
  return { col0, row0, width, height };
}

/** Source indices (relative to the source window) and weights for each destination position. */
interface AxisTaps {
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

function cubicWeight(distance: number): number {
  const x = Math.abs(distance);
  const a = -0.5;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

function axisTaps(
  scale: number,
  offset: number,
  start: number,
  length: number,
  windowStart: number,
  windowLength: number,
  method: ResampleMethod,
): AxisTaps {
  const taps = method === 'nearest' ? 1 : method === 'bilinear' ? 2 : 4;
  const index = new Int32Array(length * taps);
  const weight = new Float64Array(length * taps);
  const clamp = (i: number): number =>
    Math.min(Math.max(i, windowStart), windowStart + windowLength - 1) - windowStart;
  for (let d = 0; d < length; d += 1) {
    const corner = scale * (start + d + 0.5) + offset;
    if (method === 'nearest') {
      index[d] = clamp(Math.floor(corner));
      weight[d] = 1;
      continue;
    }
    const centre = corner - 0.5;
    const base = Math.floor(centre);
    const t = centre - base;
    for (let k = 0; k < taps; k += 1) {
      const offsetK = method === 'bilinear' ? k : k - 1;
      index[d * taps + k] = clamp(base + offsetK);
      weight[d * taps + k] =
        method === 'bilinear' ? (k === 0 ? 1 - t : t) : cubicWeight(offsetK - t);
    }
  }
  return { taps, index, weight };
}

function valueRange(array: PixelArray): [number, number, boolean] {
  if (array instanceof Uint8Array) return [0, 255, true];
  if (array instanceof Int8Array) return [-128, 127, true];
  if (array instanceof Uint16Array) return [0, 65535, true];
  if (array instanceof Int16Array) return [-32768, 32767, true];
  if (array instanceof Uint32Array) return [0, 4294967295, true];
  if (array instanceof Int32Array) return [-2147483648, 2147483647, true];
  return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, false];
}

/** Inputs of {@link resampleWindow}. */
export interface ResampleRequest {
  /** Source samples of `srcWindow`, row-major, one band. */
  readonly src: PixelArray;
  /** Where `src` lies in the source raster (usually from {@link sourceWindowFor}). */
  readonly srcWindow: PixelWindow;
  readonly mapping: GridMapping;
  /** The destination window to produce. */
  readonly dstWindow: PixelWindow;
  readonly method: ResampleMethod;
  /** Source value that means "no data" (NaN always does); never blended with valid samples. */
  readonly nodata: number | null;
}

/**
 * Resamples `src` onto `dstWindow` of the destination grid. Positions beyond the source window
 * repeat its edge samples. Bilinear and cubic blend only valid samples (re-weighting the rest;
 * cubic falls back to bilinear where a tap is nodata); a pixel with no valid tap is nodata
 * (NaN for float data without nodata). Integer output is rounded and clamped to its type.
 * @returns an array of the source's type, dstWindow.width × dstWindow.height samples.
 * @throws ValidationError when `src` does not hold srcWindow.width × srcWindow.height samples.
 */
export function resampleWindow(request: ResampleRequest): PixelArray {
  const { src, srcWindow, mapping, dstWindow, method, nodata } = request;
  if (src.length !== srcWindow.width * srcWindow.height || src.length === 0) {
    throw new ValidationError(
      `source holds ${src.length} samples, expected ${srcWindow.width} × ${srcWindow.height} (non-empty)`,
    );
  }
  const Output = src.constructor as new (length: number) => PixelArray;
  const out = new Output(dstWindow.width * dstWindow.height);
  const [low, high, isInteger] = valueRange(src);
  const fill = nodata ?? Number.NaN;
  const isValid = (v: number): boolean => v === v && v !== nodata;
  const cols = axisTaps(
    mapping.scaleX,
    mapping.offsetX,
    dstWindow.col0,
    dstWindow.width,
    srcWindow.col0,
    srcWindow.width,
    method,
  );
  const rows = axisTaps(
    mapping.scaleY,
    mapping.offsetY,
    dstWindow.row0,
    dstWindow.height,
    srcWindow.row0,
    srcWindow.height,
    method,
  );
  const linear = method === 'nearest' ? null : axisTapsFor(mapping, dstWindow, srcWindow);
  for (let r = 0; r < dstWindow.height; r += 1) {
    for (let c = 0; c < dstWindow.width; c += 1) {
      let value = blend(src, srcWindow.width, rows, r, cols, c, isValid);
      if (value === null && method === 'cubic' && linear !== null) {
        value = blend(src, srcWindow.width, linear.rows, r, linear.cols, c, isValid);
      }
      let result = value ?? fill;
      if (isInteger && value !== null) result = Math.min(high, Math.max(low, Math.round(result)));
      out[r * dstWindow.width + c] = result;
    }
  }
  return out;
}

function axisTapsFor(
  mapping: GridMapping,
  dst: PixelWindow,
  srcWindow: PixelWindow,
): { rows: AxisTaps; cols: AxisTaps } {
  return {
    cols: axisTaps(
      mapping.scaleX,
      mapping.offsetX,
      dst.col0,
      dst.width,
      srcWindow.col0,
      srcWindow.width,
      'bilinear',
    ),
    rows: axisTaps(
      mapping.scaleY,
      mapping.offsetY,
      dst.row0,
      dst.height,
      srcWindow.row0,
      srcWindow.height,
      'bilinear',
    ),
  };
}

/**
 * Weighted sum over the taps of one destination pixel. Returns null when no tap is valid, or,
 * for 4-tap (cubic) kernels, when any tap is invalid (the caller then falls back to bilinear).
 */
function blend(
  src: PixelArray,
  srcStride: number,
  rows: AxisTaps,
  r: number,
  cols: AxisTaps,
  c: number,
  isValid: (v: number) => boolean,
): number | null {
  let sum = 0;
  let weightSum = 0;
  for (let i = 0; i < rows.taps; i += 1) {
    const wr = rows.weight[r * rows.taps + i] ?? 0;
    const rowOffset = (rows.index[r * rows.taps + i] ?? 0) * srcStride;
    for (let j = 0; j < cols.taps; j += 1) {
      const w = wr * (cols.weight[c * cols.taps + j] ?? 0);
      const v = src[rowOffset + (cols.index[c * cols.taps + j] ?? 0)] ?? Number.NaN;
      if (!isValid(v)) {
        if (cols.taps === 4 && w !== 0) return null;
        continue;
      }
      sum += w * v;
      weightSum += w;
    }
  }
  if (weightSum <= 1e-12) return null;
  return sum / weightSum;
}
