/**
 * The approximate pixel mapping between grids of different CRSs, after GDAL's approximate
 * transformer: exact transforms on a mesh of control points, bilinear interpolation between
 * them. The destination grid is cut into square cells of `initialStepPx`; each cell halves its
 * node spacing until interpolating its nodes reproduces the exact transform at the midpoints
 * (sub-cell centres and edge midpoints, where a smooth map's interpolation error peaks) within
 * `maxErrorPx` source pixels. The finer node set is then kept, so the error left is about a
 * quarter of the one measured. A cell that still fails at 1-pixel spacing, or has a node outside
 * the transform's domain at every level, is transformed exactly pixel by pixel; a cell none
 * of whose 3 × 3 first nodes has a source position is taken as wholly outside the domain.
 */
import type { Position } from '../geo/types.ts';
import type { PixelWindow } from '../raster/raster.ts';
import type { Grid } from './grid.ts';
import { checkOutputs, probeSourceWindow, type PixelMapping } from './pixel-mapping.ts';

/** Exact source position of a destination position (pixel-corner coordinates), or null. */
export type ExactPixelMap = (col: number, row: number) => Position | null;

interface MeshCell {
  readonly x0: number;
  readonly y0: number;
  /** Node spacing along columns and rows, in destination pixels. */
  readonly stepX: number;
  readonly stepY: number;
  /** Sub-cells per side; nodes are (divisions + 1)², row-major. */
  readonly divisions: number;
  /**
   * Source columns and rows at the nodes; null for a cell transformed pixel by pixel, or
   * wholly outside the transform's domain when `outside`.
   */
  readonly cols: Float64Array | null;
  readonly rows: Float64Array | null;
  /** No node of the first level had a source position: every pixel maps to NaN. */
  readonly outside: boolean;
}

/** Options of the mesh, in pixels. */
export interface MeshOptions {
  /** Largest accepted interpolation error, in source pixels (> 0). */
  readonly maxErrorPx: number;
  /** Side of the top-level cells, in destination pixels (integer >= 2). */
  readonly initialStepPx: number;
}

/** Exact node positions of a cell split into `divisions` sub-cells per side. */
function sampleNodes(
  exact: ExactPixelMap,
  x0: number,
  y0: number,
  stepX: number,
  stepY: number,
  divisions: number,
): { cols: Float64Array; rows: Float64Array } {
  const count = (divisions + 1) * (divisions + 1);
  const cols = new Float64Array(count);
  const rows = new Float64Array(count);
  let k = 0;
  for (let j = 0; j <= divisions; j += 1) {
    for (let i = 0; i <= divisions; i += 1) {
      const p = exact(x0 + i * stepX, y0 + j * stepY);
      cols[k] = p === null ? Number.NaN : p[0];
      rows[k] = p === null ? Number.NaN : p[1];
      k += 1;
    }
  }
  return { cols, rows };
}

/**
 * Whether the even nodes of a (2n + 1)² node set, interpolated bilinearly, reproduce its odd
 * nodes within maxErrorPx (and every node is finite).
 */
function coarseNodesSuffice(
  cols: Float64Array,
  rows: Float64Array,
  divisions: number,
  maxErrorPx: number,
): boolean {
  const side = divisions + 1;
  for (let j = 0; j < side; j += 1) {
    for (let i = 0; i < side; i += 1) {
      const c = cols[j * side + i] ?? Number.NaN;
      const r = rows[j * side + i] ?? Number.NaN;
      if (!Number.isFinite(c) || !Number.isFinite(r)) return false;
      if (i % 2 === 0 && j % 2 === 0) continue;
      const error = Math.hypot(
        c - evenNodeEstimate(cols, side, i, j),
        r - evenNodeEstimate(rows, side, i, j),
      );
      if (!(error <= maxErrorPx)) return false;
    }
  }
  return true;
}

