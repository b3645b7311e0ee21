/**
 * Reads and checks the image structure of a TIFF's first IFD (size, samples, data type,
 * compression, blocks) before any pixel buffer exists: the pixel limit, the supported types and
 * compressions, and that every strip or tile lies inside the file.
 */
import type { RasterOpenLimits } from '../../app/ports.ts';
import { CorruptFileError, TooLargeError, UnsupportedError } from '../../core/errors.ts';
import type { RasterDataType } from '../../core/imagery/image.ts';
import type { ByteSource } from './file-byte-source.ts';
import { readEntryValues, type TiffIfd, type TiffStructure } from './tiff-structure.ts';
import {
  PHOTOMETRIC,
  SUPPORTED_COMPRESSIONS,
  TAG,
  UNSUPPORTED_COMPRESSIONS,
  describeSampleType,
  rasterDataTypeFor,
} from './tiff-tags.ts';

const MAX_SAMPLES_PER_PIXEL = 1024;

/** Typed access to the tag values of one IFD. */
export class IfdValues {
  constructor(
    readonly source: ByteSource,
    readonly structure: TiffStructure,
    readonly ifd: TiffIfd,
  ) {}

  has(tag: number): boolean {
    return this.ifd.entries.has(tag);
  }

  /** Numeric values of `tag`, or undefined when absent. @throws CorruptFileError for text. */
  async numbers(tag: number): Promise<number[] | undefined> {
    const entry = this.ifd.entries.get(tag);
    if (entry === undefined) return undefined;
    const values = await readEntryValues(this.source, this.structure, entry);
    if (typeof values === 'string') {
      throw new CorruptFileError(
        `${this.source.path}: tag ${tag} holds text where numbers were expected`,
      );
    }
    return values;
  }

  /** The first value of `tag`, or `fallback` when absent or empty. */
  async number(tag: number, fallback: number): Promise<number> {
    return (await this.numbers(tag))?.[0] ?? fallback;
  }

  /** Text of an ASCII tag (numbers are rejected as absent). */
  async text(tag: number): Promise<string | undefined> {
    const entry = this.ifd.entries.get(tag);
    if (entry === undefined) return undefined;
    const values = await readEntryValues(this.source, this.structure, entry);
    return typeof values === 'string' ? values : undefined;
  }
}

export interface TiffImageInfo {
  readonly width: number;
  readonly height: number;
  readonly samplesPerPixel: number;
  readonly dataType: RasterDataType;
  readonly bitsPerSample: number;
  /** TIFF SampleFormat: 1 unsigned, 2 signed, 3 IEEE float. */
  readonly sampleFormat: number;
  readonly compression: string;
  /** The TIFF Compression code (`compression` is its name). */
  readonly compressionCode: number;
  /** TIFF Predictor: 1 none, 2 horizontal differencing, 3 floating point. */
  readonly predictor: number;
  readonly photometric: number;
  readonly planarConfiguration: 1 | 2;
  readonly tiled: boolean;
  readonly blockWidth: number;
  readonly blockHeight: number;
  readonly extraSamples: readonly number[];
  /** Lowest file offset of any non-empty block of this image (Infinity when all are empty). */
  readonly firstDataOffset: number;
  /** File offset and stored byte count of every block (checked to lie inside the file). */
  readonly blockOffsets: readonly number[];
  readonly blockByteCounts: readonly number[];
}

function uniform(values: readonly number[], count: number, what: string, path: string): number {
  const [first] = values;
  if (first === undefined || values.length < count) {
    throw new CorruptFileError(`${path}: ${what} has ${values.length} values for ${count} samples`);
  }
  for (const value of values.slice(0, count)) {
    if (value !== first) {
      throw new UnsupportedError(
        `${path}: samples of mixed ${what} (${values.slice(0, count).join(', ')}) are not supported`,
      );
    }
  }
  return first;
}

