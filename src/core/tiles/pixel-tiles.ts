/**
 * Pixel-space tiles for images without georeferencing (and any image viewed in its own pixels):
 * at the deepest zoom a tile pixel is an image pixel, each zoom out halves, and zoom 0 holds the
 * whole image in one tile anchored at the top-left corner. Tile (z, x, y) covers, at pyramid
 * level `maxZoom − z`, the pixels [x·256, (x + 1)·256) × [y·256, (y + 1)·256).
 */
import type { PixelWindow } from '../raster/raster.ts';
import { levelSize, pyramidLevelCount } from './overview-level.ts';
import { checkTileAddress, TILE_SIZE_PX, type TileAddress } from './web-mercator.ts';

/** The deepest pixel-tile zoom of a width × height image (one tile pixel per image pixel). */
export function pixelTileMaxZoom(width: number, height: number): number {
  return pyramidLevelCount(width, height);
}

/** Where a pixel tile reads: a pyramid level and the window of that level's pixels. */
export interface PixelTileSource {
  readonly level: number;
  /** The level's pixels the tile shows, clipped to the level; the tile's pixel (0, 0) is `col0, row0`. */
  readonly window: PixelWindow;
}

/**
 * The level and window a pixel tile shows, or null when the tile lies wholly outside the image.
 * @throws ValidationError for a zoom above {@link pixelTileMaxZoom} or x, y outside [0, 2^z).
 */
export function pixelTileSource(
  tile: TileAddress,
  width: number,
  height: number,
): PixelTileSource | null {
  const maxZoom = pixelTileMaxZoom(width, height);
  checkTileAddress(tile, maxZoom);
  const level = maxZoom - tile.z;
  const size = levelSize(width, height, level);
  const col0 = tile.x * TILE_SIZE_PX;
  const row0 = tile.y * TILE_SIZE_PX;
  if (col0 >= size.width || row0 >= size.height) return null;
  return {
    level,
    window: {
      col0,
      row0,
      width: Math.min(TILE_SIZE_PX, size.width - col0),
      height: Math.min(TILE_SIZE_PX, size.height - row0),
    },
  };
}
