/**
 * A RasterSource wrapper that reads aligned blocks (the file's own tile size, or 512 × 512)
 * and keeps the most recently used ones, so that overlapping detection tiles, and tiles of
 * the next row that share source blocks, do not decode the same bytes again. Windows are
 * assembled from the cached blocks. Memory: at most `maxBlocks` blocks of the requested bands.
 */
import type { PixelArray, PixelWindow, RasterSource } from '../../core/raster/raster.ts';

const DEFAULT_BLOCK = 512;

interface Block {
  readonly window: PixelWindow;
  readonly bands: PixelArray[];
}

export class BlockCachedSource implements RasterSource {
  readonly description: RasterSource['description'];
  readonly #source: RasterSource;
  readonly #bands: readonly number[];
  readonly #blockWidth: number;
  readonly #blockHeight: number;
  readonly #maxBlocks: number;
  /** Insertion order = recency (re-inserted on use). */
  readonly #blocks = new Map<string, Block>();

  /**
   * @param bands the only bands this wrapper will be asked for (0-based, in the source)
   * @param maxBlocks blocks kept; the oldest used is dropped beyond it
   */
  constructor(source: RasterSource, bands: readonly number[], maxBlocks: number) {
    this.#source = source;
    this.description = source.description;
    this.#bands = [...new Set(bands)];
    const layout = source.description.layout;
    this.#blockWidth = layout.tiled && layout.blockWidth >= 64 ? layout.blockWidth : DEFAULT_BLOCK;
    this.#blockHeight =
      layout.tiled && layout.blockHeight >= 64 ? layout.blockHeight : DEFAULT_BLOCK;
    this.#maxBlocks = Math.max(1, maxBlocks);
  }

  async #block(bx: number, by: number, signal?: AbortSignal): Promise<Block> {
    const key = `${bx},${by}`;
    const cached = this.#blocks.get(key);
    if (cached !== undefined) {
      this.#blocks.delete(key);
      this.#blocks.set(key, cached);
      return cached;
    }
    const { width, height } = this.description;
    const col0 = bx * this.#blockWidth;
    const row0 = by * this.#blockHeight;
    const window = {
      col0,
      row0,
      width: Math.min(this.#blockWidth, width - col0),
      height: Math.min(this.#blockHeight, height - row0),
    };
    const bands = await this.#source.readWindow(window, {
      bands: this.#bands,
      ...(signal !== undefined ? { signal } : {}),
    });
    const block = { window, bands };
    this.#blocks.set(key, block);
    while (this.#blocks.size > this.#maxBlocks) {
      const oldest = this.#blocks.keys().next().value;
      if (oldest === undefined) break;
      this.#blocks.delete(oldest);
    }
    return block;
  }

  /** Reads `window` for `bands` (each must be among the constructor's bands). */
  async readWindow(
    window: PixelWindow,
    options: { readonly bands?: readonly number[]; readonly signal?: AbortSignal } = {},
  ): Promise<PixelArray[]> {
    const wanted = options.bands ?? this.#bands;
    const slots = wanted.map((b) => {
      const slot = this.#bands.indexOf(b);
      if (slot < 0) throw new RangeError(`band ${b} is not cached by this reader`);
      return slot;
    });
    const bx0 = Math.floor(window.col0 / this.#blockWidth);
    const by0 = Math.floor(window.row0 / this.#blockHeight);
    const bx1 = Math.floor((window.col0 + window.width - 1) / this.#blockWidth);
    const by1 = Math.floor((window.row0 + window.height - 1) / this.#blockHeight);
    let out: PixelArray[] | null = null;
    for (let by = by0; by <= by1; by += 1) {
      for (let bx = bx0; bx <= bx1; bx += 1) {
        const block = await this.#block(bx, by, options.signal);
        const Output = (block.bands[0]?.constructor ?? Float32Array) as new (
          length: number,
        ) => PixelArray;
        out ??= slots.map(() => new Output(window.width * window.height));
        const b = block.window;
        const c0 = Math.max(window.col0, b.col0);
        const c1 = Math.min(window.col0 + window.width, b.col0 + b.width);
        const r0 = Math.max(window.row0, b.row0);
        const r1 = Math.min(window.row0 + window.height, b.row0 + b.height);
        slots.forEach((slot, i) => {
          const src = block.bands[slot];
          const dst = out?.[i];
          if (src === undefined || dst === undefined) return;
          for (let r = r0; r < r1; r += 1) {
            const from = (r - b.row0) * b.width + (c0 - b.col0);
            dst.set(
              src.subarray(from, from + (c1 - c0)),
              (r - window.row0) * window.width + (c0 - window.col0),
            );
          }
        });
      }
    }
    return out ?? [];
  }

  close(): Promise<void> {
    this.#blocks.clear();
    return this.#source.close();
  }
}
