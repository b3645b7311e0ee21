/**
 * {@link StripWorkspaceFactory} of the CLI: strips in shared memory when the whole cache fits
 * the memory budget, else in a temporary file in the run's scratch folder; kernels on a pool
 * of worker threads, or in this thread for grids too small to repay starting them.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InThreadStripRunner } from '../../app/compare/in-thread-strips.ts';
import type {
  StripCache,
  StripKernelRunner,
  StripLayout,
  StripWorkspace,
  StripWorkspaceFactory,
} from '../../app/ports.ts';
import { FileStripCache, SharedMemoryStripCache, stripCacheBytes } from './strip-caches.ts';
import { WorkerStripRunner } from './worker-strip-runner.ts';

/** Default memory budget of the strip cache: 1.5 GB for both images. */
export const DEFAULT_STRIP_CACHE_BUDGET_BYTES = 1.5e9;

/** Grids with fewer pixels run their kernels in this thread. */
export const DEFAULT_MIN_PIXELS_FOR_THREADS = 1 << 20;

export interface WorkerStripWorkspaceOptions {
  /** Largest cache held in memory, bytes; larger ones go to a temporary file. */
  readonly memoryBudgetBytes?: number;
  /** Worker threads; default the machine's available parallelism, at most 8. */
  readonly threads?: number;
  /** Grids with fewer pixels run in this thread; default {@link DEFAULT_MIN_PIXELS_FOR_THREADS}. */
  readonly minPixelsForThreads?: number;
}

export class WorkerStripWorkspaces implements StripWorkspaceFactory {
  readonly memoryBudgetBytes: number;
  readonly threads: number;
  readonly minPixelsForThreads: number;
  #pool: WorkerStripRunner | null = null;

  constructor(options: WorkerStripWorkspaceOptions = {}) {
    this.memoryBudgetBytes = options.memoryBudgetBytes ?? DEFAULT_STRIP_CACHE_BUDGET_BYTES;
    this.threads = Math.max(1, Math.floor(options.threads ?? Math.min(8, availableParallelism())));
    this.minPixelsForThreads = options.minPixelsForThreads ?? DEFAULT_MIN_PIXELS_FOR_THREADS;
  }

  async open(layout: StripLayout, scratchDir: string): Promise<StripWorkspace> {
    const cache: StripCache & { close?: () => Promise<void> } =
      stripCacheBytes(layout) <= this.memoryBudgetBytes
        ? new SharedMemoryStripCache(layout)
        : await FileStripCache.create(layout, join(scratchDir, 'strips.bin'));
    const pixels = layout.gridWidth * layout.strips.reduce((sum, s) => sum + s.height, 0);
    let runner: StripKernelRunner;
    if (pixels >= this.minPixelsForThreads) {
      this.#pool ??= new WorkerStripRunner(this.threads);
      runner = this.#pool;
    } else {
      runner = new InThreadStripRunner();
    }
    let closed = false;
    return {
      cache,
      runner,
      close: async () => {
        if (closed) return;
        closed = true;
        await cache.close?.();
      },
    };
  }

  /** Stops the worker threads (a later `open` starts new ones). */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = null;
    await pool?.close();
  }
}
