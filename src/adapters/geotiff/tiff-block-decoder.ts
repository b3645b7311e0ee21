/**
 * The fast block decoder behind `readWindow` for the common GeoTIFF encodings: DEFLATE (8, 32946)
 * through node:zlib or no compression, with no predictor, the horizontal predictor (2) on 8/16/32-bit
 * words or the floating-point predictor (3) on 32/64-bit floats, pixel-interleaved or planar,
 * tiled or striped. One decoded block is written straight into the window's per-band arrays:
 * one pass per row and band, no per-sample calls, no intermediate image buffers.
 *
 * Everything here is plain data in, plain data out, so that the same code runs on the calling
 * thread and in the decode workers ({@link ./tiff-decode-pool.ts}). Errors are plain `Error`s
 * whose message names the block; callers wrap them as CorruptFileError naming the file.
 */
import { constants, inflateSync } from 'node:zlib';

/** Everything needed to decode any block of one TIFF image; structured-cloneable. */
export interface TiffBlockGrid {
  readonly path: string;
  readonly littleEndian: boolean;
  /** 1 (none) or 8 (DEFLATE; 32946 is mapped to 8). */
  readonly compression: 1 | 8;
  readonly predictor: 1 | 2 | 3;
  readonly bytesPerSample: 1 | 2 | 4 | 8;
  /** Whether the samples are IEEE floats (the floating-point predictor needs them). */
  readonly float: boolean;
  readonly samplesPerPixel: number;
  /** PlanarConfiguration 2: one block per sample. */
  readonly planar: boolean;
  readonly tiled: boolean;
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly blockWidth: number;
  readonly blockHeight: number;
  readonly blocksAcross: number;
  readonly blocksDown: number;
}

/** The window being filled: one output buffer per entry of `samples` (distinct sample indexes). */
export interface TiffWindowTarget {
  readonly col0: number;
  readonly row0: number;
  readonly width: number;
  readonly height: number;
  readonly samples: readonly number[];
  readonly outputs: readonly ArrayBufferLike[];
}

/** One block to decode: its index in the TileOffsets/StripOffsets arrays and its bytes' place. */
export interface TiffBlockRef {
  readonly index: number;
  readonly offset: number;
  readonly byteCount: number;
}

export type WordArray = Uint8Array | Uint16Array | Uint32Array;

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Whether this machine can use the fast path (it assumes a little-endian host). */
export function fastDecodeAvailable(): boolean {
  return HOST_LITTLE_ENDIAN;
}

function blockLabel(grid: TiffBlockGrid, index: number): string {
  return `${grid.tiled ? 'tile' : 'strip'} ${index}`;
}

/** Position of a block: its plane (sample, planar only), block column and block row. */
function locateBlock(
  grid: TiffBlockGrid,
  index: number,
): { plane: number; blockCol: number; blockRow: number } {
  const perPlane = grid.blocksAcross * grid.blocksDown;
  const plane = grid.planar ? Math.floor(index / perPlane) : 0;
  const rest = index - plane * perPlane;
  const blockRow = Math.floor(rest / grid.blocksAcross);
  return { plane, blockCol: rest - blockRow * grid.blocksAcross, blockRow };
}

/** Bytes of one stored row of a block. */
export function blockRowBytes(grid: TiffBlockGrid): number {
  return grid.blockWidth * (grid.planar ? 1 : grid.samplesPerPixel) * grid.bytesPerSample;
}

/** Rows stored in a block: full tiles always; the last strip holds only the rows left. */
function storedRows(grid: TiffBlockGrid, blockRow: number): number {
  if (grid.tiled) return grid.blockHeight;
  return Math.min(grid.blockHeight, grid.imageHeight - blockRow * grid.blockHeight);
}

/** Decoded size of a block in bytes. */
export function expectedBlockBytes(grid: TiffBlockGrid, index: number): number {
  return storedRows(grid, locateBlock(grid, index).blockRow) * blockRowBytes(grid);
}

/**
 * The indexes of the blocks that hold the pixels of `target`, row by row: for planar images
 * only the planes of the requested samples.
 */