async function readSampleLayout(
  values: IfdValues,
  path: string,
): Promise<{
  samplesPerPixel: number;
  dataType: RasterDataType;
  bitsPerSample: number;
  sampleFormat: number;
}> {
  const samplesPerPixel = await values.number(TAG.SamplesPerPixel, 1);
  if (
    !Number.isInteger(samplesPerPixel) ||
    samplesPerPixel < 1 ||
    samplesPerPixel > MAX_SAMPLES_PER_PIXEL
  ) {
    throw new CorruptFileError(
      `${path}: SamplesPerPixel is ${samplesPerPixel} (expected 1..${MAX_SAMPLES_PER_PIXEL})`,
    );
  }
  const bits = uniform(
    (await values.numbers(TAG.BitsPerSample)) ?? [1],
    samplesPerPixel,
    'BitsPerSample',
    path,
  );
  const format = values.has(TAG.SampleFormat)
    ? uniform((await values.numbers(TAG.SampleFormat)) ?? [], samplesPerPixel, 'SampleFormat', path)
    : 1;
  const dataType = rasterDataTypeFor(format, bits);
  if (dataType === null) {
    throw new UnsupportedError(
      `${path}: ${describeSampleType(format, bits)} samples are not supported (supported: 8/16/32-bit integers, 32/64-bit floats)`,
    );
  }
  return { samplesPerPixel, dataType, bitsPerSample: bits, sampleFormat: format };
}

async function readCompression(
  values: IfdValues,
  path: string,
): Promise<{ code: number; name: string }> {
  const code = await values.number(TAG.Compression, 1);
  const name = SUPPORTED_COMPRESSIONS[code];
  if (name === undefined) {
    const known = UNSUPPORTED_COMPRESSIONS[code];
    throw new UnsupportedError(
      `${path}: compression ${code}${known === undefined ? '' : ` (${known})`} is not supported ` +
        `(supported: none, LZW, JPEG, DEFLATE, PackBits, ZSTD)`,
    );
  }
  return { code, name };
}

interface BlockGrid {
  readonly tiled: boolean;
  readonly blockWidth: number;
  readonly blockHeight: number;
  readonly offsetsTag: number;
  readonly countsTag: number;
}

async function readBlockGrid(
  values: IfdValues,
  width: number,
  height: number,
  path: string,
): Promise<BlockGrid> {
  if (values.has(TAG.StripOffsets)) {
    const rows = await values.number(TAG.RowsPerStrip, height);
    if (!(rows >= 1))
      throw new CorruptFileError(`${path}: RowsPerStrip is ${rows} (expected at least 1)`);
    return {
      tiled: false,
      blockWidth: width,
      blockHeight: Math.min(rows, height),
      offsetsTag: TAG.StripOffsets,
      countsTag: TAG.StripByteCounts,
    };
  }
  if (!values.has(TAG.TileOffsets)) {
    throw new CorruptFileError(`${path}: the image has neither StripOffsets nor TileOffsets`);
  }
  const blockWidth = await values.number(TAG.TileWidth, 0);
  const blockHeight = await values.number(TAG.TileLength, 0);
  if (
    !Number.isInteger(blockWidth) ||
    !Number.isInteger(blockHeight) ||
    blockWidth < 1 ||
    blockHeight < 1
  ) {
    throw new CorruptFileError(`${path}: tile size ${blockWidth} × ${blockHeight} is invalid`);
  }
  return {
    tiled: true,
    blockWidth,
    blockHeight,
    offsetsTag: TAG.TileOffsets,
    countsTag: TAG.TileByteCounts,
  };
}

