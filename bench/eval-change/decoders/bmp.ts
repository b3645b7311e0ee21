/**
 * A tiny BMP reader for the SZTAKI AirChange and Landsat Taizhou files: uncompressed
 * (BI_RGB) 8-bit palette-indexed and 24/32-bit true-colour Windows bitmaps, bottom-up or
 * top-down. Nothing else (RLE, bit fields, 1/4/16-bit) is needed by the benchmark data.
 */
import { CorruptFileError, UnsupportedError } from '../../../src/core/errors.ts';

/** A decoded bitmap: samples in RGB order, one Uint8Array per channel, row-major from the top. */
export interface DecodedBmp {
  readonly width: number;
  readonly height: number;
  /** Red, green, blue (palette colours for indexed images). */
  readonly channels: readonly [Uint8Array, Uint8Array, Uint8Array];
  /** Palette indices for 8-bit images, else null. */
  readonly indices: Uint8Array | null;
}

const FILE_HEADER_BYTES = 14;

interface BmpHeader {
  readonly width: number;
  readonly height: number;
  readonly topDown: boolean;
  readonly bitsPerPixel: number;
  readonly dataOffset: number;
  readonly palette: Uint8Array | null;
}

function readHeader(bytes: Uint8Array, label: string): BmpHeader {
  if (bytes.length < FILE_HEADER_BYTES + 40 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) {
    throw new CorruptFileError(`${label}: not a BMP file (expected "BM" and a 54-byte header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const infoSize = view.getUint32(14, true);
  const width = view.getInt32(18, true);
  const signedHeight = view.getInt32(22, true);
  const bitsPerPixel = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  if (compression !== 0) {
    throw new UnsupportedError(`${label}: BMP compression ${compression}; only 0 (BI_RGB) is read`);
  }
  if (![8, 24, 32].includes(bitsPerPixel)) {
    throw new UnsupportedError(`${label}: ${bitsPerPixel} bits per pixel; expected 8, 24 or 32`);
  }
  if (!(width > 0) || signedHeight === 0) {
    throw new CorruptFileError(`${label}: BMP size ${width}×${signedHeight}`);
  }
  let palette: Uint8Array | null = null;
  if (bitsPerPixel === 8) {
    const declared = view.getUint32(46, true);
    const colours = declared === 0 ? 256 : declared;
    const start = FILE_HEADER_BYTES + infoSize;
    if (start + colours * 4 > dataOffset) {
      throw new CorruptFileError(`${label}: palette of ${colours} colours overlaps the pixels`);
    }
    palette = bytes.subarray(start, start + colours * 4);
  }
  return {
    width,
    height: Math.abs(signedHeight),
    topDown: signedHeight < 0,
    bitsPerPixel,
    dataOffset,
    palette,
  };
}

/**
 * Decodes a BMP held in memory.
 * @param label names the file in error messages.
 * @throws CorruptFileError when the signature, size or palette is bad or the pixels are cut short.
 * @throws UnsupportedError for compressed bitmaps or bit depths other than 8, 24 and 32.
 */
export function decodeBmp(bytes: Uint8Array, label = 'BMP'): DecodedBmp {
  const header = readHeader(bytes, label);
  const { width, height, bitsPerPixel, dataOffset, palette } = header;
  const bytesPerPixel = bitsPerPixel / 8;
  const rowBytes = Math.ceil((width * bytesPerPixel) / 4) * 4;
  if (dataOffset + rowBytes * (height - 1) + width * bytesPerPixel > bytes.length) {
    throw new CorruptFileError(
      `${label}: ${bytes.length} bytes is too short for ${width}×${height} at ${bitsPerPixel} bpp`,
    );
  }
  const count = width * height;
  const red = new Uint8Array(count);
  const green = new Uint8Array(count);
  const blue = new Uint8Array(count);
  const indices = palette === null ? null : new Uint8Array(count);
  for (let y = 0; y < height; y++) {
    const fileRow = header.topDown ? y : height - 1 - y;
    const rowStart = dataOffset + fileRow * rowBytes;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (palette !== null && indices !== null) {
        const index = bytes[rowStart + x] ?? 0;
        indices[p] = index;
        blue[p] = palette[index * 4] ?? 0;
        green[p] = palette[index * 4 + 1] ?? 0;
        red[p] = palette[index * 4 + 2] ?? 0;
        continue;
      }
      const at = rowStart + x * bytesPerPixel;
      blue[p] = bytes[at] ?? 0;
      green[p] = bytes[at + 1] ?? 0;
      red[p] = bytes[at + 2] ?? 0;
    }
  }
  return { width, height, channels: [red, green, blue], indices };
}
