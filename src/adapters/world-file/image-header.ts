/**
 * Reads the size, channel count and bit depth of a PNG (IHDR) or JPEG (SOF) from its header,
 * without decoding pixels, so the pixel limit can be checked before any buffer exists.
 */
import type { FileHandle } from 'node:fs/promises';
import { CorruptFileError, UnsupportedError } from '../../core/errors.ts';

export interface ImageHeader {
  readonly width: number;
  readonly height: number;
  /** Colour channels before alpha is dropped: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (or CMYK for JPEG). */
  readonly channels: number;
  readonly bitDepth: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
const PNG_DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  const { bytesRead } = await handle.read(buffer, 0, length, offset);
  return buffer.subarray(0, bytesRead);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** @throws CorruptFileError when the file is not a PNG or its IHDR is invalid. */
export async function readPngHeader(handle: FileHandle, path: string): Promise<ImageHeader> {
  const bytes = await readAt(handle, 0, 33);
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new CorruptFileError(
      `${path}: not a PNG: the first bytes are ${hex(bytes)} (expected 89 50 4e 47 0d 0a 1a 0a)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new CorruptFileError(`${path}: truncated PNG: no IHDR chunk after the signature`);
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24] ?? 0;
  const colourType = bytes[25] ?? 0;
  const channels = PNG_CHANNELS[colourType];
  if (
    width < 1 ||
    height < 1 ||
    channels === undefined ||
    !(PNG_DEPTHS[colourType] ?? []).includes(bitDepth)
  ) {
    throw new CorruptFileError(
      `${path}: invalid PNG header: ${width} × ${height}, colour type ${colourType}, bit depth ${bitDepth}`,
    );
  }
  return { width, height, channels, bitDepth: colourType === 3 ? 8 : bitDepth };
}

const SOF_MARKERS = new Set([
  0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf,
]);
const SUPPORTED_SOF = new Set([0xc0, 0xc1, 0xc2]);

/**
 * @throws CorruptFileError when the file is not a JPEG or has no frame header;
 *   UnsupportedError for lossless, arithmetic-coded or 12-bit JPEGs.
 */
export async function readJpegHeader(
  handle: FileHandle,
  path: string,
  sizeBytes: number,
): Promise<ImageHeader> {
  const start = await readAt(handle, 0, 2);
  if (start[0] !== 0xff || start[1] !== 0xd8) {
    throw new CorruptFileError(
      `${path}: not a JPEG: the first bytes are ${hex(await readAt(handle, 0, 8))} (expected ff d8)`,
    );
  }
  let at = 2;
  while (at + 4 <= sizeBytes) {
    const segment = await readAt(handle, at, 4);
    if (segment[0] !== 0xff)
      throw new CorruptFileError(`${path}: corrupt JPEG: no marker at byte ${at}`);
    const marker = segment[1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = ((segment[2] ?? 0) << 8) | (segment[3] ?? 0);
    if (SOF_MARKERS.has(marker)) {
      const frame = await readAt(handle, at + 4, 6);
      if (frame.length < 6) break;
      const bitDepth = frame[0] ?? 0;
      const header: ImageHeader = {
        bitDepth,
        height: ((frame[1] ?? 0) << 8) | (frame[2] ?? 0),
        width: ((frame[3] ?? 0) << 8) | (frame[4] ?? 0),
        channels: frame[5] ?? 0,
      };
      if (!SUPPORTED_SOF.has(marker) || bitDepth !== 8) {
        throw new UnsupportedError(
          `${path}: JPEG frame type 0x${marker.toString(16)} with ${bitDepth}-bit samples is not supported (baseline or progressive 8-bit only)`,
        );
      }
      if (header.width < 1 || header.height < 1 || ![1, 3, 4].includes(header.channels)) {
        throw new CorruptFileError(
          `${path}: invalid JPEG frame: ${header.width} × ${header.height}, ${header.channels} components`,
        );
      }
      return header;
    }
    if (marker === 0xd9 || marker === 0xda || length < 2) break;
    at += 2 + length;
  }
  throw new CorruptFileError(`${path}: truncated or corrupt JPEG: no frame header (SOF) found`);
}
