/**
 * Pixel grids: a raster's size and georeference without its pixels. Two images are compared
 * on one common grid; these helpers describe grids, compare them and find where they overlap.
 *
 * Coordinates: pixel-corner space, where pixel (col, row) covers [col, col + 1) × [row, row + 1)
 * and (0, 0) is the top-left corner of the top-left pixel, as in a GDAL geotransform.
 */
import { ValidationError } from '../errors.ts';
import { applyGeoTransform, invertGeoTransform } from '../geo/footprint.ts';
import type { Bbox, GeoTransform, PositionTransform } from '../geo/types.ts';
import type { PixelWindow } from '../raster/raster.ts';
import { transformOrNull } from './safe-transform.ts';

/** A raster's pixel grid: size and georeference (null geoTransform for pixel-only imagery). */
export interface Grid {
  /** `EPSG:nnnn`, or null when unknown (pixel-only imagery, a world file without `.prj`). */
  readonly crs: string | null;
  readonly geoTransform: GeoTransform | null;
  /** Columns, a positive integer. */
  readonly width: number;
  /** Rows, a positive integer. */
  readonly height: number;
}

/** One line describing a grid for error messages, e.g. `EPSG:32633 1024 × 768 px`. */
export function describeGrid(grid: Grid): string {
  const where =
    grid.geoTransform === null
      ? 'no georeference'
      : `origin (${grid.geoTransform[0]}, ${grid.geoTransform[3]})`;
  return `${grid.crs ?? 'no CRS'} ${grid.width} × ${grid.height} px, ${where}`;
}

/**
 * Checks that the size is positive integers and the geotransform (if any) is finite and
 * invertible.
 * @param label names the grid in error messages.
 * @throws ValidationError naming the bad value.
 */