export function blocksForWindow(grid: TiffBlockGrid, target: TiffWindowTarget): number[] {
  const firstCol = Math.floor(target.col0 / grid.blockWidth);
  const lastCol = Math.floor((target.col0 + target.width - 1) / grid.blockWidth);
  const firstRow = Math.floor(target.row0 / grid.blockHeight);
  const lastRow = Math.floor((target.row0 + target.height - 1) / grid.blockHeight);
  const planes = grid.planar ? [...target.samples].sort((a, b) => a - b) : [0];
  const perPlane = grid.blocksAcross * grid.blocksDown;
  const indexes: number[] = [];
  for (const plane of planes) {
    for (let row = firstRow; row <= lastRow; row += 1) {
      for (let col = firstCol; col <= lastCol; col += 1) {
        indexes.push(plane * perPlane + row * grid.blocksAcross + col);
      }
    }
  }
  return indexes;
}

/**
 * Decompresses one block into exactly its decoded size.
 * @throws Error naming the block when the data is corrupt, short, or longer than the block.
 */
export function decompressBlock(
  grid: TiffBlockGrid,
  index: number,
  compressed: Uint8Array,
): Uint8Array {
  const expected = expectedBlockBytes(grid, index);
  let bytes: Uint8Array;
  if (grid.compression === 1) {
    bytes = compressed;
  } else {
    try {
      bytes = inflateSync(compressed, {
        maxOutputLength: expected,
        chunkSize: Math.max(64, expected + 64),
        finishFlush: constants.Z_SYNC_FLUSH,
      });
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
          ? `it inflates to more than the ${expected} bytes of the block`
          : (error as Error).message;
      throw new Error(`${blockLabel(grid, index)} is corrupt: ${reason}`, { cause: error });
    }
  }
  if (bytes.length < expected) {
    throw new Error(
      `${blockLabel(grid, index)} is truncated or corrupt: it holds ${bytes.length} bytes of the ${expected} expected`,
    );
  }
  // Word views need an aligned start (small zlib outputs may come from Buffer's pool).
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice(0, expected);
  return bytes.subarray(0, expected);
}

/**
 * Puts the words of a big-endian block in host (little-endian) order, in place, before the
 * horizontal predictor is undone (as libtiff does; geotiff.js 3.0.5 undoes it on the stored
 * big-endian bytes and gets 16/32-bit values wrong). The floating-point predictor's byte planes
 * are not swapped.
 */
function swapToHostOrder(grid: TiffBlockGrid, bytes: Uint8Array): void {
  if (grid.littleEndian || grid.bytesPerSample === 1 || grid.predictor === 3) return;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (grid.bytesPerSample === 2) buffer.swap16();
  else if (grid.bytesPerSample === 4) buffer.swap32();
  else buffer.swap64();
}

function wordView(bytes: Uint8Array, bytesPerWord: 1 | 2 | 4): WordArray {
  const { buffer, byteOffset, byteLength } = bytes;
  if (bytesPerWord === 1) return bytes;
  if (bytesPerWord === 2) return new Uint16Array(buffer, byteOffset, byteLength / 2);
  return new Uint32Array(buffer, byteOffset, byteLength / 4);
}

/** Unsigned word views over the output buffers (floats are copied as their bits). */
export function outputViews(grid: TiffBlockGrid, target: TiffWindowTarget): WordArray[] {
  const bytesPerWord = grid.bytesPerSample === 8 ? 4 : grid.bytesPerSample;
  return target.outputs.map((buffer) => {
    if (bytesPerWord === 1) return new Uint8Array(buffer);
    if (bytesPerWord === 2) return new Uint16Array(buffer);
    return new Uint32Array(buffer);
  });
}

// The loops below are split by word size so that each stays monomorphic for V8.

function copy8(s: Uint8Array, at: number, step: number, d: Uint8Array, to: number, n: number) {
  for (let x = 0; x < n; x += 1, at += step) d[to + x] = s[at] ?? 0;
}
function copy16(s: Uint16Array, at: number, step: number, d: Uint16Array, to: number, n: number) {
  for (let x = 0; x < n; x += 1, at += step) d[to + x] = s[at] ?? 0;
}
function copy32(s: Uint32Array, at: number, step: number, d: Uint32Array, to: number, n: number) {
  for (let x = 0; x < n; x += 1, at += step) d[to + x] = s[at] ?? 0;
}
function copy64(s: Uint32Array, at: number, step: number, d: Uint32Array, to: number, n: number) {
  for (let x = 0; x < n; x += 1, at += step) {
    d[to + 2 * x] = s[at] ?? 0;
    d[to + 2 * x + 1] = s[at + 1] ?? 0;
  }
}

