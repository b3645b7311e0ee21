/**
 * A crop of an ingested image as RGBA pixels, for figures and briefs.
 *
 * `renderImageCrop(deps, { imageId, bboxLonLat, widthPx, heightPx })` resolves to
 * `{ rgba, width, height, frame, image, crs, toMap, toLonLat }`:
 * - `rgba`: width × height × 4 bytes, row-major; pixels outside the image or on nodata are
 *   transparent (alpha 0), others opaque, contrast-stretched like the map tiles (2–98 %
 *   percentiles of the image's histogram unless `stretch` says otherwise);
 * - `frame` (core/figure/layout.ts): the north-up grid the crop fills, in the local UTM zone
 *   (UPS near the poles) of the bbox centre, in metres: the smallest grid of square pixels that
 *   holds the whole bbox; the same bbox and size always give the same frame, whatever the image,
 *   so two dates of a site line up pixel for pixel;
 * - `toMap` / `toLonLat`: lon/lat ↔ frame CRS metres, for drawing overlays.
 * It reuses the tile renderer's pyramid (overview level chosen from the crop's scale, bilinear
 * warp, same band choice and stretch as `sitewatch serve` tiles). Pass `deps.renderer` to keep
 * images open across calls (a before/after figure, a brief); otherwise one is made and closed.
 * @throws NotFoundError naming the id for an unknown image; ValidationError for an image
 *   without georeference, a bad bbox or size, or a bad band list.
 */
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { figureFrame, lonLatToPixel, type FigureFrame } from '../../core/figure/layout.ts';
import { bboxOfPositions } from '../../core/geo/bbox.ts';
import type { Bbox, Position, PositionTransform } from '../../core/geo/types.ts';
import type { PixelWindow } from '../../core/raster/raster.ts';
import { buildPixelMapping } from '../../core/grid/approximate-mapping.ts';
import { utmEpsgFor } from '../../core/grid/local-utm.ts';
import { windowAroundPositions } from '../../core/grid/pixel-mapping.ts';
import { kernelMarginPx } from '../../core/grid/warp-window.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import { selectBands } from '../../core/tiles/band-selection.ts';
import { composeRgba } from '../../core/tiles/compose-rgba.ts';
import { chooseOverviewLevel } from '../../core/tiles/overview-level.ts';
import { percentileStretch } from '../../core/tiles/stretch.ts';
import { DEFAULT_STRETCH, type StretchPercentiles } from '../../core/tiles/tile-options.ts';
import { crsTransform } from '../compare/comparison-pair.ts';
import { TileRenderer, warpLevelWindow, type TileRendererDeps } from '../tiles/render-tile.ts';

export interface ImageCropDeps extends TileRendererDeps {
  /** A renderer shared across calls (keeps images open); default: one per call, closed after. */
  readonly renderer?: TileRenderer;
}

export interface ImageCropRequest {
  readonly imageId: string;
  /** [minLon, minLat, maxLon, maxLat], degrees. */
  readonly bboxLonLat: Bbox;
  readonly widthPx: number;
  readonly heightPx: number;
  /** Band names or 1-based indexes, e.g. `B04,B03,B02`; default red/green/blue or grey. */
  readonly bands?: string | undefined;
  readonly stretch?: StretchPercentiles | undefined;
  /** A fixed scale, centred on the bbox (which it may crop); default: fit the bbox. */
  readonly metersPerPixel?: number | undefined;
}

export interface ImageCrop {
  /** width × height × 4 bytes, row-major RGBA; alpha 0 outside the image and on nodata. */
  readonly rgba: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly frame: FigureFrame;
  readonly image: ImageRecord;
  /** The frame's CRS (`EPSG:326zz` …). */
  readonly crs: string;
  readonly toMap: PositionTransform;
  readonly toLonLat: PositionTransform;
  /** Share of the crop's pixels with image data, [0, 1]. */
  readonly coverage: number;
}

/** The frame's CRS for a lon/lat bbox: the UTM zone of its centre. */
export function frameCrsFor(bboxLonLat: Bbox): string {
  return utmEpsgFor((bboxLonLat[0] + bboxLonLat[2]) / 2, (bboxLonLat[1] + bboxLonLat[3]) / 2);
}

/** Source pixels per crop pixel around the middle of the crop. */
function sourceSpan(cols: Float64Array, rows: Float64Array, width: number, height: number): number {
  const r = Math.floor(height / 2);
  const c0 = Math.floor(width / 4);
  const c1 = Math.floor((3 * width) / 4);
  const a = r * width + c0;
  const b = r * width + c1;
  const span =
    Math.hypot((cols[b] ?? Number.NaN) - (cols[a] ?? Number.NaN), (rows[b] ?? 0) - (rows[a] ?? 0)) /
    (c1 - c0);
  return Number.isFinite(span) && span > 0 ? span : 1;
}

/**
 * The frame pixels inside the image footprint's box (grown by 2 px, clipped to the frame), or
 * null when the footprint misses the frame; the whole frame when the footprint is unknown.
 */
