/** Ports of the tile use cases (kept beside them rather than in the shared ports.ts). */
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { PixelArray, RasterSource } from '../../core/raster/raster.ts';
import type { TileFormat } from '../../core/tiles/tile-options.ts';

/** Encodes RGBA pixels as an image file. */
export interface TileEncoder {
  /**
   * @param rgba width × height × 4 bytes, row-major, straight (not premultiplied) alpha.
   */
  encode(rgba: Uint8Array, width: number, height: number, format: TileFormat): Promise<Uint8Array>;
}

/**
 * Receives the rows of an image's half-resolution level (pyramid level 1), top to bottom, while
 * the pass that opens the image reads every pixel anyway.
 */
export interface OverviewCacheWriter {
  /** One array per band of `width × n` samples of the image's data type; awaited in order. */
  writeRows(row0: number, bands: readonly PixelArray[]): Promise<void>;
  /** Writes the cache file into place (atomically); false when it could not be written. */
  finish(): Promise<boolean>;
  /** Stops and removes what was written; the cache file stays absent. */
  abort(): Promise<void>;
}

/**
 * An on-disk cache of reduced-resolution levels for images whose files hold no overviews: one
 * file per image (by content hash) whose full resolution is the image's level 1 and whose own
 * overviews are levels 2, 3, … Built once, reused by every later open of the image.
 */
export interface OverviewCache {
  /**
   * The cached levels of `image`, opened and checked against the image (size, bands, data
   * type); undefined when there is none. A file that fails the checks is removed.
   */
  open(image: ImageRecord): Promise<RasterSource | undefined>;
  /** Starts a cache file for `image`; undefined when none can be written (e.g. read-only home). */
  create(image: ImageRecord): Promise<OverviewCacheWriter | undefined>;
  /** Removes the cache file of `image` (found corrupt while reading); no error when absent. */
  remove(image: ImageRecord): Promise<void>;
}
