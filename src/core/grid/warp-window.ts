/**
 * Sampling a source window at arbitrary positions (from a PixelMapping) with nearest,
 * bilinear or Keys cubic (a = −0.5) kernels: the inner loop of reprojection. Pure and
 * allocation-free per pixel: the caller reads the source window that
 * `PixelMapping.sourceWindowFor(window, kernelMarginPx(method))` names and hands it in.
 *
 * Positions are source pixel-corner coordinates (pixel (col, row) covers
 * [col, col + 1) × [row, row + 1)); kernels centre on pixel centres.
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray, PixelWindow } from '../raster/raster.ts';
import type { ResampleMethod } from '../raster/resample.ts';

/** Source pixels each method reads beyond the one holding the position, on each side. */
export function kernelMarginPx(method: ResampleMethod): number {
  return method === 'nearest' ? 0 : method === 'bilinear' ? 1 : 2;
}

/** Inputs of {@link warpWindow}. */
export interface WarpWindowRequest {
  /** Samples of `sourceWindow`, row-major, one band. */
  readonly source: PixelArray;
  /** Where `source` lies in the source raster. */
  readonly sourceWindow: PixelWindow;
  /**
   * Size of the whole source raster, in pixels. Positions inside it are valid; kernel taps
   * beyond its edges repeat the edge samples. Default: the window is the whole raster.
   */
  readonly sourceRasterWidth?: number;
  readonly sourceRasterHeight?: number;
  /** Source position (column, row) of each destination pixel, e.g. from `mapWindow`. */
  readonly sourceCol: Float64Array;
  readonly sourceRow: Float64Array;
  readonly method: ResampleMethod;
  /** Source value meaning "no data" (NaN always does), or null. */
  readonly nodataIn: number | null;
  /** Value written to invalid destination pixels; default NaN. */
  readonly fill?: number;
  /** One sample per destination pixel: `out.length` pixels are warped. */
  readonly out: Float32Array;
  /** When given, set to 1 for valid destination pixels and 0 for filled ones. */
  readonly valid?: Uint8Array;
}

const KEYS_A = -0.5;

/** Keys kernel for |s| < 1. Top-level, not a closure: hot, and tsx wraps closures per call. */
function keysNear(s: number): number {
  return ((KEYS_A + 2) * s - (KEYS_A + 3)) * s * s + 1;
}

/** Keys kernel for 1 <= |s| < 2. */
function keysFar(s: number): number {
  return ((KEYS_A * s - 5 * KEYS_A) * s + 8 * KEYS_A) * s - 4 * KEYS_A;
}

/** Keys cubic (a = −0.5) weights for taps at −1, 0, 1, 2 around fractional offset t. */
function cubicWeights(t: number, out: Float64Array): void {
  out[0] = keysFar(1 + t);
  out[1] = keysNear(t);
  out[2] = keysNear(1 - t);
  out[3] = keysFar(2 - t);
}

/**
 * Checks the source samples and window of a request against the raster, and `valid` against
 * the number of destination pixels warped.
 * @throws ValidationError naming the size that disagrees.
 */
export function checkSourceWindow(
  request: Omit<WarpWindowRequest, 'sourceCol' | 'sourceRow'>,
  pixels: number,
): void {
  const { source, sourceWindow: w, valid } = request;
  if (source.length !== w.width * w.height) {
    throw new ValidationError(
      `warpWindow: source holds ${source.length} samples; the ${w.width} × ${w.height} source window needs ${w.width * w.height}`,
    );
  }
  if (valid !== undefined && valid.length < pixels) {
    throw new ValidationError(
      `warpWindow: valid holds ${valid.length} flags; expected at least ${pixels}`,
    );
  }
  const rasterWidth = request.sourceRasterWidth ?? w.col0 + w.width;
  const rasterHeight = request.sourceRasterHeight ?? w.row0 + w.height;
  if (
    w.col0 < 0 ||
    w.row0 < 0 ||
    w.col0 + w.width > rasterWidth ||
    w.row0 + w.height > rasterHeight
  ) {
    throw new ValidationError(
      `warpWindow: source window (${w.col0}, ${w.row0}, ${w.width} × ${w.height}) must lie inside the ${rasterWidth} × ${rasterHeight} source raster`,
    );
  }
}

