/**
 * Whole-image decoding of PNG (pngjs) and JPEG (jpeg-js) into one plane per band. Alpha is
 * dropped; grey images give one band, colour images three.
 */
import { decode as decodeJpegBytes } from 'jpeg-js';
import { PNG } from 'pngjs';
import { CorruptFileError, TooLargeError, describeError } from '../../core/errors.ts';
import type { ImageHeader } from './image-header.ts';

export type ImagePlanes = Uint8Array[] | Uint16Array[];

/** Number of bands kept: 1 for grey (with or without alpha), 3 for colour. */
export function bandCountFor(header: ImageHeader): number {
  return header.channels <= 2 ? 1 : 3;
}

function splitPlanes<T extends Uint8Array | Uint16Array>(
  data: ArrayLike<number>,
  stride: number,
  bands: number,
  pixels: number,
  create: (length: number) => T,
): T[] {
  const planes = Array.from({ length: bands }, () => create(pixels));
  for (let band = 0; band < bands; band += 1) {
    const plane = planes[band];
    if (plane === undefined) continue;
    for (let i = 0; i < pixels; i += 1) plane[i] = data[i * stride + band] ?? 0;
  }
  return planes;
}

function checkSize(width: number, height: number, header: ImageHeader, path: string): void {
  if (width !== header.width || height !== header.height) {
    throw new CorruptFileError(
      `${path}: decoded ${width} × ${height} pixels but the header says ${header.width} × ${header.height}`,
    );
  }
}

/**
 * Decodes a PNG: 8-bit (and palette, 1–4-bit scaled to 8) as uint8, 16-bit as uint16.
 * @throws CorruptFileError when pngjs cannot decode the bytes.
 */
export function decodePng(bytes: Uint8Array, header: ImageHeader, path: string): ImagePlanes {
  let png: { width: number; height: number; data: ArrayLike<number> };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      skipRescale: header.bitDepth === 16,
    });
  } catch (error) {
    throw new CorruptFileError(`${path}: cannot decode the PNG: ${describeError(error)}`, {
      cause: error,
    });
  }
  checkSize(png.width, png.height, header, path);
  const pixels = png.width * png.height;
  const bands = bandCountFor(header);
  // pngjs always returns RGBA, 4 samples per pixel.
  return header.bitDepth === 16
    ? splitPlanes(png.data, 4, bands, pixels, (n) => new Uint16Array(n))
    : splitPlanes(png.data, 4, bands, pixels, (n) => new Uint8Array(n));
}

/**
 * Decodes a baseline or progressive 8-bit JPEG, with jpeg-js's memory guard set from the limit.
 * @throws CorruptFileError for undecodable bytes; TooLargeError when jpeg-js's memory guard trips.
 */
export function decodeJpeg(
  bytes: Uint8Array,
  header: ImageHeader,
  maxPixels: number,
  path: string,
): Uint8Array[] {
  const megapixels = (header.width * header.height) / 1e6;
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = decodeJpegBytes(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: Math.max(megapixels, maxPixels / 1e6) + 1,
      // Component buffers, blocks and the RGB output: well under 16 bytes per pixel.
      maxMemoryUsageInMB: Math.ceil((header.width * header.height * 16) / 2 ** 20) + 16,
    });
  } catch (error) {
    const message = describeError(error);
    if (/maxMemoryUsageInMB|maxResolutionInMP|allocate/i.test(message)) {
      throw new TooLargeError(
        `${path}: decoding the JPEG needs more memory than allowed: ${message}`,
        { cause: error },
      );
    }
    throw new CorruptFileError(`${path}: cannot decode the JPEG: ${message}`, { cause: error });
  }
  checkSize(image.width, image.height, header, path);
  // jpeg-js returns 3 samples per pixel (grey replicated) when formatAsRGBA is false.
  return splitPlanes(
    image.data,
    3,
    bandCountFor(header),
    image.width * image.height,
    (n) => new Uint8Array(n),
  );
}
