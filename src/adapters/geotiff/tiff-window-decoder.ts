/**
 * Decides whether a TIFF image can take the fast decode path ({@link ./tiff-block-decoder.ts})
 * and runs it for one window on the calling thread or in a {@link TiffDecodePool}.
 */
import { CancelledError, CorruptFileError } from '../../core/errors.ts';
import { ByteBoundedLru } from '../../core/tiles/byte-bounded-lru.ts';
import type { RasterDataType } from '../../core/imagery/image.ts';
import type { PixelArray, PixelWindow } from '../../core/raster/raster.ts';
import type { ByteSource } from './file-byte-source.ts';
import {
  blocksForWindow,
  decodeBlockIntoWindow,
  fastDecodeAvailable,
  inflateBlock,
  outputViews,
  writeBlockIntoWindow,
  type TiffBlockGrid,
  type TiffBlockRef,
  type TiffWindowTarget,
} from './tiff-block-decoder.ts';
import type { TiffDecodePool } from './tiff-decode-pool.ts';
import type { TiffImageInfo } from './tiff-image-info.ts';

/** A TIFF image the fast path can decode: its grid and block table. */
export interface FastTiffImage {
  readonly grid: TiffBlockGrid;
  readonly dataType: RasterDataType;
  readonly offsets: readonly number[];
  readonly byteCounts: readonly number[];
}

const BYTES_PER_SAMPLE: Readonly<Record<RasterDataType, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

function pixelArrayOn(dataType: RasterDataType, buffer: ArrayBufferLike): PixelArray {
  switch (dataType) {
    case 'uint8':
      return new Uint8Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    case 'uint16':
      return new Uint16Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'uint32':
      return new Uint32Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'float32':
      return new Float32Array(buffer);
    case 'float64':
      return new Float64Array(buffer);
  }
}

/**
 * The fast-path description of an image, or null when it needs the general (geotiff.js) path:
 * compressions other than none/DEFLATE, predictors on word sizes they are not defined for,
 * big-endian files with the floating-point predictor, or a big-endian machine.
 */
export function fastTiffImage(
  info: TiffImageInfo,
  littleEndian: boolean,
  path: string,
): FastTiffImage | null {
  const bytesPerSample = info.bitsPerSample / 8;
  const float = info.sampleFormat === 3;
  const compression =
    info.compressionCode === 1 ? 1 : [8, 32946].includes(info.compressionCode) ? 8 : null;
  const predictor = info.predictor;
  if (!fastDecodeAvailable() || compression === null) return null;
  if (bytesPerSample !== 1 && bytesPerSample !== 2 && bytesPerSample !== 4 && bytesPerSample !== 8)
    return null;
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) return null;
  if (predictor === 2 && bytesPerSample === 8) return null;
  if (predictor === 3 && !(float && bytesPerSample >= 4)) return null;
  // Big-endian files with the floating-point predictor: GDAL 3.6 writes byte planes that its own
  // libtiff reads back byte-swapped, while geotiff.js reads the values GDAL was given. Until a
  // reference settles it, such files keep the general path.
  if (predictor === 3 && !littleEndian) return null;
  return {
    grid: {
      path,
      littleEndian,
      compression,
      predictor,
      bytesPerSample,
      float,
      samplesPerPixel: info.samplesPerPixel,
      planar: info.planarConfiguration === 2,
      tiled: info.tiled,
      imageWidth: info.width,
      imageHeight: info.height,
      blockWidth: info.blockWidth,
      blockHeight: info.blockHeight,
      blocksAcross: Math.ceil(info.width / info.blockWidth),
      blocksDown: Math.ceil(info.height / info.blockHeight),
    },
    dataType: info.dataType,
    offsets: info.blockOffsets,
    byteCounts: info.blockByteCounts,
  };
}

/** A window to fill and the arrays it fills (on SharedArrayBuffers when workers write them). */
export function createWindowTarget(
  image: FastTiffImage,
  window: PixelWindow,
  samples: readonly number[],
  shared: boolean,
): { target: TiffWindowTarget; arrays: PixelArray[] } {
  const bytes = window.width * window.height * BYTES_PER_SAMPLE[image.dataType];
  const outputs = samples.map(() =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes),
  );
  return {
    target: { ...window, samples, outputs },
    arrays: outputs.map((buffer) => pixelArrayOn(image.dataType, buffer)),
  };
}

