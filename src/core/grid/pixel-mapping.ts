/**
 * Maps from destination pixels to source pixels, the input of warping: for each pixel of the
 * common grid, where to sample the image being resampled.
 *
 * Coordinates on both sides are pixel-corner coordinates: pixel (col, row) covers
 * [col, col + 1) × [row, row + 1), its centre is (col + 0.5, row + 0.5), as in a GDAL
 * geotransform (unlike coregister/affine.ts, whose pixel centres sit at integers).
 */
import { ValidationError } from '../errors.ts';
import type { PixelWindow } from '../raster/raster.ts';
import type { Grid } from './grid.ts';

/**
 * A 2 × 3 row-major affine map in pixel-corner coordinates:
 * (col, row) ↦ (m[0]·col + m[1]·row + m[2], m[3]·col + m[4]·row + m[5]).
 */
export type CornerAffine = readonly [number, number, number, number, number, number];

/** Destination pixel → source pixel positions. Positions with no source position are NaN. */
export interface PixelMapping {
  readonly destination: Grid;
  readonly source: Grid;
  /** The whole map as one affine map (same CRS, no mesh), or null when it is not affine. */
  readonly affine: CornerAffine | null;
  /** Exact CRS transforms made to build the mapping (0 for an affine one); for diagnostics. */
  readonly exactTransformCount: number;
  /**
   * Fills outCol/outRow[r · window.width + c] with the source position of the centre of
   * destination pixel (window.col0 + c, window.row0 + r). Windows may reach beyond the
   * destination grid (positions there are extrapolated).
   * @throws ValidationError when an output array holds fewer than window.width × window.height.
   */
  mapWindow(window: PixelWindow, outCol: Float64Array, outRow: Float64Array): void;
  /**
   * outCol/outRow[i] = source position of destination position (cols[i], rows[i]), any
   * positions; the output arrays may be the input arrays (mapped in place).
   */
  mapPoints(
    cols: Float64Array,
    rows: Float64Array,
    outCol: Float64Array,
    outRow: Float64Array,
  ): void;
  /**
   * The source pixels that warping `window` reads: the pixels holding the mapped positions
   * of its pixel centres, grown by `marginPx` pixels on each side (the kernel radius, see
   * `kernelMarginPx`) and clipped to the source grid; null when none is inside it.
   */
  sourceWindowFor(window: PixelWindow, marginPx: number): PixelWindow | null;
}

/** Checks that a window has non-negative integer sizes and integer origin. */
export function checkWindow(window: PixelWindow, label: string): void {
  const { col0, row0, width, height } = window;
  if (![col0, row0, width, height].every(Number.isInteger) || width < 0 || height < 0) {
    throw new ValidationError(
      `${label}: window (${col0}, ${row0}, ${width} × ${height}) must have integer origin and non-negative integer size`,
    );
  }
}

/** Checks output arrays against a window's pixel count. */
export function checkOutputs(
  window: PixelWindow,
  outCol: Float64Array,
  outRow: Float64Array,
): void {
  checkWindow(window, 'mapWindow');
  const needed = window.width * window.height;
  if (outCol.length < needed || outRow.length < needed) {
    throw new ValidationError(
      `mapWindow: output arrays hold ${outCol.length} and ${outRow.length} positions; the ${window.width} × ${window.height} window needs ${needed}`,
    );
  }
}

/** Fills cols/rows with the centres of the window's pixels, row-major. */
export function windowCentres(window: PixelWindow, cols: Float64Array, rows: Float64Array): void {
  let i = 0;
  for (let r = 0; r < window.height; r += 1) {
    const y = window.row0 + r + 0.5;
    for (let c = 0; c < window.width; c += 1) {
      cols[i] = window.col0 + c + 0.5;
      rows[i] = y;
      i += 1;
    }
  }
}

/**
 * Source window from the source positions of some probe points: the pixels holding them,
 * grown by marginPx and clipped to the source grid; null when no probe is finite or the
 * clipped window is empty.
 */
export function windowAroundPositions(
  cols: Float64Array,
  rows: Float64Array,
  count: number,
  marginPx: number,
  source: Grid,
): PixelWindow | null {
  if (!Number.isInteger(marginPx) || marginPx < 0) {
    throw new ValidationError(`marginPx must be a non-negative integer; got ${marginPx}`);
  }
  let minCol = Infinity;
  let minRow = Infinity;
  let maxCol = -Infinity;
  let maxRow = -Infinity;
  for (let i = 0; i < count; i += 1) {
    const c = cols[i] ?? Number.NaN;
    const r = rows[i] ?? Number.NaN;
    if (!Number.isFinite(c) || !Number.isFinite(r)) continue;
    if (c < minCol) minCol = c;
    if (c > maxCol) maxCol = c;
    if (r < minRow) minRow = r;
    if (r > maxRow) maxRow = r;
  }
  if (minCol > maxCol) return null;
  const col0 = Math.max(0, Math.floor(minCol) - marginPx);
  const row0 = Math.max(0, Math.floor(minRow) - marginPx);
  const col1 = Math.min(source.width - 1, Math.floor(maxCol) + marginPx);
  const row1 = Math.min(source.height - 1, Math.floor(maxRow) + marginPx);
  if (col1 < col0 || row1 < row0) return null;
  return { col0, row0, width: col1 - col0 + 1, height: row1 - row0 + 1 };
}