function checkRequest(request: WarpWindowRequest): void {
  const { out, sourceCol, sourceRow } = request;
  checkSourceWindow(request, out.length);
  if (sourceCol.length < out.length || sourceRow.length < out.length) {
    throw new ValidationError(
      `warpWindow: ${out.length} output pixels need as many positions; got ${sourceCol.length} columns and ${sourceRow.length} rows`,
    );
  }
}

/** Per-call state of the sampler: bounds and scratch taps, reused for every pixel. */
interface Sampler {
  readonly source: PixelArray;
  readonly nodata: number | null;
  readonly method: ResampleMethod;
  readonly col0: number;
  readonly row0: number;
  readonly width: number;
  readonly height: number;
  /** The raster's extent in absolute pixel-corner coordinates: [lowX, highX) × [lowY, highY). */
  readonly lowX: number;
  readonly lowY: number;
  readonly highX: number;
  readonly highY: number;
  readonly wx: Float64Array;
  readonly wy: Float64Array;
  readonly ix: Int32Array;
  readonly iy: Int32Array;
}

function makeSampler(request: WarpWindowRequest): Sampler {
  const { col0, row0, width, height } = request.sourceWindow;
  return {
    source: request.source,
    nodata: request.nodataIn,
    method: request.method,
    col0,
    row0,
    width,
    height,
    lowX: request.sourceRasterWidth === undefined ? col0 : 0,
    lowY: request.sourceRasterHeight === undefined ? row0 : 0,
    highX: request.sourceRasterWidth ?? col0 + width,
    highY: request.sourceRasterHeight ?? row0 + height,
    wx: Float64Array.of(1, 0, 0, 0),
    wy: Float64Array.of(1, 0, 0, 0),
    ix: new Int32Array(4),
    iy: new Int32Array(4),
  };
}

/** Sets the sampler's weights for the taps around (x, y) (bilinear or cubic). */
function placeWeights(s: Sampler, x: number, y: number, bx: number, by: number): void {
  const { wx, wy } = s;
  const tx = x - 0.5 - bx;
  const ty = y - 0.5 - by;
  if (s.method === 'cubic') {
    cubicWeights(tx, wx);
    cubicWeights(ty, wy);
    return;
  }
  wx[0] = 1 - tx;
  wx[1] = tx;
  wy[0] = 1 - ty;
  wy[1] = ty;
}

/** Window-relative tap indexes, clamped to the raster's edges (which repeat). */
function placeEdgeTaps(s: Sampler, bx: number, by: number, taps: number, first: number): void {
  for (let k = 0; k < taps; k += 1) {
    s.ix[k] = Math.min(s.highX - 1, Math.max(s.lowX, bx + first + k)) - s.col0;
    s.iy[k] = Math.min(s.highY - 1, Math.max(s.lowY, by + first + k)) - s.row0;
  }
}

/** weight · source[index], 0 for a zero weight, NaN for a nodata or NaN sample. */
export function tap(
  source: PixelArray,
  index: number,
  weight: number,
  nodata: number | null,
): number {
  if (weight === 0) return 0;
  const v = source[index] ?? Number.NaN;
  return v === nodata ? Number.NaN : weight * v;
}

/** Σ wk · source[offset + k] over 2 or 4 taps (NaN when a weighted tap is invalid). */
function rowSum(
  source: PixelArray,
  offset: number,
  taps: number,
  w: Float64Array,
  nodata: number | null,
): number {
  const two = tap(source, offset, w[0] ?? 0, nodata) + tap(source, offset + 1, w[1] ?? 0, nodata);
  if (taps === 2) return two;
  return (
    two + tap(source, offset + 2, w[2] ?? 0, nodata) + tap(source, offset + 3, w[3] ?? 0, nodata)
  );
}

/** The value of a kernel that reaches past the window or raster edge (taps clamped to it). */
function sampleEdge(s: Sampler, bx: number, by: number, taps: number, first: number): number {
  const { source, width, height, wx, wy, ix, iy, nodata } = s;
  placeEdgeTaps(s, bx, by, taps, first);
  let sum = 0;
  for (let j = 0; j < taps; j += 1) {
    const weightY = wy[j] ?? 0;
    if (weightY === 0) continue;
    const r = iy[j] ?? -1;
    if (r < 0 || r >= height) return Number.NaN;
    for (let k = 0; k < taps; k += 1) {
      const c = ix[k] ?? -1;
      const weightX = wx[k] ?? 0;
      if (weightX !== 0 && (c < 0 || c >= width)) return Number.NaN;
      sum += weightY * tap(source, r * width + c, weightX, nodata);
    }
  }
  return sum;
}

