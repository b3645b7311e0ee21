/**
 * Compresses tiles with node:zlib and hands them to their level's spool in the order they were
 * submitted. Asynchronous `zlib.deflate` runs in libuv's threadpool, so several tiles compress
 * at once on all cores while the caller prepares the next ones; at most `maxInFlight` tiles are
 * pending, which bounds memory. `maxInFlight` 0 compresses synchronously on the calling thread.
 */
import { constants, deflate, deflateSync, type ZlibOptions } from 'node:zlib';
import { SitewatchError, describeError } from '../../core/errors.ts';
import type { TileSpool } from './tile-spool.ts';

interface PendingTile {
  readonly spool: TileSpool;
  readonly index: number;
  readonly result: Promise<Uint8Array>;
}

/**
 * zlib options that return each tile in one piece: an output chunk big enough for the whole
 * compressed tile (deflate expands incompressible input by well under 0.1 %), and Z_FINISH on
 * the data itself. With node's defaults (16 KiB chunks, Z_NO_FLUSH then a final flush) every
 * chunk is a main-thread callback and the pieces are concatenated, a copy of every tile.
 */
function zlibOptions(bytes: Uint8Array, level: number): ZlibOptions {
  return {
    level,
    chunkSize: bytes.byteLength + (bytes.byteLength >> 8) + 1024,
    flush: constants.Z_FINISH,
  };
}

/**
 * The output, copied onto its own memory when it would otherwise pin a zlib chunk more than 4×
 * its size while it waits in a spool (well-compressed tiles).
 */
function trimmed(output: Buffer): Buffer {
  return output.byteLength * 4 < output.buffer.byteLength ? Buffer.from(output) : output;
}

function deflateInPool(bytes: Uint8Array, level: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    deflate(bytes, zlibOptions(bytes, level), (error, output) => {
      if (error) reject(error);
      else resolve(trimmed(output));
    });
  });
}

export class TileCompressor {
  private readonly queue: PendingTile[] = [];

  constructor(
    private readonly compression: 'deflate' | 'none',
    private readonly level: number,
    private readonly maxInFlight: number,
  ) {}

  /** Compresses `bytes` (which must not change afterwards) as tile `index` of `spool`. */
  async submit(spool: TileSpool, index: number, bytes: Uint8Array): Promise<void> {
    if (this.compression === 'none') {
      await spool.append(index, bytes);
      return;
    }
    if (this.maxInFlight === 0) {
      await spool.append(index, this.compressSync(bytes));
      return;
    }
    const result = deflateInPool(bytes, this.level);
    // Rejections are handled when the tile reaches the front of the queue.
    result.catch(() => undefined);
    this.queue.push({ spool, index, result });
    while (this.queue.length > this.maxInFlight) await this.writeOldest();
  }

  /** Waits for every submitted tile and hands it to its spool. */
  async drain(): Promise<void> {
    while (this.queue.length > 0) await this.writeOldest();
  }

  /** Forgets pending tiles (their compression finishes in the background and is dropped). */
  discard(): void {
    this.queue.length = 0;
  }

  private compressSync(bytes: Uint8Array): Uint8Array {
    try {
      return trimmed(deflateSync(bytes, zlibOptions(bytes, this.level)));
    } catch (error) {
      throw new SitewatchError('IO', `deflate of a tile failed: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  private async writeOldest(): Promise<void> {
    const oldest = this.queue.shift();
    if (!oldest) return;
    let compressed: Uint8Array;
    try {
      compressed = await oldest.result;
    } catch (error) {
      throw new SitewatchError('IO', `deflate of a tile failed: ${describeError(error)}`, {
        cause: error,
      });
    }
    await oldest.spool.append(oldest.index, compressed);
  }
}
