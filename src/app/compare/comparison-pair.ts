/**
 * The two images of a comparison brought onto one grid: which grid (the reference image's, or
 * a site's local UTM grid), which bands pair up, and what warping a strip of each image onto
 * that grid needs (the decoded source window and the sample positions).
 */
import type { Site } from '../../core/catalog/site.ts';
import { CancelledError, ValidationError } from '../../core/errors.ts';
import type { PositionTransform } from '../../core/geo/types.ts';
import { buildPixelMapping, type PixelMapping } from '../../core/grid/approximate-mapping.ts';
import { intersectGrids, type Grid } from '../../core/grid/grid.ts';
import { siteGrid } from '../../core/grid/local-utm.ts';
import { matchBands } from '../../core/grid/match-bands.ts';
import { kernelMarginPx } from '../../core/grid/warp-window.ts';
import { IRMAD_MAX_BANDS } from '../../core/change/irmad.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { PixelWindow, RasterSource } from '../../core/raster/raster.ts';
import type { CrsRegistry, RasterOpenLimits, RasterOpener } from '../ports.ts';
import { rasterInputOf } from './raster-input.ts';
import type { SourcePositions, WarpInput } from './strip-kernels.ts';

/** Margin around a site polygon in its grid, metres. */
export const SITE_BUFFER_METERS = 100;

/** One image of the pair: its open source, the paired band indexes, the grid→image mapping. */
export interface PairSide {
  readonly image: ImageRecord;
  readonly source: RasterSource;
  readonly bandIndexes: readonly number[];
  readonly mapping: PixelMapping;
}

export interface ComparisonPair {
  readonly grid: Grid;
  /** Pixel size of the grid in metres; null for pixel-only imagery. */
  readonly gsdMeters: number | null;
  readonly bandNames: readonly string[];
  readonly a: PairSide;
  readonly b: PairSide;
}

function recordGrid(image: ImageRecord): Grid {
  return {
    crs: image.crs,
    geoTransform: image.geoTransform,
    width: image.width,
    height: image.height,
  };
}

/** Transform from `from` map coordinates to `to`'s, null when they agree or one is unknown. */
export function crsTransform(
  registry: CrsRegistry,
  from: string | null,
  to: string | null,
): PositionTransform | null {
  if (from === null || to === null || from.toUpperCase() === to.toUpperCase()) return null;
  const toLonLat = registry.toLonLat(from);
  const fromLonLat = registry.fromLonLat(to);
  return (p) => fromLonLat(toLonLat(p));
}

function checkGeoreferencing(a: ImageRecord, b: ImageRecord, site: Site | null): void {
  const geoA = a.geoTransform !== null;
  const geoB = b.geoTransform !== null;
  if (geoA !== geoB) {
    throw new ValidationError(
      `cannot compare ${a.id} with ${b.id}: only ${geoA ? a.id : b.id} is georeferenced`,
    );
  }
  if (!geoA && (a.width !== b.width || a.height !== b.height)) {
    throw new ValidationError(
      `cannot compare ${a.id} (${a.width} × ${a.height} px) with ${b.id} (${b.width} × ${b.height} px): images without georeferencing must have the same size`,
    );
  }
  if (site !== null && !geoA) {
    throw new ValidationError(
      `cannot compare ${a.id} and ${b.id} over site ${site.id}: the images are not georeferenced`,
    );
  }
}

/**
 * The comparison grid: A's own grid, or with a site its local UTM grid (polygon plus
 * {@link SITE_BUFFER_METERS}) at the coarser GSD of the two images.
 * @throws ValidationError for a georeference on one side only, pixel-only images of different
 *   sizes, or a site with pixel-only images.
 */
export function resolveComparisonGrid(
  a: ImageRecord,
  b: ImageRecord,
  site: Site | null,
  registry: CrsRegistry,
): { readonly grid: Grid; readonly gsdMeters: number | null } {
  checkGeoreferencing(a, b, site);
  if (site === null) return { grid: recordGrid(a), gsdMeters: a.gsdMeters };
  const gsdMeters = Math.max(a.gsdMeters ?? 0, b.gsdMeters ?? 0);
  if (!(gsdMeters > 0)) {
    throw new ValidationError(
      `cannot compare ${a.id} and ${b.id} over site ${site.id}: neither image has a known GSD`,
    );
  }
  const grid = siteGrid(site.geometry, SITE_BUFFER_METERS, gsdMeters, (crs) =>
    registry.fromLonLat(crs),
  );
  return { grid, gsdMeters };
}

/**
 * Pairs the bands by name, dropping bands that are constant in either image (no signal), at
 * most {@link IRMAD_MAX_BANDS}.
 * @throws ValidationError "no common bands" naming both images.
 */
export function pairBands(a: ImageRecord, b: ImageRecord) {
  const { pairs } = matchBands(
    a.bands.map((band) => band.name),
    b.bands.map((band) => band.name),
    {
      sensorA: a.acquisition.sensor,
      sensorB: b.acquisition.sensor,
      labels: { a: a.id, b: b.id },
    },
  );
  const informative = pairs.filter(
    (p) => (a.stats[p.a]?.stdDev ?? 1) > 0 && (b.stats[p.b]?.stdDev ?? 1) > 0,
  );
  if (informative.length === 0) {
    throw new ValidationError(
      `no common bands with data: every band ${a.id} and ${b.id} share (${pairs.map((p) => p.name).join(', ')}) is constant in one of them`,
    );
  }
  return informative.slice(0, IRMAD_MAX_BANDS);
}