/** Nearest-neighbour samples into `out`, NaN where invalid. */
function sampleNearestInto(
  s: Sampler,
  cols: Float64Array,
  rows: Float64Array,
  out: Float32Array,
): void {
  const { source, width, height, col0, row0, lowX, lowY, highX, highY, nodata } = s;
  for (let i = 0; i < out.length; i += 1) {
    const x = cols[i] ?? Number.NaN;
    const y = rows[i] ?? Number.NaN;
    const c = Math.floor(x) - col0;
    const r = Math.floor(y) - row0;
    const inside = x >= lowX && x < highX && y >= lowY && y < highY;
    if (!inside || c < 0 || c >= width || r < 0 || r >= height) {
      out[i] = Number.NaN;
      continue;
    }
    const v = source[r * width + c] ?? Number.NaN;
    out[i] = v === nodata ? Number.NaN : v;
  }
}

/** Bilinear or cubic samples into `out`, NaN where invalid. */
function sampleKernelInto(
  s: Sampler,
  cols: Float64Array,
  rows: Float64Array,
  out: Float32Array,
): void {
  const { source, width, height, col0, row0, lowX, lowY, highX, highY, wx, wy, nodata } = s;
  const taps = s.method === 'cubic' ? 4 : 2;
  const first = s.method === 'cubic' ? -1 : 0;
  // Kernels whose base pixel lies in [minBx, maxBx] × [minBy, maxBy] sit wholly in the window.
  const minBx = col0 - first;
  const maxBx = col0 + width - taps - first;
  const minBy = row0 - first;
  const maxBy = row0 + height - taps - first;
  for (let i = 0; i < out.length; i += 1) {
    const x = cols[i] ?? Number.NaN;
    const y = rows[i] ?? Number.NaN;
    if (!(x >= lowX && x < highX && y >= lowY && y < highY)) {
      out[i] = Number.NaN;
      continue;
    }
    const bx = Math.floor(x - 0.5);
    const by = Math.floor(y - 0.5);
    placeWeights(s, x, y, bx, by);
    if (bx < minBx || bx > maxBx || by < minBy || by > maxBy) {
      out[i] = sampleEdge(s, bx, by, taps, first);
      continue;
    }
    let offset = (by + first - row0) * width + (bx + first - col0);
    let sum = 0;
    for (let j = 0; j < taps; j += 1) {
      const weight = wy[j] ?? 0;
      if (weight !== 0) sum += weight * rowSum(source, offset, taps, wx, nodata);
      offset += width;
    }
    out[i] = sum;
  }
}

/**
 * out[i] = the source sampled at (sourceCol[i], sourceRow[i]) with `method`. A destination
 * pixel gets `fill` (and valid 0) when its position is outside the source raster (or NaN),
 * or when a kernel tap of non-zero weight is nodata, NaN, or outside the source window
 * (a window too small). Where the position sits exactly on a pixel centre only that pixel
 * has weight, so an identity mapping copies the source exactly.
 * @returns the number of valid destination pixels.
 * @throws ValidationError when the array sizes disagree or the window is outside the raster.
 */
export function warpWindow(request: WarpWindowRequest): number {
  checkRequest(request);
  const { sourceCol, sourceRow, out, valid } = request;
  const sampler = makeSampler(request);
  if (request.method === 'nearest') sampleNearestInto(sampler, sourceCol, sourceRow, out);
  else sampleKernelInto(sampler, sourceCol, sourceRow, out);
  return finishWarp(out, request.fill ?? Number.NaN, valid);
}

/**
 * Writes `fill` over the NaN (invalid) samples of `out` and, when given, 1 or 0 into `valid`.
 * @returns the number of valid samples.
 */
export function finishWarp(out: Float32Array, fill: number, valid: Uint8Array | undefined): number {
  let validCount = 0;
  for (let i = 0; i < out.length; i += 1) {
    const ok = out[i] === out[i];
    if (!ok) out[i] = fill;
    if (valid !== undefined) valid[i] = ok ? 1 : 0;
    if (ok) validCount += 1;
  }
  return validCount;
}
