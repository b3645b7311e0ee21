/**
 * RGBA pixels as a PNG file (8-bit RGBA, filter 0, zlib level 6) through pngjs: pure JS, so
 * byte-for-byte deterministic, for the images embedded in briefs.
 */
import { PNG } from 'pngjs';
import type { BriefRaster } from '../../core/brief/document.ts';
import { ValidationError } from '../../core/errors.ts';

/**
 * @throws ValidationError naming the sizes when `rgba` is not width × height × 4 bytes.
 */
export function encodePng(raster: BriefRaster): Buffer {
  const { width, height, rgba } = raster;
  if (!(width > 0 && height > 0) || rgba.length !== width * height * 4) {
    throw new ValidationError(
      `an RGBA raster of ${width} × ${height} needs ${width * height * 4} bytes; got ${rgba.length}`,
    );
  }
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length);
  return PNG.sync.write(png, { colorType: 6, filterType: 0, deflateLevel: 6 });
}