function footprintWindow(
  image: ImageRecord,
  frame: FigureFrame,
  toMap: PositionTransform,
): PixelWindow | null {
  const { width, height } = frame.grid;
  const ring = image.footprint?.coordinates[0];
  if (ring === undefined) return { col0: 0, row0: 0, width, height };
  const toPixel = lonLatToPixel(frame, toMap);
  const dense: Position[] = [];
  ring.forEach((p, i) => {
    const q = ring[(i + 1) % ring.length] ?? p;
    for (let k = 0; k < 8; k += 1) {
      dense.push(toPixel([p[0] + ((q[0] - p[0]) * k) / 8, p[1] + ((q[1] - p[1]) * k) / 8]));
    }
  });
  const [c0, r0, c1, r1] = bboxOfPositions(dense);
  if (![c0, r0, c1, r1].every(Number.isFinite)) return { col0: 0, row0: 0, width, height };
  const col0 = Math.max(0, Math.floor(c0) - 2);
  const row0 = Math.max(0, Math.floor(r0) - 2);
  const col1 = Math.min(width, Math.ceil(c1) + 2);
  const row1 = Math.min(height, Math.ceil(r1) + 2);
  if (col1 <= col0 || row1 <= row0) return null;
  return { col0, row0, width: col1 - col0, height: row1 - row0 };
}

/** See the file comment. */
export async function renderImageCrop(
  deps: ImageCropDeps,
  request: ImageCropRequest,
): Promise<ImageCrop> {
  const image = await deps.images.get(request.imageId);
  if (image === undefined) throw new NotFoundError(`image ${request.imageId} not found`);
  if (image.crs === null || image.geoTransform === null) {
    throw new ValidationError(
      `image ${image.id} has no georeference, so it cannot be cropped to a lon/lat box`,
    );
  }
  const crs = frameCrsFor(request.bboxLonLat);
  const toMap = deps.crs.fromLonLat(crs);
  const toLonLat = deps.crs.toLonLat(crs);
  const frame = figureFrame(
    request.bboxLonLat,
    request.widthPx,
    request.heightPx,
    crs,
    toMap,
    request.metersPerPixel,
  );
  const { width, height } = frame.grid;
  const source = {
    crs: image.crs,
    geoTransform: image.geoTransform,
    width: image.width,
    height: image.height,
  };
  const mapping = buildPixelMapping(frame.grid, source, crsTransform(deps.crs, crs, image.crs));
  const rgba = new Uint8Array(width * height * 4);
  // Only the frame pixels the image can reach are warped (a site often overhangs its image).
  const target = footprintWindow(image, frame, toMap);
  if (target === null)
    return { rgba, width, height, frame, image, crs, toMap, toLonLat, coverage: 0 };
  const count = target.width * target.height;
  const cols = new Float64Array(count);
  const rows = new Float64Array(count);
  mapping.mapWindow(target, cols, rows);
  const renderer = deps.renderer ?? new TileRenderer(deps, { maxOpenImages: 1 });
  try {
    const pyramid = await renderer.pyramid(image);
    const bands = selectBands(
      request.bands,
      image.bands.map((band) => band.name),
      image.acquisition.sensor,
    );
    const level = chooseOverviewLevel(
      sourceSpan(cols, rows, target.width, target.height),
      pyramid.levelCount,
    );
    const factor = 2 ** level;
    if (factor !== 1) {
      for (let i = 0; i < count; i += 1) {
        cols[i] = (cols[i] ?? Number.NaN) / factor;
        rows[i] = (rows[i] ?? Number.NaN) / factor;
      }
    }
    const size = pyramid.levelSize(level);
    const grid = { crs: image.crs, geoTransform: null, ...size };
    const window = windowAroundPositions(cols, rows, count, kernelMarginPx('bilinear'), grid);
    const { bands: warped, valid } =
      window === null
        ? { bands: bands.map(() => new Float32Array(count)), valid: new Uint8Array(count) }
        : await warpLevelWindow(pyramid, level, window, bands, cols, rows);
    const { lowPercent, highPercent } = request.stretch ?? DEFAULT_STRETCH;
    const stretches = bands.map((band) =>
      percentileStretch(pyramid.histogram(band), lowPercent, highPercent),
    );
    let validCount = 0;
    for (let i = 0; i < count; i += 1) validCount += valid[i] ?? 0;
    const part = composeRgba(warped, stretches, valid);
    const rowBytes = target.width * 4;
    for (let r = 0; r < target.height; r += 1) {
      rgba.set(
        part.subarray(r * rowBytes, (r + 1) * rowBytes),
        ((target.row0 + r) * width + target.col0) * 4,
      );
    }
    return {
      rgba,
      width,
      height,
      frame,
      image,
      crs,
      toMap,
      toLonLat,
      coverage: validCount / (width * height),
    };
  } finally {
    if (deps.renderer === undefined) await renderer.close();
  }
}
