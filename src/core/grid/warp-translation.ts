/**
 * Fast paths of {@link warpWindow} for a destination window whose source positions are its
 * pixel centres shifted by one offset: an image on the common grid's own pixel lattice, before
 * or after a co-registration shift. An integer offset (identical grids included) is a strided
 * copy; a sub-pixel one is separable, so each column's taps and weights and each row's are
 * computed once, and each source row's horizontal pass (2 multiply-adds a sample) serves the
 * two destination rows that read it (2 more). Positions, weights and the order of the sums
 * are warpWindow's, so the values are the same; kernels that reach past the source window or
 * raster edge go through warpWindow itself.
 */
import { ValidationError } from '../errors.ts';
import type { PixelWindow } from '../raster/raster.ts';
import type { CornerAffine } from './pixel-mapping.ts';
import {
  checkSourceWindow,
  finishWarp,
  tap,
  warpWindow,
  type WarpWindowRequest,
} from './warp-window.ts';

/** Inputs of {@link warpTranslation}: warpWindow's, with an offset instead of positions. */
export interface TranslationWarpRequest extends Omit<
  WarpWindowRequest,
  'sourceCol' | 'sourceRow' | 'method'
> {
  /** The destination window; `out` holds its width × height pixels, row-major. */
  readonly window: PixelWindow;
  /** Destination pixel centre (x, y) samples the source at (x + colOffsetPx, y + rowOffsetPx). */
  readonly colOffsetPx: number;
  readonly rowOffsetPx: number;
  readonly method: 'nearest' | 'bilinear';
}

/** The offsets (source pixels) of an affine map that is a pure translation, else null. */
export function translationOffsets(
  affine: CornerAffine,
): { readonly colOffsetPx: number; readonly rowOffsetPx: number } | null {
  const [a, b, c, d, e, f] = affine;
  return a === 1 && b === 0 && d === 0 && e === 1 ? { colOffsetPx: c, rowOffsetPx: f } : null;
}

/** Where one axis of the destination window reads the source, per destination column or row. */
interface AxisTaps {
  /** Source position of each destination pixel centre on this axis. */
  readonly position: Float64Array;
  /** 1 where the position is inside the source raster (else the pixel is filled). */
  readonly inside: Uint8Array;
  /** Window-relative index of the (first) tap; may lie outside the window near its edges. */
  readonly index: Int32Array;
  /** Weights of the first and second tap (bilinear); 1 and 0 for nearest. */
  readonly weight0: Float64Array;
  readonly weight1: Float64Array;
  /** 1 where the kernel lies wholly in the source window (else warpWindow handles it). */
  readonly interior: Uint8Array;
}

/**
 * One axis's taps, as warpWindow places them: `start` is the destination window's first
 * column (row), `low`/`high` the raster's extent and `first`/`size` the source window's.
 */
function axisTaps(
  start: number,
  count: number,
  offsetPx: number,
  low: number,
  high: number,
  first: number,
  size: number,
  bilinear: boolean,
): AxisTaps {
  const taps: AxisTaps = {
    position: new Float64Array(count),
    inside: new Uint8Array(count),
    index: new Int32Array(count),
    weight0: new Float64Array(count),
    weight1: new Float64Array(count),
    interior: new Uint8Array(count),
  };
  for (let k = 0; k < count; k += 1) {
    const p = start + k + 0.5 + offsetPx;
    taps.position[k] = p;
    if (!(p >= low && p < high)) continue;
    taps.inside[k] = 1;
    const base = bilinear ? Math.floor(p - 0.5) : Math.floor(p);
    const t = bilinear ? p - 0.5 - base : 0;
    taps.index[k] = base - first;
    taps.weight0[k] = 1 - t;
    taps.weight1[k] = t;
    const last = bilinear ? first + size - 2 : first + size - 1;
    taps.interior[k] = base >= first && base <= last ? 1 : 0;
  }
  return taps;
}

