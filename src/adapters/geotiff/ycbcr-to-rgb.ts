/**
 * YCbCr → RGB for JPEG-compressed GeoTIFFs (PhotometricInterpretation 6): geotiff.js's JPEG
 * decoder returns the Y, Cb and Cr planes untouched, while GDAL (libjpeg) returns RGB.
 */
import { CorruptFileError } from '../../core/errors.ts';
import type { PixelArray } from '../../core/raster/raster.ts';

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}

/**
 * Converts Y, Cb, Cr planes (8-bit, full range as JFIF defines) to red, green, blue planes.
 * @throws CorruptFileError when the three planes are not present with equal lengths.
 */
export function convertYCbCrToRgb(planes: readonly PixelArray[], path: string): Uint8Array[] {
  const [y, cb, cr] = planes;
  if (
    y === undefined ||
    cb === undefined ||
    cr === undefined ||
    y.length !== cb.length ||
    y.length !== cr.length
  ) {
    throw new CorruptFileError(`${path}: expected 3 YCbCr planes of equal size`);
  }
  const red = new Uint8Array(y.length);
  const green = new Uint8Array(y.length);
  const blue = new Uint8Array(y.length);
  for (let i = 0; i < y.length; i += 1) {
    const luma = y[i] ?? 0;
    const blueDiff = (cb[i] ?? 128) - 128;
    const redDiff = (cr[i] ?? 128) - 128;
    red[i] = clampByte(luma + 1.402 * redDiff);
    green[i] = clampByte(luma - 0.344136 * blueDiff - 0.714136 * redDiff);
    blue[i] = clampByte(luma + 1.772 * blueDiff);
  }
  return [red, green, blue];
}
