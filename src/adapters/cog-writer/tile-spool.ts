/**
 * A temporary file holding the encoded tiles of one pyramid level in the order they were
 * produced, each framed as GDAL's COG layout wants it: a 4-byte little-endian size (the
 * "leader"), the tile bytes, then the tile's last 4 bytes again (the "trailer"). Records where
 * each tile's bytes start, relative to the spool's first byte, and their size.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { SitewatchError, describeError } from '../../core/errors.ts';

/** Bytes of framing around each tile: leader + trailer. */
export const TILE_FRAME_BYTES = 8;
const FLUSH_BYTES = 4 * 2 ** 20;
/** Below the usual IOV_MAX (1024), so one writev call takes all buffers. */
const FLUSH_BUFFERS = 960;

export class TileSpool {
  /** Start of each tile's bytes within the spool (after its leader); -1 until written. */
  readonly offsets: Float64Array;
  /** Tile sizes in bytes, without framing. */
  readonly sizes: Uint32Array;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private position = 0;
  private tilesWritten = 0;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    tileCount: number,
  ) {
    this.offsets = new Float64Array(tileCount).fill(-1);
    this.sizes = new Uint32Array(tileCount);
  }

  /** Creates the spool file at `path` (which must not exist). */
  static async create(path: string, tileCount: number): Promise<TileSpool> {
    try {
      return new TileSpool(path, await open(path, 'wx'), tileCount);
    } catch (error) {
      throw new SitewatchError(
        'IO',
        `cannot create temporary tile file ${path}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Bytes in the spool, framing included, once flushed. */
  get byteLength(): number {
    return this.position + this.pendingBytes;
  }

  get complete(): boolean {
    return this.tilesWritten === this.offsets.length;
  }

  /** Appends tile `index` (its bytes must not change afterwards). */
  async append(index: number, bytes: Uint8Array): Promise<void> {
    const leader = Buffer.allocUnsafe(4);
    leader.writeUInt32LE(bytes.byteLength, 0);
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const trailer = Buffer.from(data.subarray(Math.max(0, data.byteLength - 4)));
    this.offsets[index] = this.byteLength + 4;
    this.sizes[index] = bytes.byteLength;
    this.tilesWritten++;
    this.pending.push(leader, data, trailer);
    this.pendingBytes += bytes.byteLength + 4 + trailer.byteLength;
    if (this.pendingBytes >= FLUSH_BYTES || this.pending.length >= FLUSH_BUFFERS)
      await this.flush();
  }

  /** Writes buffered tiles to the file. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const bytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      let written = 0;
      while (written < bytes) {
        const result = await this.handle.writev(
          written === 0 ? buffers : remaining(buffers, written),
        );
        written += result.bytesWritten;
      }
    } catch (error) {
      throw new SitewatchError(
        'IO',
        `cannot write temporary tile file ${this.path}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    this.position += bytes;
  }

  /** Flushes and closes the file (the spool stays readable by path). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.handle.close();
  }

  /** Closes the file, ignoring errors (used when aborting). */
  async discard(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
  }
}

/** The buffers left after the first `skip` bytes (a short writev). */
function remaining(buffers: readonly Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  let left = skip;
  for (const buffer of buffers) {
    if (left >= buffer.byteLength) {
      left -= buffer.byteLength;
      continue;
    }
    rest.push(left > 0 ? buffer.subarray(left) : buffer);
    left = 0;
  }
  return rest;
}