/** Σ of one source row's two taps for every interior destination column (NaN if invalid). */
function horizontalPass(
  request: TranslationWarpRequest,
  columns: AxisTaps,
  sourceRow: number,
  into: Float64Array,
): void {
  const { source, nodataIn } = request;
  const rowOffset = sourceRow * request.sourceWindow.width;
  const { index, weight0, weight1, interior } = columns;
  // A local binding: under tsx an imported function is a getter call at every use.
  const sample = tap;
  for (let k = 0; k < into.length; k += 1) {
    if (interior[k] !== 1) continue;
    const at = rowOffset + (index[k] ?? 0);
    into[k] =
      sample(source, at, weight0[k] ?? 0, nodataIn) +
      sample(source, at + 1, weight1[k] ?? 0, nodataIn);
  }
}

/** Horizontal passes of the two source rows a destination row reads, each computed once. */
class RowPasses {
  readonly #rows = [-1, -1];
  readonly #sums: Float64Array[];

  constructor(
    readonly request: TranslationWarpRequest,
    readonly columns: AxisTaps,
  ) {
    this.#sums = [new Float64Array(request.window.width), new Float64Array(request.window.width)];
  }

  /** The pass of window-relative source row `row`; `keep` is the other row still needed. */
  of(row: number, keep: number): Float64Array {
    const held = this.#rows.indexOf(row);
    if (held >= 0) return this.#sums[held] as Float64Array;
    const slot = this.#rows[0] === keep ? 1 : 0;
    const sums = this.#sums[slot] as Float64Array;
    horizontalPass(this.request, this.columns, row, sums);
    this.#rows[slot] = row;
    return sums;
  }
}

/** Destination pixels left to warpWindow (kernels over an edge), sampled there and put back. */
function sampleEdges(
  request: TranslationWarpRequest,
  columns: AxisTaps,
  rows: AxisTaps,
  pixels: readonly number[],
): void {
  const { width } = request.window;
  const sourceCol = new Float64Array(pixels.length);
  const sourceRow = new Float64Array(pixels.length);
  pixels.forEach((p, i) => {
    sourceCol[i] = columns.position[p % width] ?? Number.NaN;
    sourceRow[i] = rows.position[Math.floor(p / width)] ?? Number.NaN;
  });
  const values = new Float32Array(pixels.length);
  warpWindow({
    source: request.source,
    sourceWindow: request.sourceWindow,
    ...(request.sourceRasterWidth !== undefined
      ? { sourceRasterWidth: request.sourceRasterWidth }
      : {}),
    ...(request.sourceRasterHeight !== undefined
      ? { sourceRasterHeight: request.sourceRasterHeight }
      : {}),
    sourceCol,
    sourceRow,
    method: request.method,
    nodataIn: request.nodataIn,
    out: values,
  });
  pixels.forEach((p, i) => {
    request.out[p] = values[i] ?? Number.NaN;
  });
}

/** An integer offset: each destination row is a run of one source row (NaN around it). */
function copyRows(request: TranslationWarpRequest, columns: AxisTaps, rows: AxisTaps): void {
  const { source, out, nodataIn } = request;
  const { width } = request.window;
  // The columns whose pixel is in the source window: one run, positions growing with k.
  const first = columns.interior.indexOf(1);
  const end = first < 0 ? 0 : columns.interior.lastIndexOf(1) + 1;
  const sourceFirst = columns.index[first] ?? 0;
  for (let r = 0; r < rows.index.length; r += 1) {
    const start = r * width;
    if (rows.interior[r] !== 1 || first < 0) {
      out.fill(Number.NaN, start, start + width);
      continue;
    }
    const from = (rows.index[r] ?? 0) * request.sourceWindow.width + sourceFirst;
    out.fill(Number.NaN, start, start + first);
    out.set(source.subarray(from, from + end - first), start + first);
    out.fill(Number.NaN, start + end, start + width);
    if (nodataIn === null) continue;
    for (let k = first; k < end; k += 1) {
      if (source[from + k - first] === nodataIn) out[start + k] = Number.NaN;
    }
  }
}

