/** TileEncoder with sharp (libvips): RGBA → PNG or WebP, alpha kept. */
import sharp from 'sharp';
import type { TileEncoder } from '../../app/tiles/tile-ports.ts';
import type { TileFormat } from '../../core/tiles/tile-options.ts';
import { ValidationError } from '../../core/errors.ts';

export interface SharpTileEncoderOptions {
  /** zlib level for PNG, 0–9; default 6 (libvips' default; 1 is faster and ~15 % larger). */
  readonly pngCompressionLevel?: number;
  /** WebP quality 1–100; default 85. */
  readonly webpQuality?: number;
}

export class SharpTileEncoder implements TileEncoder {
  readonly #png: number;
  readonly #webp: number;

  constructor(options: SharpTileEncoderOptions = {}) {
    this.#png = options.pngCompressionLevel ?? 6;
    this.#webp = options.webpQuality ?? 85;
  }

  /** @throws ValidationError when `rgba` does not hold width × height × 4 bytes. */
  async encode(
    rgba: Uint8Array,
    width: number,
    height: number,
    format: TileFormat,
  ): Promise<Uint8Array> {
    if (rgba.length !== width * height * 4) {
      throw new ValidationError(
        `RGBA buffer of ${rgba.length} bytes does not hold ${width} × ${height} × 4`,
      );
    }
    const image = sharp(rgba, { raw: { width, height, channels: 4 } });
    const encoded =
      format === 'png'
        ? image.png({ compressionLevel: this.#png })
        : image.webp({ quality: this.#webp, alphaQuality: 100 });
    return new Uint8Array(await encoded.toBuffer());
  }
}