/** Horizontal predictor: sums words `at, at+step, …` from the row start, writes columns skip… */
function sum8(
  s: Uint8Array,
  at: number,
  step: number,
  skip: number,
  d: Uint8Array,
  to: number,
  n: number,
) {
  let acc = 0;
  for (let x = 0; x < skip; x += 1, at += step) acc = (acc + (s[at] ?? 0)) & 0xff;
  for (let x = 0; x < n; x += 1, at += step) {
    acc = (acc + (s[at] ?? 0)) & 0xff;
    d[to + x] = acc;
  }
}
function sum16(
  s: Uint16Array,
  at: number,
  step: number,
  skip: number,
  d: Uint16Array,
  to: number,
  n: number,
) {
  let acc = 0;
  for (let x = 0; x < skip; x += 1, at += step) acc = (acc + (s[at] ?? 0)) & 0xffff;
  for (let x = 0; x < n; x += 1, at += step) {
    acc = (acc + (s[at] ?? 0)) & 0xffff;
    d[to + x] = acc;
  }
}
function sum32(
  s: Uint32Array,
  at: number,
  step: number,
  skip: number,
  d: Uint32Array,
  to: number,
  n: number,
) {
  let acc = 0;
  for (let x = 0; x < skip; x += 1, at += step) acc = (acc + (s[at] ?? 0)) | 0;
  for (let x = 0; x < n; x += 1, at += step) {
    acc = (acc + (s[at] ?? 0)) | 0;
    d[to + x] = acc;
  }
}

/** Floating-point predictor, step 1: undoes the byte differencing of a whole row in place. */
function unshuffleDifferences(row: Uint8Array, samplesPerPixel: number): void {
  for (let i = samplesPerPixel; i < row.length; i += 1) {
    row[i] = (row[i] ?? 0) + (row[i - samplesPerPixel] ?? 0);
  }
}

/**
 * Floating-point predictor, step 2: word `count` of the row has its bytes in planes of `words`
 * bytes, most significant first; assembles `n` of them (every `step`-th) as host words.
 */
function gatherFloat32(
  row: Uint8Array,
  words: number,
  count: number,
  step: number,
  d: Uint32Array,
  to: number,
  n: number,
) {
  const p1 = words;
  const p2 = 2 * words;
  const p3 = 3 * words;
  for (let x = 0; x < n; x += 1, count += step) {
    d[to + x] =
      (((row[count] ?? 0) << 24) |
        ((row[p1 + count] ?? 0) << 16) |
        ((row[p2 + count] ?? 0) << 8) |
        (row[p3 + count] ?? 0)) >>>
      0;
  }
}
function gatherFloat64(
  row: Uint8Array,
  words: number,
  count: number,
  step: number,
  d: Uint32Array,
  to: number,
  n: number,
) {
  for (let x = 0; x < n; x += 1, count += step) {
    let high = 0;
    let low = 0;
    for (let k = 0; k < 4; k += 1) {
      high = (high << 8) | (row[k * words + count] ?? 0);
      low = (low << 8) | (row[(k + 4) * words + count] ?? 0);
    }
    d[to + 2 * x] = low >>> 0;
    d[to + 2 * x + 1] = high >>> 0;
  }
}

interface RowJob {
  /** Word view (or bytes) of the decoded block, host order. */
  readonly words: WordArray;
  /** Index of the row's first word in `words`. */
  readonly rowWord: number;
  /** Word index (from the row start) of the first wanted sample at block column 0. */
  readonly sampleWord: number;
  /** Words between consecutive pixels of one sample. */
  readonly step: number;
  /** Block column of the first wanted pixel, and how many. */
  readonly skip: number;
  readonly count: number;
  readonly out: WordArray;
  readonly outAt: number;
}

function decodeRowInteger(grid: TiffBlockGrid, job: RowJob): void {
  const { words, rowWord, sampleWord, step, skip, count, out, outAt } = job;
  const wordsPerSample = grid.bytesPerSample === 8 ? 2 : 1;
  const at = rowWord + sampleWord * wordsPerSample;
  if (grid.predictor === 1) {
    const first = at + skip * step;
    if (grid.bytesPerSample === 8) {
      copy64(words as Uint32Array, first, step, out as Uint32Array, outAt * 2, count);
    } else if (step === 1) {
      out.set(words.subarray(first, first + count), outAt);
    } else if (grid.bytesPerSample === 1) {
      copy8(words as Uint8Array, first, step, out as Uint8Array, outAt, count);
    } else if (grid.bytesPerSample === 2) {
      copy16(words as Uint16Array, first, step, out as Uint16Array, outAt, count);
    } else {
      copy32(words as Uint32Array, first, step, out as Uint32Array, outAt, count);
    }
  } else if (grid.bytesPerSample === 1) {
    sum8(words as Uint8Array, at, step, skip, out as Uint8Array, outAt, count);
  } else if (grid.bytesPerSample === 2) {
    sum16(words as Uint16Array, at, step, skip, out as Uint16Array, outAt, count);
  } else {
    sum32(words as Uint32Array, at, step, skip, out as Uint32Array, outAt, count);
  }
}