/** A sub-pixel offset: interior pixels from the row passes, the rest through warpWindow. */
function resampleRows(request: TranslationWarpRequest, columns: AxisTaps, rows: AxisTaps): void {
  const { out } = request;
  const { width } = request.window;
  const passes = new RowPasses(request, columns);
  // A row of zero weight reads as 0: 0 + 0 · 0 adds nothing, as warpWindow skipping it.
  const none = new Float64Array(width);
  // Per column: 0 outside the raster (filled), 1 interior, 2 over an edge (warpWindow's).
  const state = columns.inside.map((inside, k) =>
    inside !== 1 ? 0 : columns.interior[k] === 1 ? 1 : 2,
  );
  const edges: number[] = [];
  for (let r = 0; r < rows.index.length; r += 1) {
    const start = r * width;
    if (rows.inside[r] !== 1) {
      out.fill(Number.NaN, start, start + width);
      continue;
    }
    const row = rows.index[r] ?? 0;
    const wy0 = rows.weight0[r] ?? 0;
    const wy1 = rows.weight1[r] ?? 0;
    const rowInterior = rows.interior[r] === 1;
    const upper = rowInterior && wy0 !== 0 ? passes.of(row, row + 1) : none;
    const lower = rowInterior && wy1 !== 0 ? passes.of(row + 1, row) : none;
    for (let k = 0; k < width; k += 1) {
      const column = state[k];
      if (column === 1 && rowInterior) {
        out[start + k] = 0 + wy0 * (upper[k] ?? 0) + wy1 * (lower[k] ?? 0);
      } else if (column === 0) {
        out[start + k] = Number.NaN;
      } else {
        edges.push(start + k);
      }
    }
  }
  if (edges.length > 0) sampleEdges(request, columns, rows, edges);
}

/**
 * warpWindow with positions (x + colOffsetPx, y + rowOffsetPx) for the destination pixel
 * centres (x, y) of `window`, without the positions: the same values (nearest and bilinear),
 * fills and valid flags, in a fraction of the time.
 * @returns the number of valid destination pixels.
 * @throws ValidationError when the array sizes disagree or the window is outside the raster.
 */
export function warpTranslation(request: TranslationWarpRequest): number {
  const { window, sourceWindow: w, out } = request;
  const pixels = window.width * window.height;
  if (out.length !== pixels) {
    throw new ValidationError(
      `warpTranslation: out holds ${out.length} samples; the ${window.width} × ${window.height} window needs ${pixels}`,
    );
  }
  checkSourceWindow(request, pixels);
  const lowX = request.sourceRasterWidth === undefined ? w.col0 : 0;
  const lowY = request.sourceRasterHeight === undefined ? w.row0 : 0;
  const highX = request.sourceRasterWidth ?? w.col0 + w.width;
  const highY = request.sourceRasterHeight ?? w.row0 + w.height;
  const integer = Number.isInteger(request.colOffsetPx) && Number.isInteger(request.rowOffsetPx);
  // An integer offset puts every position on a pixel centre: one tap of weight 1, as nearest.
  const bilinear = request.method === 'bilinear' && !integer;
  const columns = axisTaps(
    window.col0,
    window.width,
    request.colOffsetPx,
    lowX,
    highX,
    w.col0,
    w.width,
    bilinear,
  );
  const rows = axisTaps(
    window.row0,
    window.height,
    request.rowOffsetPx,
    lowY,
    highY,
    w.row0,
    w.height,
    bilinear,
  );
  if (bilinear) resampleRows(request, columns, rows);
  else copyRows(request, columns, rows);
  return finishWarp(out, request.fill ?? Number.NaN, request.valid);
}
