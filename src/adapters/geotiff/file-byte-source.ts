/**
 * A byte-range source over one open file, shared by the TIFF structure walker and geotiff.js
 * (which only needs `fetch(slices, signal)` and `close()`). We use it instead of geotiff.js's own
 * `fromFile` source for three reasons: that source leaks its file descriptor when the header is
 * not a TIFF, it allocates whatever length a corrupt tag asks for, and it ignores AbortSignal.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  CancelledError,
  CorruptFileError,
  NotFoundError,
  SitewatchError,
} from '../../core/errors.ts';

/** geotiff.js asks for fixed-size header/IFD chunks (1 KB, 4 KB for BigTIFF) that may pass the end. */
export const READ_PAST_END_ALLOWANCE_BYTES = 16 * 1024;

/**
 * Refuses an exact read that does not lie inside the source.
 * @throws CorruptFileError naming `path`, the range and the size (`what`: "file", "object").
 */
export function checkExactRead(
  path: string,
  sizeBytes: number,
  what: string,
  offset: number,
  length: number,
): void {
  if (
    offset < 0 ||
    length < 0 ||
    !Number.isSafeInteger(offset + length) ||
    offset + length > sizeBytes
  ) {
    throw new CorruptFileError(
      `${path}: needs bytes ${offset}..${offset + length} but the ${what} has ${sizeBytes} bytes`,
    );
  }
}

/**
 * For a geotiff.js slice fetch: how many of the `length` bytes at `offset` exist (the rest are
 * zero-filled), refusing a range that ends far past the end so a corrupt length cannot make us
 * allocate wildly.
 * @throws CorruptFileError naming `path`, the range and the size (`what`: "file", "object").
 */
export function availableSliceBytes(
  path: string,
  sizeBytes: number,
  what: string,
  offset: number,
  length: number,
): number {
  const end = offset + length;
  if (
    offset < 0 ||
    length < 0 ||
    !Number.isSafeInteger(end) ||
    end > sizeBytes + READ_PAST_END_ALLOWANCE_BYTES
  ) {
    throw new CorruptFileError(
      `${path}: truncated or corrupt: a read of ${length} bytes at byte ${offset} ends past the end of the ${what} (${sizeBytes} bytes)`,
    );
  }
  return Math.max(0, Math.min(length, sizeBytes - offset));
}

export interface ByteSlice {
  readonly offset: number;
  readonly length: number;
}

/**
 * What the TIFF reader needs from wherever the bytes live (a local file, an HTTP(S) range
 * source, an object store): exact reads, geotiff.js-style slice fetches, and `close()`.
 */
export interface ByteSource {
  /** The file path or URL, used in error messages. */
  readonly path: string;
  readonly sizeBytes: number;
  /** Exactly `length` bytes at `offset`; throws CorruptFileError past the end. */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** Each slice, zero-filled past the end (within a small allowance). */
  fetch(slices: readonly ByteSlice[], signal?: AbortSignal): Promise<ArrayBuffer[]>;
  close(): Promise<void>;
}

function throwIfAborted(signal: AbortSignal | undefined, path: string): void {
  if (signal?.aborted === true) throw new CancelledError(`reading ${path} was cancelled`);
}

/** Random-access reads of one file; `close()` is idempotent. */
export class FileByteSource implements ByteSource {
  readonly path: string;
  readonly sizeBytes: number;
  readonly #handle: FileHandle;
  #closed = false;

  private constructor(path: string, handle: FileHandle, sizeBytes: number) {
    this.path = path;
    this.#handle = handle;
    this.sizeBytes = sizeBytes;
  }

  /**
   * Opens `path` for reading.
   * @throws NotFoundError when the file does not exist; SitewatchError('IO') for other failures.
   */
  static async open(path: string): Promise<FileByteSource> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError(`raster file not found: ${path}`, { cause: error });
      }
      throw new SitewatchError('IO', `cannot open ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      const stats = await handle.stat();
      return new FileByteSource(path, handle, stats.size);
    } catch (error) {
      await handle.close();
      throw new SitewatchError('IO', `cannot stat ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * Reads exactly `length` bytes at `offset`.
   * @throws CorruptFileError when the range passes the end of the file.
   */
  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    checkExactRead(this.path, this.sizeBytes, 'file', offset, length);
    return this.#readInto(new Uint8Array(length), offset, length, signal);
  }

  /**
   * geotiff.js source interface: each slice as an ArrayBuffer of the requested length, zero-filled
   * past the end of the file (as geotiff.js's own file source does) but refusing ranges that lie
   * far beyond it, so that a corrupt length cannot make us allocate wildly.
   */
  async fetch(slices: readonly ByteSlice[], signal?: AbortSignal): Promise<ArrayBuffer[]> {
    const buffers: ArrayBuffer[] = [];
    for (const { offset, length } of slices) {
      const available = availableSliceBytes(this.path, this.sizeBytes, 'file', offset, length);
      const buffer = new Uint8Array(length);
      await this.#readInto(buffer, offset, available, signal);
      buffers.push(buffer.buffer);
    }
    return buffers;
  }

  async #readInto(
    buffer: Uint8Array,
    offset: number,
    length: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    throwIfAborted(signal, this.path);
    if (this.#closed) throw new SitewatchError('IO', `${this.path} is closed`);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.#handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    throwIfAborted(signal, this.path);
    return buffer;
  }

  /** Closes the file; later reads fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }
}
