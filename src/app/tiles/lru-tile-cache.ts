/**
 * An in-memory least-recently-used cache of encoded tiles keyed by their ETag, bounded by the
 * bytes it holds. Pure bookkeeping (a Map in recency order), so it lives beside its use case.
 */
import { ValidationError } from '../../core/errors.ts';

export interface CachedTile {
  readonly etag: string;
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

export class LruTileCache {
  readonly #entries = new Map<string, CachedTile>();
  #bytes = 0;

  /** @throws ValidationError when the budget is not a non-negative integer. */
  constructor(readonly maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new ValidationError(
        `tile cache size ${maxBytes} must be a non-negative integer of bytes`,
      );
    }
  }

  /** Bytes of the tiles held now. */
  get sizeBytes(): number {
    return this.#bytes;
  }

  get count(): number {
    return this.#entries.size;
  }

  get(etag: string): CachedTile | undefined {
    const entry = this.#entries.get(etag);
    if (entry !== undefined) {
      this.#entries.delete(etag);
      this.#entries.set(etag, entry);
    }
    return entry;
  }

  /** Adds a tile, evicting the least recently used until the budget holds; a tile over budget is not kept. */
  set(tile: CachedTile): void {
    const old = this.#entries.get(tile.etag);
    if (old !== undefined) {
      this.#entries.delete(tile.etag);
      this.#bytes -= old.bytes.byteLength;
    }
    if (tile.bytes.byteLength > this.maxBytes) return;
    this.#entries.set(tile.etag, tile);
    this.#bytes += tile.bytes.byteLength;
    for (const [etag, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(etag);
      this.#bytes -= entry.bytes.byteLength;
    }
  }
}
