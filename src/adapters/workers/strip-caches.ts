/**
 * {@link StripCache}s for the worker pool: in shared memory (SharedArrayBuffers, so workers
 * read the strips without a copy), or spilled to a temporary file when the strips exceed the
 * memory budget. Samples are kept as float32 (the warped values), validity as one byte.
 *
 * File layout per strip of `count` pixels and n bands: A's bands, B's bands (n · 4 · count
 * bytes each), A's validity, B's validity (count bytes each), strips top to bottom.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { StripPixels, StripSide } from '../../app/compare/strip-kernels.ts';
import type { StripCache, StripLayout } from '../../app/ports.ts';
import { SitewatchError, ValidationError } from '../../core/errors.ts';

/** Bytes of one strip (both sides) of `count` pixels. */
function stripBytes(layout: StripLayout, count: number): number {
  return 2 * (4 * layout.bandCount + 1) * count;
}

/** Bytes the whole cache needs. */
export function stripCacheBytes(layout: StripLayout): number {
  return layout.strips.reduce((sum, s) => sum + stripBytes(layout, s.height * layout.gridWidth), 0);
}

function pixelsOf(
  layout: StripLayout,
  index: number,
): { row0: number; height: number; count: number } {
  const strip = layout.strips[index];
  if (strip === undefined) throw new ValidationError(`strip ${index} is outside the layout`);
  return { ...strip, count: strip.height * layout.gridWidth };
}

/** Views of one strip's bytes: [A bands][B bands][A valid][B valid]. */
function viewsOf(buffer: SharedArrayBuffer, n: number, count: number) {
  const bands = (first: number) =>
    Array.from({ length: n }, (_, j) => new Float32Array(buffer, (first + j) * 4 * count, count));
  const validOffset = 2 * n * 4 * count;
  return {
    a: { bands: bands(0), valid: new Uint8Array(buffer, validOffset, count) },
    b: { bands: bands(n), valid: new Uint8Array(buffer, validOffset + count, count) },
  };
}

function joint(
  layout: StripLayout,
  index: number,
  a: StripSide,
  b: StripSide,
  into?: Uint8Array,
): StripPixels {
  const { row0, height, count } = pixelsOf(layout, index);
  const valid = into ?? new Uint8Array(new SharedArrayBuffer(count));
  for (let p = 0; p < count; p += 1) valid[p] = (a.valid[p] ?? 0) & (b.valid[p] ?? 0);
  return { row0, height, bandsA: a.bands, bandsB: b.bands, valid };
}

function checkSide(layout: StripLayout, count: number, data: StripSide): void {
  if (
    data.bands.length !== layout.bandCount ||
    data.valid.length !== count ||
    data.bands.some((band) => band.length !== count)
  ) {
    throw new ValidationError(
      `a strip side must hold ${layout.bandCount} bands of ${count} samples; got ${data.bands.length} bands`,
    );
  }
}

/** Strips in SharedArrayBuffers; the joint validity is kept with them, so reads allocate nothing. */
export class SharedMemoryStripCache implements StripCache {
  readonly storage = 'memory';
  readonly #strips = new Map<
    number,
    { views: ReturnType<typeof viewsOf>; sides: Set<string>; joint: StripPixels | null }
  >();

  constructor(readonly layout: StripLayout) {}

  putSide(index: number, side: 'a' | 'b', data: StripSide): Promise<void> {
    const { count } = pixelsOf(this.layout, index);
    checkSide(this.layout, count, data);
    let entry = this.#strips.get(index);
    if (entry === undefined) {
      const buffer = new SharedArrayBuffer(stripBytes(this.layout, count));
      entry = {
        views: viewsOf(buffer, this.layout.bandCount, count),
        sides: new Set(),
        joint: null,
      };
      this.#strips.set(index, entry);
    }
    const target = entry.views[side];
    data.bands.forEach((band, j) => target.bands[j]?.set(band));
    target.valid.set(data.valid);
    entry.sides.add(side);
    entry.joint = null;
    return Promise.resolve();
  }