/**
 * The blocks the window needs with their byte ranges, or null when one of them is empty
 * (sparse files: left to the general path, which fills them as GDAL does).
 */
export function blockRefsForWindow(
  image: FastTiffImage,
  target: TiffWindowTarget,
): TiffBlockRef[] | null {
  const refs: TiffBlockRef[] = [];
  for (const index of blocksForWindow(image.grid, target)) {
    const offset = image.offsets[index] ?? 0;
    const byteCount = image.byteCounts[index] ?? 0;
    if (byteCount === 0) return null;
    refs.push({ index, offset, byteCount });
  }
  return refs;
}

/** Wraps a block decoder's message as a CorruptFileError naming the file. */
export function corruptBlockError(path: string, error: unknown): CorruptFileError {
  return new CorruptFileError(`${path}: ${(error as Error).message}`, { cause: error });
}

/** Inflated blocks of one image by block index ({@link inflateBlock}), bounded by their bytes. */
export type DecodedBlockCache = ByteBoundedLru<number, Uint8Array>;

export function createDecodedBlockCache(maxBytes: number): DecodedBlockCache {
  return new ByteBoundedLru<number, Uint8Array>(
    maxBytes,
    (bytes) => bytes.byteLength,
    'decoded block cache',
  );
}

/**
 * Decodes `blocks` into `target` on this thread, reading the next block while decoding one.
 * With `cache`, blocks held there are not read or inflated again, and those inflated here are
 * added to it.
 * @throws CorruptFileError naming the file and block; CancelledError when `signal` aborts.
 */
export async function decodeWindowHere(
  image: FastTiffImage,
  source: ByteSource,
  target: TiffWindowTarget,
  blocks: readonly TiffBlockRef[],
  signal?: AbortSignal,
  cache?: DecodedBlockCache,
): Promise<void> {
  const { grid } = image;
  const views = outputViews(grid, target);
  // The floating-point predictor is undone in place: a cached block is written from a copy.
  const write = (index: number, bytes: Uint8Array): void => {
    writeBlockIntoWindow(grid, target, views, index, grid.predictor === 3 ? bytes.slice() : bytes);
  };
  const missing: TiffBlockRef[] = [];
  for (const ref of blocks) {
    const held = cache?.get(ref.index);
    if (held === undefined) missing.push(ref);
    else write(ref.index, held);
  }
  const read = (ref: TiffBlockRef | undefined): Promise<Uint8Array> | undefined =>
    ref === undefined ? undefined : source.read(ref.offset, ref.byteCount, signal);
  let next = read(missing[0]);
  for (let i = 0; i < missing.length; i += 1) {
    const ref = missing[i];
    const pending = next;
    if (ref === undefined || pending === undefined) break;
    const stored = await pending;
    next = read(missing[i + 1]);
    // A rejected read-ahead must not surface as an unhandled rejection if we stop first.
    next?.catch(() => undefined);
    if (signal?.aborted === true) throw new CancelledError(`reading ${source.path} was cancelled`);
    try {
      if (cache === undefined) {
        decodeBlockIntoWindow(grid, target, views, ref.index, stored);
      } else {
        // A concurrent read of a neighbouring window may have inflated it meanwhile.
        let bytes = cache.get(ref.index);
        if (bytes === undefined) {
          bytes = inflateBlock(grid, ref.index, stored);
          cache.set(ref.index, bytes);
        }
        write(ref.index, bytes);
      }
    } catch (error) {
      throw corruptBlockError(source.path, error);
    }
  }
}

/** Decodes `blocks` into `target` in the pool's worker threads. */
export async function decodeWindowInPool(
  image: FastTiffImage,
  pool: TiffDecodePool,
  target: TiffWindowTarget,
  blocks: readonly TiffBlockRef[],
  signal?: AbortSignal,
): Promise<void> {
  await pool.decode(image.grid, target, blocks, signal);
}
