/**
 * A least-recently-used map bounded by the bytes of what it holds (a Map in recency order):
 * the bookkeeping shared by the encoded-tile cache and the decoded-block cache.
 */
import { ValidationError } from '../errors.ts';

export class ByteBoundedLru<K, V> {
  readonly #entries = new Map<K, V>();
  #bytes = 0;

  /**
   * @param sizeOf the bytes one value holds.
   * @throws ValidationError when the budget is not a non-negative integer.
   */
  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
    what = 'cache',
  ) {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new ValidationError(`${what} size ${maxBytes} must be a non-negative integer of bytes`);
    }
  }

  /** Bytes of the values held now. */
  get sizeBytes(): number {
    return this.#bytes;
  }

  get count(): number {
    return this.#entries.size;
  }

  /** The value under `key`, now the most recently used; undefined when not held. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** Adds a value, evicting the least recently used until the budget holds; one over budget is not kept. */
  set(key: K, value: V): void {
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#bytes -= this.sizeOf(old);
    }
    const size = this.sizeOf(value);
    if (size > this.maxBytes) return;
    this.#entries.set(key, value);
    this.#bytes += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= this.sizeOf(entry);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