/** Checks that the offset/byte-count arrays cover every block and that each block is inside the file. */
async function checkBlocks(
  values: IfdValues,
  grid: BlockGrid,
  expected: number,
  path: string,
  sizeBytes: number,
): Promise<{ first: number; offsets: number[]; counts: number[] }> {
  const kind = grid.tiled ? 'tile' : 'strip';
  const offsets = (await values.numbers(grid.offsetsTag)) ?? [];
  const counts = (await values.numbers(grid.countsTag)) ?? [];
  if (offsets.length < expected || counts.length < expected) {
    throw new CorruptFileError(
      `${path}: the image needs ${expected} ${kind}s but the file lists ${offsets.length} offsets and ${counts.length} byte counts`,
    );
  }
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < expected; i += 1) {
    const offset = offsets[i] ?? 0;
    const count = counts[i] ?? 0;
    if (count === 0) continue;
    if (offset + count > sizeBytes) {
      throw new CorruptFileError(
        `${path}: truncated: ${kind} ${i} ends at byte ${offset + count} but the file has ${sizeBytes} bytes`,
      );
    }
    first = Math.min(first, offset);
  }
  return { first, offsets: offsets.slice(0, expected), counts: counts.slice(0, expected) };
}

/**
 * Reads and checks the first image of a TIFF.
 * @throws TooLargeError when width × height exceeds `limits.maxPixels` (or a block does);
 *   UnsupportedError for sample types, compressions or colour models geotiff.js cannot decode;
 *   CorruptFileError for missing or inconsistent structure and blocks beyond the end of the file.
 */
export async function readImageInfo(
  values: IfdValues,
  limits: RasterOpenLimits,
): Promise<TiffImageInfo> {
  const { path, sizeBytes } = values.source;
  const width = await values.number(TAG.ImageWidth, 0);
  const height = await values.number(TAG.ImageLength, 0);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new CorruptFileError(`${path}: image size ${width} × ${height} is invalid`);
  }
  if (width * height > limits.maxPixels) {
    throw new TooLargeError(
      `${path}: ${width} × ${height} pixels (${width * height}) exceed the limit of ${limits.maxPixels} pixels`,
    );
  }
  const { samplesPerPixel, dataType, bitsPerSample, sampleFormat } = await readSampleLayout(
    values,
    path,
  );
  const compression = await readCompression(values, path);
  const photometric = await values.number(TAG.PhotometricInterpretation, PHOTOMETRIC.minIsBlack);
  if (photometric === PHOTOMETRIC.ycbcr && (compression.code !== 7 || samplesPerPixel !== 3)) {
    throw new UnsupportedError(
      `${path}: YCbCr colour is supported only for 3-band JPEG-compressed images`,
    );
  }
  const planar = await values.number(TAG.PlanarConfiguration, 1);
  if (planar !== 1 && planar !== 2)
    throw new CorruptFileError(`${path}: PlanarConfiguration is ${planar} (expected 1 or 2)`);
  const grid = await readBlockGrid(values, width, height, path);
  if (grid.blockWidth * grid.blockHeight > limits.maxPixels) {
    throw new TooLargeError(
      `${path}: blocks of ${grid.blockWidth} × ${grid.blockHeight} pixels exceed the limit of ${limits.maxPixels} pixels`,
    );
  }
  const blocks =
    Math.ceil(width / grid.blockWidth) *
    Math.ceil(height / grid.blockHeight) *
    (planar === 2 ? samplesPerPixel : 1);
  const blockTable = await checkBlocks(values, grid, blocks, path, sizeBytes);
  return {
    width,
    height,
    samplesPerPixel,
    dataType,
    bitsPerSample,
    sampleFormat,
    compression: compression.name,
    compressionCode: compression.code,
    predictor: await values.number(TAG.Predictor, 1),
    photometric,
    planarConfiguration: planar,
    tiled: grid.tiled,
    blockWidth: grid.blockWidth,
    blockHeight: grid.blockHeight,
    extraSamples: (await values.numbers(TAG.ExtraSamples)) ?? [],
    firstDataOffset: blockTable.first,
    blockOffsets: blockTable.offsets,
    blockByteCounts: blockTable.counts,
  };
}

/** Whether an IFD is a reduced-resolution copy of the image (an overview), not a mask. */
export async function isOverviewIfd(values: IfdValues): Promise<boolean> {
  const newSubfileType = await values.number(TAG.NewSubfileType, 0);
  const subfileType = await values.number(TAG.SubfileType, 0);
  const isMask = (newSubfileType & 4) !== 0;
  return !isMask && ((newSubfileType & 1) !== 0 || subfileType === 2);
}