/**
 * Opens both images on the comparison grid. Checks run before anything is opened: bands,
 * grid, overlap of each image with the grid.
 * @throws ValidationError naming the images for no common bands, no overlap, or
 *   incompatible georeferencing; the opener's errors for unreadable files.
 */
export async function openComparisonPair(
  deps: {
    readonly opener: RasterOpener;
    readonly crs: CrsRegistry;
    readonly limits: RasterOpenLimits;
  },
  a: ImageRecord,
  b: ImageRecord,
  site: Site | null,
): Promise<ComparisonPair & { close(): Promise<void> }> {
  const { grid, gsdMeters } = resolveComparisonGrid(a, b, site, deps.crs);
  const pairs = pairBands(a, b);
  const labels = { a: site === null ? a.id : `site ${site.id}`, b: b.id };
  intersectGrids(grid, recordGrid(b), crsTransform(deps.crs, b.crs, grid.crs), { labels });
  if (site !== null) {
    intersectGrids(grid, recordGrid(a), crsTransform(deps.crs, a.crs, grid.crs), {
      labels: { a: labels.a, b: a.id },
    });
  }
  const mappingA = buildPixelMapping(grid, recordGrid(a), crsTransform(deps.crs, grid.crs, a.crs));
  const mappingB = buildPixelMapping(grid, recordGrid(b), crsTransform(deps.crs, grid.crs, b.crs));
  const sourceA = await deps.opener.open(rasterInputOf(a), deps.limits);
  let sourceB: RasterSource;
  try {
    sourceB = await deps.opener.open(rasterInputOf(b), deps.limits);
  } catch (error) {
    await sourceA.close();
    throw error;
  }
  return {
    grid,
    gsdMeters,
    bandNames: pairs.map((p) => p.name),
    a: { image: a, source: sourceA, bandIndexes: pairs.map((p) => p.a), mapping: mappingA },
    b: { image: b, source: sourceB, bandIndexes: pairs.map((p) => p.b), mapping: mappingB },
    close: async () => {
      await Promise.allSettled([sourceA.close(), sourceB.close()]);
    },
  };
}

const MARGIN_PX = kernelMarginPx('bilinear');

function positionsOf(mapping: PixelMapping, window: PixelWindow): SourcePositions {
  if (mapping.affine !== null) return { kind: 'affine', affine: mapping.affine };
  const count = window.width * window.height;
  const cols = new Float64Array(count);
  const rows = new Float64Array(count);
  mapping.mapWindow(window, cols, rows);
  return { kind: 'points', cols, rows };
}

/**
 * What warping one side of the strip `window` needs: the decoded source window (read here,
 * in this thread, through the side's RasterSource) and where each grid pixel samples it.
 * @param extraMarginPx source pixels read beyond the kernel's margin on each side, so the
 *   same decoded window can serve a slightly shifted mapping ({@link rewarpInput}).
 */
export async function readSideInput(
  side: PairSide,
  mapping: PixelMapping,
  window: PixelWindow,
  signal: AbortSignal | undefined,
  extraMarginPx = 0,
): Promise<WarpInput> {
  const { width, height, nodata } = side.source.description;
  const base = {
    window,
    sourceRasterWidth: width,
    sourceRasterHeight: height,
    nodata,
    bandCount: side.bandIndexes.length,
  };
  const sourceWindow = mapping.sourceWindowFor(window, MARGIN_PX + extraMarginPx);
  if (sourceWindow === null) return { ...base, sources: [], sourceWindow, positions: null };
  const sources = await side.source.readWindow(sourceWindow, {
    bands: side.bandIndexes,
    ...(signal !== undefined ? { signal } : {}),
  });
  return { ...base, sources, sourceWindow, positions: positionsOf(mapping, window) };
}

/**
 * `input` (decoded earlier) warped through another mapping, without decoding again, when the
 * source pixels that mapping reads lie inside the decoded window; else null.
 */
export function rewarpInput(input: WarpInput, mapping: PixelMapping): WarpInput | null {
  const needed = mapping.sourceWindowFor(input.window, MARGIN_PX);
  const held = input.sourceWindow;
  if (needed === null || held === null) return null;
  const inside =
    needed.col0 >= held.col0 &&
    needed.row0 >= held.row0 &&
    needed.col0 + needed.width <= held.col0 + held.width &&
    needed.row0 + needed.height <= held.row0 + held.height;
  return inside ? { ...input, positions: positionsOf(mapping, input.window) } : null;
}

/** Rows per strip when streaming the grid. */
export const STRIP_ROWS = 512;

/** Strips of {@link STRIP_ROWS} rows covering the grid, top to bottom. */
export function* stripRows(
  gridHeight: number,
): Generator<{ readonly row0: number; readonly height: number }> {
  for (let row0 = 0; row0 < gridHeight; row0 += STRIP_ROWS) {
    yield { row0, height: Math.min(STRIP_ROWS, gridHeight - row0) };
  }
}

/**
 * @throws CancelledError when `signal` has been aborted.
 */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new CancelledError('comparison cancelled', { cause: signal.reason });
  }
}