/**
 * Decodes block `index` from its stored bytes and writes the part of it inside the window into
 * `views` (from {@link outputViews}, one per target sample).
 * @throws Error naming the block when its bytes are corrupt or short.
 */
export function decodeBlockIntoWindow(
  grid: TiffBlockGrid,
  target: TiffWindowTarget,
  views: readonly WordArray[],
  index: number,
  stored: Uint8Array,
): void {
  writeBlockIntoWindow(grid, target, views, index, inflateBlock(grid, index, stored));
}

/**
 * Block `index` decompressed, in host word order, predictor not yet undone: what a decoded-block
 * cache keeps, to be given to {@link writeBlockIntoWindow} any number of times.
 * @throws Error naming the block when its bytes are corrupt or short.
 */
export function inflateBlock(grid: TiffBlockGrid, index: number, stored: Uint8Array): Uint8Array {
  const bytes = decompressBlock(grid, index, stored);
  swapToHostOrder(grid, bytes);
  return bytes;
}

/**
 * Writes the part of an inflated block ({@link inflateBlock}) inside the window into `views`.
 * `bytes` is left as it was, except with the floating-point predictor, which is undone in place
 * (pass a copy to keep it).
 */
export function writeBlockIntoWindow(
  grid: TiffBlockGrid,
  target: TiffWindowTarget,
  views: readonly WordArray[],
  index: number,
  bytes: Uint8Array,
): void {
  const { plane, blockCol, blockRow } = locateBlock(grid, index);
  const blockCol0 = blockCol * grid.blockWidth;
  const blockRow0 = blockRow * grid.blockHeight;
  const col0 = Math.max(target.col0, blockCol0);
  const col1 = Math.min(target.col0 + target.width, blockCol0 + grid.blockWidth, grid.imageWidth);
  const row0 = Math.max(target.row0, blockRow0);
  const row1 = Math.min(target.row0 + target.height, blockRow0 + storedRows(grid, blockRow));
  if (col1 <= col0 || row1 <= row0) return;
  const rowBytes = blockRowBytes(grid);
  const pixelWords = grid.planar ? 1 : grid.samplesPerPixel;
  const slots = target.samples
    .map((sample, slot) => ({ sample, slot }))
    .filter(({ sample }) => !grid.planar || sample === plane);
  const words =
    grid.predictor === 3
      ? bytes
      : wordView(bytes, grid.bytesPerSample === 8 ? 4 : grid.bytesPerSample);
  const wordsPerRow = rowBytes / (grid.bytesPerSample === 8 ? 4 : grid.bytesPerSample);
  for (let row = row0; row < row1; row += 1) {
    const rowStart = (row - blockRow0) * rowBytes;
    const outRow = (row - target.row0) * target.width + (col0 - target.col0);
    if (grid.predictor === 3) {
      const rowBytesView = bytes.subarray(rowStart, rowStart + rowBytes);
      unshuffleDifferences(rowBytesView, pixelWords);
      const wordsInRow = grid.blockWidth * pixelWords;
      for (const { sample, slot } of slots) {
        const out = views[slot] as Uint32Array;
        const first = (col0 - blockCol0) * pixelWords + (grid.planar ? 0 : sample);
        const gather = grid.bytesPerSample === 8 ? gatherFloat64 : gatherFloat32;
        const outAt = grid.bytesPerSample === 8 ? outRow * 2 : outRow;
        gather(rowBytesView, wordsInRow, first, pixelWords, out, outAt, col1 - col0);
      }
      continue;
    }
    for (const { sample, slot } of slots) {
      const out = views[slot];
      if (out === undefined) continue;
      decodeRowInteger(grid, {
        words,
        rowWord: (row - blockRow0) * wordsPerRow,
        sampleWord: grid.planar ? 0 : sample,
        step: pixelWords * (grid.bytesPerSample === 8 ? 2 : 1),
        skip: col0 - blockCol0,
        count: col1 - col0,
        out,
        outAt: outRow,
      });
    }
  }
}
