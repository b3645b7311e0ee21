/**
 * An in-memory least-recently-used cache of encoded tiles keyed by their ETag, bounded by the
 * bytes it holds (the bookkeeping is core/tiles/byte-bounded-lru.ts).
 */
import { ByteBoundedLru } from '../../core/tiles/byte-bounded-lru.ts';

export interface CachedTile {
  readonly etag: string;
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

/** Encoded tiles by ETag, bounded by their bytes. */
export class LruTileCache {
  readonly #lru: ByteBoundedLru<string, CachedTile>;

  /** @throws ValidationError when the budget is not a non-negative integer. */
  constructor(readonly maxBytes: number) {
    this.#lru = new ByteBoundedLru(maxBytes, (tile) => tile.bytes.byteLength, 'tile cache');
  }

  /** Bytes of the tiles held now. */
  get sizeBytes(): number {
    return this.#lru.sizeBytes;
  }

  get count(): number {
    return this.#lru.count;
  }

  get(etag: string): CachedTile | undefined {
    return this.#lru.get(etag);
  }

  /** Adds a tile, evicting the least recently used until the budget holds; a tile over budget is not kept. */
  set(tile: CachedTile): void {
    this.#lru.set(tile.etag, tile);
  }
}