export function validateGrid(grid: Grid, label: string): void {
  for (const [name, value] of [
    ['width', grid.width],
    ['height', grid.height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new ValidationError(`${label}: ${name} must be a positive integer; got ${value}`);
    }
  }
  if (grid.geoTransform !== null) {
    if (!grid.geoTransform.every((term) => Number.isFinite(term))) {
      throw new ValidationError(
        `${label}: geotransform [${grid.geoTransform.join(', ')}] must be finite`,
      );
    }
    invertGeoTransform(grid.geoTransform);
  }
}

/**
 * The grid's extent in its CRS's map units: the box around its four outer corners.
 * @throws ValidationError when the grid has no geotransform.
 */
export function gridBounds(grid: Grid): Bbox {
  const t = requireGeoTransform(grid, 'grid');
  const corners = [
    applyGeoTransform(t, 0, 0),
    applyGeoTransform(t, grid.width, 0),
    applyGeoTransform(t, grid.width, grid.height),
    applyGeoTransform(t, 0, grid.height),
  ];
  const xs = corners.map((p) => p[0]);
  const ys = corners.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function sameCrs(a: string | null, b: string | null): boolean {
  return a === null || b === null ? a === b : a.toUpperCase() === b.toUpperCase();
}

/**
 * Whether two grids are the same: same CRS (case-insensitive), same size, and b's outer
 * corners within `tolerancePx` pixels of a's (measured in a's pixels). Two pixel-only grids of
 * the same size are equal.
 * @param tolerancePx how far, in pixels, corners may differ (>= 0), e.g. 0.01.
 */
export function gridsEqual(a: Grid, b: Grid, tolerancePx: number): boolean {
  if (!sameCrs(a.crs, b.crs) || a.width !== b.width || a.height !== b.height) return false;
  if (a.geoTransform === null || b.geoTransform === null) {
    return a.geoTransform === b.geoTransform;
  }
  const toPixelA = invertGeoTransform(a.geoTransform);
  for (const [col, row] of [
    [0, 0],
    [a.width, 0],
    [0, a.height],
    [a.width, a.height],
  ] as const) {
    const [c, r] = applyGeoTransform(toPixelA, ...applyGeoTransform(b.geoTransform, col, row));
    if (!(Math.hypot(c - col, r - row) <= tolerancePx)) return false;
  }
  return true;
}

/** The grid of the pixels of `window` of `grid` (same CRS and pixel size, shifted origin). */
export function subGrid(grid: Grid, window: PixelWindow): Grid {
  const t = grid.geoTransform;
  if (t === null)
    return { crs: grid.crs, geoTransform: null, width: window.width, height: window.height };
  const [x, y] = applyGeoTransform(t, window.col0, window.row0);
  return {
    crs: grid.crs,
    geoTransform: [x, t[1], t[2], y, t[4], t[5]],
    width: window.width,
    height: window.height,
  };
}

/** Options of {@link intersectGrids}. */
export interface IntersectOptions {
  /** Names of the two grids in the error message, e.g. image ids; default `A` and `B`. */
  readonly labels?: { readonly a: string; readonly b: string };
  /** Points per edge of b's outline mapped into a (>= 2); default 33. */
  readonly pointsPerEdge?: number;
}

/**
 * The part of grid `a` covered by grid `b`: b's outline (densified, so curved reprojections
 * bend it) mapped into a's pixels, its bounding box rounded outwards to whole pixels and
 * clipped to a. A bounding box, so it may include a few pixels b does not cover where b is
 * rotated relative to a; warping marks those invalid. Outline points that cannot be
 * transformed (outside a's projection domain) are skipped.
 * Pixel-only grids (no geotransform on both sides) are aligned at their top-left corners.
 * @param bToA transform from b's map coordinates to a's, or null when they share a CRS.
 * @returns the window of a and the grid of that window.
 * @throws ValidationError "images do not overlap" naming both grids when nothing is shared,
 *   or when only one grid has a geotransform.
 */
export function intersectGrids(
  a: Grid,
  b: Grid,
  bToA: PositionTransform | null,
  options: IntersectOptions = {},
): { readonly window: PixelWindow; readonly grid: Grid } {
  const labels = options.labels ?? { a: 'A', b: 'B' };
  validateGrid(a, labels.a);
  validateGrid(b, labels.b);
  const bounds = outlineInA(a, b, bToA, options.pointsPerEdge ?? 33, labels);
  const col0 = Math.max(0, Math.floor(bounds[0]));
  const row0 = Math.max(0, Math.floor(bounds[1]));
  const col1 = Math.min(a.width, Math.ceil(bounds[2]));
  const row1 = Math.min(a.height, Math.ceil(bounds[3]));
  if (!(col1 > col0 && row1 > row0)) {
    throw new ValidationError(
      `images do not overlap: ${labels.a} (${describeGrid(a)}) and ${labels.b} (${describeGrid(b)}) share no pixel`,
    );
  }
  const window = { col0, row0, width: col1 - col0, height: row1 - row0 };
  return { window, grid: subGrid(a, window) };
}

/** Bounding box, in a's pixel-corner coordinates, of b's outline. */
function outlineInA(
  a: Grid,
  b: Grid,
  bToA: PositionTransform | null,
  pointsPerEdge: number,
  labels: { readonly a: string; readonly b: string },
): Bbox {
  if (a.geoTransform === null || b.geoTransform === null) {
    if (a.geoTransform !== b.geoTransform) {
      throw new ValidationError(
        `cannot intersect ${labels.a} (${describeGrid(a)}) with ${labels.b} (${describeGrid(b)}): only one has a georeference`,
      );
    }
    return [0, 0, b.width, b.height];
  }
  if (!Number.isInteger(pointsPerEdge) || pointsPerEdge < 2) {
    throw new ValidationError(`pointsPerEdge must be an integer >= 2; got ${pointsPerEdge}`);
  }
  const fromB = b.geoTransform;
  const toPixelA = invertGeoTransform(a.geoTransform);
  let minCol = Infinity;
  let minRow = Infinity;
  let maxCol = -Infinity;
  let maxRow = -Infinity;
  const visit = (col: number, row: number): void => {
    const map = applyGeoTransform(fromB, col, row);
    const inA = bToA === null ? map : transformOrNull(bToA, map);
    if (inA === null) return;
    const [c, r] = applyGeoTransform(toPixelA, inA[0], inA[1]);
    minCol = Math.min(minCol, c);
    minRow = Math.min(minRow, r);
    maxCol = Math.max(maxCol, c);
    maxRow = Math.max(maxRow, r);
  };
  for (let i = 0; i < pointsPerEdge; i += 1) {
    const f = i / (pointsPerEdge - 1);
    visit(f * b.width, 0);
    visit(f * b.width, b.height);
    visit(0, f * b.height);
    visit(b.width, f * b.height);
  }
  return [minCol, minRow, maxCol, maxRow];
}

/**
 * The grid's geotransform.
 * @throws ValidationError naming `label` when it has none.
 */
export function requireGeoTransform(grid: Grid, label: string): GeoTransform {
  if (grid.geoTransform === null) {
    throw new ValidationError(
      `${label} (${describeGrid(grid)}) has no geotransform; expected a georeferenced grid`,
    );
  }
  return grid.geoTransform;
}