/** Node (i, j) interpolated from the even nodes around it (the coarser level's nodes). */
function evenNodeEstimate(values: Float64Array, side: number, i: number, j: number): number {
  const i0 = i % 2 === 0 ? i : i - 1;
  const i1 = i % 2 === 0 ? i : i + 1;
  const j0 = (j % 2 === 0 ? j : j - 1) * side;
  const j1 = (j % 2 === 0 ? j : j + 1) * side;
  const sum =
    (values[j0 + i0] ?? Number.NaN) +
    (values[j0 + i1] ?? Number.NaN) +
    (values[j1 + i0] ?? Number.NaN) +
    (values[j1 + i1] ?? Number.NaN);
  return sum / 4;
}

/** Mapping by an adaptively refined mesh of exact control points; see the module comment. */
export class MeshPixelMapping implements PixelMapping {
  readonly affine = null;
  readonly #cells: MeshCell[] = [];
  readonly #cellsX: number;
  readonly #cellsY: number;
  readonly #step: number;
  readonly #exact: ExactPixelMap;
  readonly #scratchCol: Float64Array;
  readonly #scratchRow: Float64Array;
  #transforms = 0;

  constructor(
    readonly destination: Grid,
    readonly source: Grid,
    exact: ExactPixelMap,
    options: MeshOptions,
  ) {
    this.#step = options.initialStepPx;
    this.#cellsX = Math.ceil(destination.width / this.#step);
    this.#cellsY = Math.ceil(destination.height / this.#step);
    let maxDivisions = 1;
    this.#exact = (col, row) => {
      this.#transforms += 1;
      return exact(col, row);
    };
    for (let cy = 0; cy < this.#cellsY; cy += 1) {
      for (let cx = 0; cx < this.#cellsX; cx += 1) {
        const cell = this.#buildCell(cx, cy, options.maxErrorPx);
        maxDivisions = Math.max(maxDivisions, cell.divisions);
        this.#cells.push(cell);
      }
    }
    this.#scratchCol = new Float64Array(maxDivisions + 1);
    this.#scratchRow = new Float64Array(maxDivisions + 1);
  }

  get exactTransformCount(): number {
    return this.#transforms;
  }

  #buildCell(cx: number, cy: number, maxErrorPx: number): MeshCell {
    const x0 = cx * this.#step;
    const y0 = cy * this.#step;
    const width = Math.min(this.#step, this.destination.width - x0);
    const height = Math.min(this.#step, this.destination.height - y0);
    for (let divisions = 2; ; divisions *= 2) {
      const stepX = width / divisions;
      const stepY = height / divisions;
      const nodes = sampleNodes(this.#exact, x0, y0, stepX, stepY, divisions);
      if (coarseNodesSuffice(nodes.cols, nodes.rows, divisions, maxErrorPx)) {
        return { x0, y0, stepX, stepY, divisions, ...nodes, outside: false };
      }
      const outside = divisions === 2 && nodes.cols.every((c) => Number.isNaN(c));
      if (outside || Math.max(stepX, stepY) <= 1) {
        return { x0, y0, stepX, stepY, divisions: 1, cols: null, rows: null, outside };
      }
    }
  }

  #cellAt(x: number, y: number): MeshCell {
    const cx = Math.min(this.#cellsX - 1, Math.max(0, Math.floor(x / this.#step)));
    const cy = Math.min(this.#cellsY - 1, Math.max(0, Math.floor(y / this.#step)));
    return this.#cells[cy * this.#cellsX + cx] as MeshCell;
  }

  mapPoints(
    cols: Float64Array,
    rows: Float64Array,
    outCol: Float64Array,
    outRow: Float64Array,
  ): void {
    for (let k = 0; k < cols.length; k += 1) {
      const x = cols[k] ?? Number.NaN;
      const y = rows[k] ?? Number.NaN;
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        outCol[k] = Number.NaN;
        outRow[k] = Number.NaN;
        continue;
      }
      const cell = this.#cellAt(x, y);
      if (cell.cols === null || cell.rows === null) {
        const p = cell.outside ? null : this.#exact(x, y);
        outCol[k] = p === null ? Number.NaN : p[0];
        outRow[k] = p === null ? Number.NaN : p[1];
        continue;
      }
      const n = cell.divisions;
      const u = (x - cell.x0) / cell.stepX;
      const v = (y - cell.y0) / cell.stepY;
      const i = Math.min(n - 1, Math.max(0, Math.floor(u)));
      const j = Math.min(n - 1, Math.max(0, Math.floor(v)));
      outCol[k] = bilinear(cell.cols, n + 1, i, j, u - i, v - j);
      outRow[k] = bilinear(cell.rows, n + 1, i, j, u - i, v - j);
    }
  }

  mapWindow(window: PixelWindow, outCol: Float64Array, outRow: Float64Array): void {
    checkOutputs(window, outCol, outRow);
    for (let r = 0; r < window.height; r += 1) {
      const y = window.row0 + r + 0.5;
      let c = 0;
      while (c < window.width) {
        const cell = this.#cellAt(window.col0 + c + 0.5, y);
        const lastColumn = cell.x0 + this.#step >= this.destination.width;
        const end = lastColumn
          ? window.width
          : Math.min(window.width, cell.x0 + this.#step - window.col0);
        this.#fillSpan(cell, y, window.col0, c, end, r * window.width, outCol, outRow);
        c = end;
      }
    }
  }

  /** Positions of the pixels c0 ≤ c < c1 of one window row inside one cell. */
  #fillSpan(
    cell: MeshCell,
    y: number,
    col0: number,
    c0: number,
    c1: number,
    offset: number,
    outCol: Float64Array,
    outRow: Float64Array,
  ): void {
    if (cell.cols === null || cell.rows === null) {
      for (let c = c0; c < c1; c += 1) {
        const p = cell.outside ? null : this.#exact(col0 + c + 0.5, y);
        outCol[offset + c] = p === null ? Number.NaN : p[0];
        outRow[offset + c] = p === null ? Number.NaN : p[1];
      }
      return;
    }
    const n = cell.divisions;
    const side = n + 1;
    const v = (y - cell.y0) / cell.stepY;
    const j = Math.min(n - 1, Math.max(0, Math.floor(v)));
    const t = v - j;
    const colAt = this.#scratchCol;
    const rowAt = this.#scratchRow;
    for (let i = 0; i <= n; i += 1) {
      const top = j * side + i;
      const topCol = cell.cols[top] ?? Number.NaN;
      const topRow = cell.rows[top] ?? Number.NaN;
      colAt[i] = topCol + t * ((cell.cols[top + side] ?? Number.NaN) - topCol);
      rowAt[i] = topRow + t * ((cell.rows[top + side] ?? Number.NaN) - topRow);
    }
    const invStep = 1 / cell.stepX;
    for (let c = c0; c < c1; c += 1) {
      const u = (col0 + c + 0.5 - cell.x0) * invStep;
      const i = Math.min(n - 1, Math.max(0, Math.floor(u)));
      const s = u - i;
      const leftCol = colAt[i] ?? Number.NaN;
      const leftRow = rowAt[i] ?? Number.NaN;
      outCol[offset + c] = leftCol + s * ((colAt[i + 1] ?? Number.NaN) - leftCol);
      outRow[offset + c] = leftRow + s * ((rowAt[i + 1] ?? Number.NaN) - leftRow);
    }
  }

  sourceWindowFor(window: PixelWindow, marginPx: number): PixelWindow | null {
    return probeSourceWindow(this, window, marginPx);
  }
}

/** Bilinear interpolation in sub-cell (i, j) of a node array with `side` nodes per row. */
function bilinear(
  values: Float64Array,
  side: number,
  i: number,
  j: number,
  s: number,
  t: number,
): number {
  const k = j * side + i;
  const v00 = values[k] ?? Number.NaN;
  const v10 = values[k + 1] ?? Number.NaN;
  const v01 = values[k + side] ?? Number.NaN;
  const v11 = values[k + side + 1] ?? Number.NaN;
  return v00 + s * (v10 - v00) + t * (v01 - v00) + s * t * (v11 - v10 - v01 + v00);
}
