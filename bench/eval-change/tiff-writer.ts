/**
 * A minimal uncompressed TIFF writer for handing pairs to the peers (OTB, numpy/GDAL): one
 * strip, chunky (pixel-interleaved) samples, float32 or uint8, no georeferencing (the peers
 * work in pixel space). Little-endian, baseline tags only, so GDAL and geotiff.js read it.
 */
import { ValidationError } from '../../src/core/errors.ts';

export type TiffSampleType = 'float32' | 'uint8';

const TAG = {
  imageWidth: 256,
  imageLength: 257,
  bitsPerSample: 258,
  compression: 259,
  photometric: 262,
  stripOffsets: 273,
  samplesPerPixel: 277,
  rowsPerStrip: 278,
  stripByteCounts: 279,
  planarConfiguration: 284,
  extraSamples: 338,
  sampleFormat: 339,
} as const;
const SHORT = 3;
const LONG = 4;

interface Entry {
  readonly tag: number;
  readonly type: typeof SHORT | typeof LONG;
  readonly values: readonly number[];
}

const IFD_OFFSET = 8;

function tiffEntries(
  width: number,
  height: number,
  spp: number,
  sampleType: TiffSampleType,
  pixelBytes: number,
): Entry[] {
  const bits = sampleType === 'float32' ? 32 : 8;
  const entries: Entry[] = [
    { tag: TAG.imageWidth, type: LONG, values: [width] },
    { tag: TAG.imageLength, type: LONG, values: [height] },
    { tag: TAG.bitsPerSample, type: SHORT, values: Array<number>(spp).fill(bits) },
    { tag: TAG.compression, type: SHORT, values: [1] },
    { tag: TAG.photometric, type: SHORT, values: [1] },
    { tag: TAG.stripOffsets, type: LONG, values: [0] },
    { tag: TAG.samplesPerPixel, type: SHORT, values: [spp] },
    { tag: TAG.rowsPerStrip, type: LONG, values: [height] },
    { tag: TAG.stripByteCounts, type: LONG, values: [pixelBytes] },
    { tag: TAG.planarConfiguration, type: SHORT, values: [1] },
  ];
  if (spp > 1) {
    entries.push({ tag: TAG.extraSamples, type: SHORT, values: Array<number>(spp - 1).fill(0) });
  }
  const format = sampleType === 'float32' ? 3 : 1;
  entries.push({ tag: TAG.sampleFormat, type: SHORT, values: Array<number>(spp).fill(format) });
  return entries;
}

/** Bytes of an entry's values when they do not fit in the 4-byte value field, else 0. */
function overflowBytes(entry: Entry): number {
  const bytes = entry.values.length * (entry.type === SHORT ? 2 : 4);
  return bytes > 4 ? bytes : 0;
}

/** Writes the header and the IFD (values longer than 4 bytes right after it). */
function writeIfd(view: DataView, entries: readonly Entry[], dataOffset: number): void {
  view.setUint16(0, 0x4949, false);
  view.setUint16(2, 42, true);
  view.setUint32(4, IFD_OFFSET, true);
  view.setUint16(IFD_OFFSET, entries.length, true);
  let extra = IFD_OFFSET + 2 + entries.length * 12 + 4;
  entries.forEach((entry, i) => {
    const at = IFD_OFFSET + 2 + i * 12;
    const values = entry.tag === TAG.stripOffsets ? [dataOffset] : entry.values;
    view.setUint16(at, entry.tag, true);
    view.setUint16(at + 2, entry.type, true);
    view.setUint32(at + 4, values.length, true);
    const overflow = overflowBytes(entry);
    const target = overflow > 0 ? extra : at + 8;
    if (overflow > 0) {
      view.setUint32(at + 8, extra, true);
      extra += overflow;
    }
    values.forEach((v, k) => {
      if (entry.type === SHORT) view.setUint16(target + k * 2, v, true);
      else view.setUint32(target + k * 4, v, true);
    });
  });
  view.setUint32(IFD_OFFSET + 2 + entries.length * 12, 0, true);
}

function checkBands(bands: readonly ArrayLike<number>[], width: number, height: number): void {
  if (bands.length === 0 || !(width > 0) || !(height > 0)) {
    throw new ValidationError(
      `encodeTiff: need ≥ 1 band and a positive size, got ${bands.length} bands ${width}×${height}`,
    );
  }
  bands.forEach((band, b) => {
    if (band.length !== width * height) {
      throw new ValidationError(
        `encodeTiff: band ${b} has ${band.length} samples, expected ${width * height}`,
      );
    }
  });
}

/**
 * Encodes bands (row-major, width × height each) as a TIFF file. uint8 samples are rounded
 * and clamped to [0, 255].
 * @throws ValidationError when there are no bands or a band has the wrong length.
 */
export function encodeTiff(
  bands: readonly ArrayLike<number>[],
  width: number,
  height: number,
  sampleType: TiffSampleType,
): Uint8Array {
  checkBands(bands, width, height);
  const count = width * height;
  const spp = bands.length;
  const bytesPerSample = sampleType === 'float32' ? 4 : 1;
  const pixelBytes = count * spp * bytesPerSample;
  const entries = tiffEntries(width, height, spp, sampleType, pixelBytes);
  const ifdEnd = IFD_OFFSET + 2 + entries.length * 12 + 4;
  const headerEnd = ifdEnd + entries.reduce((sum, e) => sum + overflowBytes(e), 0);
  const dataOffset = headerEnd + ((4 - (headerEnd % 4)) % 4);
  const out = new Uint8Array(dataOffset + pixelBytes);
  const view = new DataView(out.buffer);
  writeIfd(view, entries, dataOffset);
  for (let p = 0; p < count; p++) {
    for (let b = 0; b < spp; b++) {
      const value = bands[b]![p] ?? 0;
      const at = dataOffset + (p * spp + b) * bytesPerSample;
      if (sampleType === 'float32') view.setFloat32(at, value, true);
      else out[at] = Math.max(0, Math.min(255, Math.round(value)));
    }
  }
  return out;
}