/** Spacing, in pixels, of the interior probes of {@link probeSourceWindow}. */
const PROBE_STEP_PX = 16;

/**
 * sourceWindowFor of a mapping that is not affine: maps every pixel centre on the window's
 * border (where a smooth map's extremes lie) and a lattice of interior centres every 16 px.
 */
export function probeSourceWindow(
  mapping: PixelMapping,
  window: PixelWindow,
  marginPx: number,
): PixelWindow | null {
  checkWindow(window, 'sourceWindowFor');
  const { col0, row0, width, height } = window;
  if (width === 0 || height === 0) return null;
  const cols: number[] = [];
  const rows: number[] = [];
  const add = (c: number, r: number): void => {
    cols.push(col0 + c + 0.5);
    rows.push(row0 + r + 0.5);
  };
  for (let c = 0; c < width; c += 1) {
    add(c, 0);
    add(c, height - 1);
  }
  for (let r = 0; r < height; r += 1) {
    add(0, r);
    add(width - 1, r);
  }
  for (let r = PROBE_STEP_PX; r < height - 1; r += PROBE_STEP_PX) {
    for (let c = PROBE_STEP_PX; c < width - 1; c += PROBE_STEP_PX) add(c, r);
  }
  const inCol = Float64Array.from(cols);
  const inRow = Float64Array.from(rows);
  mapping.mapPoints(inCol, inRow, inCol, inRow);
  return windowAroundPositions(inCol, inRow, inCol.length, marginPx, mapping.source);
}

/** A mapping that is one affine map, e.g. between two grids of the same CRS. */
/**
 * The source position of each pixel centre of `window` under a corner affine, row by row
 * (no checks: the arrays must hold `width × height` positions).
 */
export function mapWindowByAffine(
  affine: CornerAffine,
  window: PixelWindow,
  outCol: Float64Array,
  outRow: Float64Array,
): void {
  const [a, b, c, d, e, f] = affine;
  let i = 0;
  for (let r = 0; r < window.height; r += 1) {
    const y = window.row0 + r + 0.5;
    const colStart = b * y + c;
    const rowStart = e * y + f;
    for (let k = 0; k < window.width; k += 1) {
      const x = window.col0 + k + 0.5;
      outCol[i] = a * x + colStart;
      outRow[i] = d * x + rowStart;
      i += 1;
    }
  }
}

export class AffinePixelMapping implements PixelMapping {
  readonly exactTransformCount = 0;

  constructor(
    readonly destination: Grid,
    readonly source: Grid,
    readonly affine: CornerAffine,
  ) {
    if (!affine.every((term) => Number.isFinite(term))) {
      throw new ValidationError(`affine pixel map [${affine.join(', ')}] must be finite`);
    }
  }

  mapWindow(window: PixelWindow, outCol: Float64Array, outRow: Float64Array): void {
    checkOutputs(window, outCol, outRow);
    mapWindowByAffine(this.affine, window, outCol, outRow);
  }

  mapPoints(
    cols: Float64Array,
    rows: Float64Array,
    outCol: Float64Array,
    outRow: Float64Array,
  ): void {
    const [a, b, c, d, e, f] = this.affine;
    for (let i = 0; i < cols.length; i += 1) {
      const x = cols[i] ?? Number.NaN;
      const y = rows[i] ?? Number.NaN;
      outCol[i] = a * x + b * y + c;
      outRow[i] = d * x + e * y + f;
    }
  }

  sourceWindowFor(window: PixelWindow, marginPx: number): PixelWindow | null {
    checkWindow(window, 'sourceWindowFor');
    if (window.width === 0 || window.height === 0) return null;
    const left = window.col0 + 0.5;
    const top = window.row0 + 0.5;
    const right = window.col0 + window.width - 0.5;
    const bottom = window.row0 + window.height - 0.5;
    const cols = Float64Array.of(left, right, left, right);
    const rows = Float64Array.of(top, top, bottom, bottom);
    this.mapPoints(cols, rows, cols, rows);
    return windowAroundPositions(cols, rows, 4, marginPx, this.source);
  }
}
