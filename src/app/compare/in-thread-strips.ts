/**
 * The strip workspace in the calling thread: strips held in memory as given, kernels run one
 * at a time. The reference the worker pool (adapters/workers) must agree with, used by tests
 * and for grids too small to be worth starting threads.
 */
import { ValidationError } from '../../core/errors.ts';
import type {
  StripCache,
  StripKernelRunner,
  StripLayout,
  StripWorkspace,
  StripWorkspaceFactory,
} from '../ports.ts';
import {
  STRIP_KERNELS,
  type StripKernelInput,
  type StripKernelName,
  type StripKernelOutput,
  type StripPixels,
  type StripSide,
} from './strip-kernels.ts';

/** Runs a kernel synchronously (the in-thread runner's and the workers' one code path). */
export function runStripKernel<K extends StripKernelName>(
  kernel: K,
  input: StripKernelInput<K>,
): StripKernelOutput<K> {
  const fn = STRIP_KERNELS[kernel] as (input: StripKernelInput<K>) => StripKernelOutput<K>;
  return fn(input);
}

export class InThreadStripRunner implements StripKernelRunner {
  readonly concurrency = 1;

  run<K extends StripKernelName>(
    kernel: K,
    input: StripKernelInput<K>,
  ): Promise<StripKernelOutput<K>> {
    try {
      return Promise.resolve(runStripKernel(kernel, input));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/** A − B validity: 1 where both sides are valid. */
export function jointValid(a: Uint8Array, b: Uint8Array): Uint8Array {
  const valid = new Uint8Array(a.length);
  for (let p = 0; p < valid.length; p += 1) valid[p] = (a[p] ?? 0) & (b[p] ?? 0);
  return valid;
}

/** Strips as stored by the caller, in memory. */
export class MemoryStripCache implements StripCache {
  readonly storage = 'memory';
  readonly #sides = new Map<string, StripSide>();

  constructor(readonly layout: StripLayout) {}

  putSide(index: number, side: 'a' | 'b', data: StripSide): Promise<void> {
    this.#sides.set(`${side}${index}`, data);
    return Promise.resolve();
  }

  get(index: number): Promise<StripPixels> {
    const a = this.#sides.get(`a${index}`);
    const b = this.#sides.get(`b${index}`);
    const strip = this.layout.strips[index];
    if (a === undefined || b === undefined || strip === undefined) {
      return Promise.reject(new ValidationError(`strip ${index} has not been cached`));
    }
    return Promise.resolve({
      row0: strip.row0,
      height: strip.height,
      bandsA: a.bands,
      bandsB: b.bands,
      valid: jointValid(a.valid, b.valid),
    });
  }

  release(): void {
    // Nothing to reuse: strips are the caller's arrays.
  }
}

/** Opens in-thread workspaces (memory cache, in-thread runner). */
export const inThreadStripWorkspaces: StripWorkspaceFactory = {
  open(layout: StripLayout): Promise<StripWorkspace> {
    return Promise.resolve({
      cache: new MemoryStripCache(layout),
      runner: new InThreadStripRunner(),
      close: () => Promise.resolve(),
    });
  },
};