  get(index: number): Promise<StripPixels> {
    const entry = this.#strips.get(index);
    if (entry?.sides.size !== 2) {
      return Promise.reject(new ValidationError(`strip ${index} has not been cached`));
    }
    entry.joint ??= joint(this.layout, index, entry.views.a, entry.views.b);
    return Promise.resolve(entry.joint);
  }

  release(): void {
    // The strips stay in memory until the cache is dropped.
  }
}

function ioError(path: string, error: unknown): SitewatchError {
  return new SitewatchError('IO', `strip cache ${path}: ${String(error)}`, { cause: error });
}

/**
 * Strips in a temporary file, read back into SharedArrayBuffers that are reused once released
 * (so memory stays at the strips in flight, whatever the number of passes).
 */
export class FileStripCache implements StripCache {
  readonly storage = 'file';
  readonly #offsets: number[];
  readonly #written = new Map<number, Set<string>>();
  /** Released buffers by size. */
  readonly #free = new Map<number, SharedArrayBuffer[]>();
  /** Buffers handed out by get() and not yet released. */
  readonly #issued = new Set<SharedArrayBuffer>();

  private constructor(
    readonly layout: StripLayout,
    readonly path: string,
    private readonly handle: FileHandle,
  ) {
    let offset = 0;
    this.#offsets = layout.strips.map((s) => {
      const at = offset;
      offset += stripBytes(layout, s.height * layout.gridWidth);
      return at;
    });
  }

  /** Creates the file (which must not exist). @throws SitewatchError IO */
  static async create(layout: StripLayout, path: string): Promise<FileStripCache> {
    try {
      return new FileStripCache(layout, path, await open(path, 'wx+', 0o600));
    } catch (error) {
      throw ioError(path, error);
    }
  }

  async putSide(index: number, side: 'a' | 'b', data: StripSide): Promise<void> {
    const { count } = pixelsOf(this.layout, index);
    checkSide(this.layout, count, data);
    const n = this.layout.bandCount;
    const base = this.#offsets[index] ?? 0;
    const bandsAt = base + (side === 'a' ? 0 : n * 4 * count);
    const validAt = base + 2 * n * 4 * count + (side === 'a' ? 0 : count);
    const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    try {
      await this.#writeAll(data.bands.map(bytes), bandsAt);
      await this.#writeAll([bytes(data.valid)], validAt);
    } catch (error) {
      throw ioError(this.path, error);
    }
    const sides = this.#written.get(index) ?? new Set<string>();
    sides.add(side);
    this.#written.set(index, sides);
  }

  async get(index: number): Promise<StripPixels> {
    if (this.#written.get(index)?.size !== 2) {
      throw new ValidationError(`strip ${index} has not been cached`);
    }
    const { count } = pixelsOf(this.layout, index);
    const size = stripBytes(this.layout, count);
    // The strip's bytes, then its joint validity.
    const buffer = this.#free.get(size + count)?.pop() ?? new SharedArrayBuffer(size + count);
    this.#issued.add(buffer);
    const target = new Uint8Array(buffer, 0, size);
    let done = 0;
    try {
      while (done < target.length) {
        const { bytesRead } = await this.handle.read(
          target,
          done,
          target.length - done,
          (this.#offsets[index] ?? 0) + done,
        );
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${done}`);
        done += bytesRead;
      }
    } catch (error) {
      throw ioError(this.path, error);
    }
    const views = viewsOf(buffer, this.layout.bandCount, count);
    return joint(this.layout, index, views.a, views.b, new Uint8Array(buffer, size, count));
  }

  release(strip: StripPixels): void {
    const buffer = strip.valid.buffer;
    if (!(buffer instanceof SharedArrayBuffer) || !this.#issued.delete(buffer)) return;
    const free = this.#free.get(buffer.byteLength) ?? [];
    free.push(buffer);
    this.#free.set(buffer.byteLength, free);
  }

  async #writeAll(buffers: Uint8Array[], position: number): Promise<void> {
    let at = position;
    for (const buffer of buffers) {
      let done = 0;
      while (done < buffer.length) {
        const { bytesWritten } = await this.handle.write(buffer, done, buffer.length - done, at);
        done += bytesWritten;
        at += bytesWritten;
      }
    }
  }

  /** Closes the file (the scratch folder removes it). */
  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
