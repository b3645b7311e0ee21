/**
 * Driving the strips of a comparison: a bounded number of strips in flight at once (so
 * decoding in this thread overlaps the kernels on workers), results kept in strip order, and
 * cancellation checked before each strip starts.
 */
import type { PixelMapping } from '../../core/grid/approximate-mapping.ts';
import type { StripLayout, StripWorkspace } from '../ports.ts';
import {
  readSideInput,
  rewarpInput,
  throwIfCancelled,
  type ComparisonPair,
} from './comparison-pair.ts';
import type { StripPixels, WarpInput } from './strip-kernels.ts';

/** Progress of one stage: `done` of `total` units (strips) finished. */
export interface ProgressEvent {
  readonly stage: string;
  readonly done: number;
  readonly total: number;
}

export type ProgressListener = (event: ProgressEvent) => void;

export interface StripPassOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ProgressListener | undefined;
  /** The stage named in progress events. */
  readonly stage: string;
}

/**
 * Runs `fn` for strips 0 … count − 1, at most `concurrency` at once; results by index. On the
 * first failure (or cancellation) no new strip starts, the running ones are awaited, and the
 * failure is thrown.
 * @throws CancelledError when the signal aborts; whatever `fn` throws.
 */
export async function mapStrips<T>(
  count: number,
  concurrency: number,
  options: StripPassOptions,
  fn: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  let done = 0;
  const state: { failure: { error: unknown } | null } = { failure: null };
  options.onProgress?.({ stage: options.stage, done: 0, total: count });
  const lane = async (): Promise<void> => {
    while (state.failure === null && next < count) {
      const index = next;
      next += 1;
      try {
        throwIfCancelled(options.signal);
        results[index] = await fn(index);
        done += 1;
        options.onProgress?.({ stage: options.stage, done, total: count });
      } catch (error) {
        state.failure ??= { error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(count, Math.floor(concurrency)));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (state.failure !== null) {
    // A reader stopped by the signal says so in its own words: report the cancellation.
    throwIfCancelled(options.signal);
    throw state.failure.error;
  }
  return results;
}

/** Strips in flight for a runner: one more than it runs at once, so decoding overlaps. */
export function stripsInFlight(workspace: StripWorkspace): number {
  return workspace.runner.concurrency + 1;
}

/** Source pixels decoded beyond the kernel margin around B's strips, for a later shift. */
export const DECODED_B_EXTRA_MARGIN_PX = 8;
/** Most bytes of B's decoded source windows kept for re-warping after co-registration. */
export const DECODED_B_BUDGET_BYTES = 1e9;

/** B's decoded source windows kept from the first read, by strip. */
export class DecodedSources {
  readonly inputs = new Map<number, WarpInput>();
  bytes = 0;

  /** Keeps `input` when it fits {@link DECODED_B_BUDGET_BYTES}. */
  keep(index: number, input: WarpInput): void {
    const bytes = input.sources.reduce((sum, band) => sum + band.byteLength, 0);
    if (this.bytes + bytes > DECODED_B_BUDGET_BYTES) return;
    this.inputs.set(index, input);
    this.bytes += bytes;
  }

  /** The kept input of strip `index` re-mapped through `mapping`, or null; forgets it. */
  take(index: number, mapping: PixelMapping): WarpInput | null {
    const input = this.inputs.get(index);
    this.inputs.delete(index);
    return input === undefined ? null : rewarpInput(input, mapping);
  }
}

/**
 * Decodes and warps strips onto the grid and caches them: both images (A through its mapping,
 * B through `mappingB`), or only B. B's decoded windows (with a margin) are kept in
 * `decodedB` on the first read and reused on the second when they cover the shifted
 * mapping, so B is decoded once. Calls `then` with each strip once it is cached (both sides),
 * e.g. to compute the co-registration luminance in the same pass.
 */
export async function cacheStrips<T>(
  pair: ComparisonPair,
  layout: StripLayout,
  workspace: StripWorkspace,
  request: {
    readonly sides: 'both' | 'b';
    readonly mappingB: PixelMapping;
    readonly decodedB: DecodedSources;
  },
  options: StripPassOptions,
  then: (strip: StripPixels, index: number) => Promise<T>,
): Promise<T[]> {
  const { cache, runner } = workspace;
  const { decodedB, mappingB } = request;
  return mapStrips(layout.strips.length, stripsInFlight(workspace), options, async (index) => {
    const { row0, height } = layout.strips[index] ?? { row0: 0, height: 0 };
    const window = { col0: 0, row0, width: layout.gridWidth, height };
    if (request.sides === 'both') {
      const inputA = await readSideInput(pair.a, pair.a.mapping, window, options.signal);
      await cache.putSide(index, 'a', await runner.run('warp', inputA));
      const inputB = await readSideInput(
        pair.b,
        mappingB,
        window,
        options.signal,
        DECODED_B_EXTRA_MARGIN_PX,
      );
      decodedB.keep(index, inputB);
      await cache.putSide(index, 'b', await runner.run('warp', inputB));
    } else {
      const inputB =
        decodedB.take(index, mappingB) ??
        (await readSideInput(pair.b, mappingB, window, options.signal));
      await cache.putSide(index, 'b', await runner.run('warp', inputB));
    }
    return withStrip(workspace, index, then);
  });
}

/** Runs `fn` on cached strip `index`, then releases the strip. */
async function withStrip<T>(
  workspace: StripWorkspace,
  index: number,
  fn: (strip: StripPixels, index: number) => Promise<T>,
): Promise<T> {
  const strip = await workspace.cache.get(index);
  try {
    return await fn(strip, index);
  } finally {
    workspace.cache.release(strip);
  }
}

/** Runs `fn` on every cached strip (as {@link mapStrips}). */
export function eachCachedStrip<T>(
  layout: StripLayout,
  workspace: StripWorkspace,
  options: StripPassOptions,
  fn: (strip: StripPixels, index: number) => Promise<T>,
): Promise<T[]> {
  return mapStrips(layout.strips.length, stripsInFlight(workspace), options, (index) =>
    withStrip(workspace, index, fn),
  );
}
