/** Ports of the tile use cases (kept beside them rather than in the shared ports.ts). */
import type { TileFormat } from '../../core/tiles/tile-options.ts';

/** Encodes RGBA pixels as an image file. */
export interface TileEncoder {
  /**
   * @param rgba width × height × 4 bytes, row-major, straight (not premultiplied) alpha.
   */
  encode(rgba: Uint8Array, width: number, height: number, format: TileFormat): Promise<Uint8Array>;
}
