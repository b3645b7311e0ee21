/**
 * Sliced inference geometry: the tile grid over a region of an image, the mapping of boxes
 * from a tile's model pixels back to the source image, and test-time flips.
 */
import { ValidationError } from '../errors.ts';
import type { PixelWindow } from '../raster/raster.ts';
import type { Detection, OrientedBox } from './detection.ts';
import { normaliseAngle } from './rotated-iou.ts';

export interface TilePlanInput {
  /** Image size in pixels (of the grid the model sees, i.e. after resampling). */
  readonly width: number;
  readonly height: number;
  /** The model's input size. */
  readonly tileWidth: number;
  readonly tileHeight: number;
  /** Minimum overlap between neighbouring tiles, px (≥ the largest object is a good choice). */
  readonly overlapPx: number;
  /** Part of the image to cover (default all of it); clipped to the image. */
  readonly region?: PixelWindow | undefined;
  /** Drops tiles for which it returns false (e.g. tiles outside a site polygon or all nodata). */
  readonly keep?: ((tile: PixelWindow) => boolean) | undefined;
}

function checkInteger(value: number, name: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ValidationError(`planTiles: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * Tile starts along one axis covering [start, start + length) with tiles of `tile` px inside
 * [0, limit): first flush with the start, last flush with the end, evenly spread so that
 * neighbours overlap by at least `overlap`. Returns [starts, tile size].
 */
function axisStarts(
  start: number,
  length: number,
  tile: number,
  overlap: number,
  limit: number,
): [number[], number] {
  const size = Math.min(tile, limit);
  if (length <= size) {
    // One tile, as large as the model input where the image allows, over the region.
    return [[Math.max(0, Math.min(start, limit - size))], size];
  }
  const step = size - overlap;
  const count = Math.ceil((length - size) / step) + 1;
  const span = length - size;
  const starts: number[] = [];
  for (let k = 0; k < count; k++) starts.push(start + Math.round((k * span) / (count - 1)));
  return [starts, size];
}

/**
 * Tiles (in row-major order) covering `region` (default the whole image) with at least
 * `overlapPx` overlap, the last tile of each row and column flush with the region's edge.
 * Tiles are the model's input size, smaller only where the image itself is smaller (the caller
 * pads those).
 * @throws ValidationError for non-integer sizes, an overlap ≥ the tile size, or a region
 *   outside the image.
 */
export function planTiles(input: TilePlanInput): PixelWindow[] {
  const { width, height, tileWidth, tileHeight, overlapPx } = input;
  checkInteger(width, 'width', 1);
  checkInteger(height, 'height', 1);
  checkInteger(tileWidth, 'tileWidth', 1);
  checkInteger(tileHeight, 'tileHeight', 1);
  checkInteger(overlapPx, 'overlapPx', 0);
  if (overlapPx >= Math.min(tileWidth, tileHeight)) {
    throw new ValidationError(
      `planTiles: overlapPx ${overlapPx} must be smaller than the tile ${tileWidth}×${tileHeight}`,
    );
  }
  const r = input.region ?? { col0: 0, row0: 0, width, height };
  const col0 = Math.max(0, Math.floor(r.col0));
  const row0 = Math.max(0, Math.floor(r.row0));
  const col1 = Math.min(width, Math.ceil(r.col0 + r.width));
  const row1 = Math.min(height, Math.ceil(r.row0 + r.height));
  if (!(col1 > col0 && row1 > row0)) {
    throw new ValidationError(
      `planTiles: region ${JSON.stringify(r)} does not overlap the ${width}×${height} image`,
    );
  }
  const [cols, tw] = axisStarts(col0, col1 - col0, tileWidth, overlapPx, width);
  const [rows, th] = axisStarts(row0, row1 - row0, tileHeight, overlapPx, height);
  const tiles: PixelWindow[] = [];
  for (const row of rows) {
    for (const col of cols) {
      const tile = { col0: col, row0: row, width: tw, height: th };
      if (input.keep === undefined || input.keep(tile)) tiles.push(tile);
    }
  }
  return tiles;
}

/**
 * Maps a box from a tile's model-input pixels to source-image pixels, where the tile grid is
 * the source resampled by `scale` source pixels per model pixel (1 when not resampled).
 */
export function toImagePixels(box: OrientedBox, tile: PixelWindow, scale: number): OrientedBox {
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new ValidationError(`toImagePixels: scale must be a positive number, got ${scale}`);
  }
  return {
    cx: (tile.col0 + box.cx) * scale,
    cy: (tile.row0 + box.cy) * scale,
    width: box.width * scale,
    height: box.height * scale,
    angleRad: box.angleRad,
  };
}

/** A test-time flip of a tile: mirror columns, rows, or both (a half turn). */
export type TileFlip = 'horizontal' | 'vertical' | 'both';

/**
 * Maps a box found in a flipped `width × height` tile back to the unflipped tile (flips are
 * their own inverse, so this also maps forwards).
 */
export function flipBox(
  box: OrientedBox,
  flip: TileFlip,
  width: number,
  height: number,
): OrientedBox {
  const mirrorCols = flip !== 'vertical';
  const mirrorRows = flip !== 'horizontal';
  // Mirroring one axis negates the angle; mirroring both is a half turn (same angle).
  const angle = mirrorCols !== mirrorRows ? -box.angleRad : box.angleRad;
  return {
    cx: mirrorCols ? width - box.cx : box.cx,
    cy: mirrorRows ? height - box.cy : box.cy,
    width: box.width,
    height: box.height,
    angleRad: normaliseAngle(angle),
  };
}

/** `flipBox` on each detection's box. */
export function flipBoxes(
  detections: readonly Detection[],
  flip: TileFlip,
  width: number,
  height: number,
): Detection[] {
  return detections.map((d) => ({ ...d, box: flipBox(d.box, flip, width, height) }));
}

/**
 * Flips a planar (channel-major, `channels × height × width`) tile, e.g. the model input, into
 * a new array.
 */
export function flipPlanar(
  data: Float32Array,
  channels: number,
  width: number,
  height: number,
  flip: TileFlip,
): Float32Array {
  if (data.length !== channels * width * height) {
    throw new ValidationError(
      `flipPlanar: ${channels}×${height}×${width} needs ${channels * width * height} values, got ${data.length}`,
    );
  }
  const out = new Float32Array(data.length);
  const mirrorCols = flip !== 'vertical';
  const mirrorRows = flip !== 'horizontal';
  for (let c = 0; c < channels; c++) {
    const plane = c * width * height;
    for (let y = 0; y < height; y++) {
      const sy = mirrorRows ? height - 1 - y : y;
      const src = plane + sy * width;
      const dst = plane + y * width;
      if (mirrorCols) {
        for (let x = 0; x < width; x++) out[dst + x] = data[src + width - 1 - x] ?? 0;
      } else {
        out.set(data.subarray(src, src + width), dst);
      }
    }
  }
  return out;
}
