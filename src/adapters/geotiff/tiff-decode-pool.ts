/**
 * A small worker_threads pool that decodes the blocks of large windows in parallel (blocks are
 * independent). Workers start on first use, read their blocks from the file themselves and write
 * into the window's SharedArrayBuffers; the calling thread only hands out batches.
 *
 * Shutdown: idle workers are unref'd, so a forgotten pool never keeps the process alive; a busy
 * one is ref'd until its batch is done. `close()` terminates the workers.
 */
import { tsxWorkerUrl } from '../workers/tsx-worker-url.ts';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CancelledError, SitewatchError, ValidationError } from '../../core/errors.ts';
import type { TiffBlockGrid, TiffBlockRef, TiffWindowTarget } from './tiff-block-decoder.ts';
import { corruptBlockError } from './tiff-window-decoder.ts';

/** Message to a worker: decode `blocks` of `grid` into `target`. */
export interface DecodeBatch {
  readonly id: number;
  readonly grid: TiffBlockGrid;
  readonly target: TiffWindowTarget;
  readonly blocks: readonly TiffBlockRef[];
}

export type DecodeReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly message: string };

/** A decode worker could not start or died: the pool cannot help, the calling thread can. */
export class DecodeWorkerError extends SitewatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IO', message, options);
  }
}

/** Batches per worker and window: small enough to balance uneven blocks and to cancel soon. */
const BATCHES_PER_WORKER = 8;

interface Job {
  readonly grid: TiffBlockGrid;
  readonly target: TiffWindowTarget;
  readonly queue: TiffBlockRef[][];
  readonly signal: AbortSignal | undefined;
  running: number;
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
}

interface PoolWorker {
  readonly worker: Worker;
  job: Job | null;
  batchId: number;
}

/** The default pool size: two threads, or fewer on a one-core machine. */
export function defaultDecodeThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

export class TiffDecodePool {
  readonly size: number;
  readonly #workers: PoolWorker[] = [];
  readonly #jobs: Job[] = [];
  #nextBatchId = 1;
  #closed = false;

  /** @throws ValidationError when `size` is not an integer in 1..64. */
  constructor(size: number = defaultDecodeThreads()) {
    if (!Number.isInteger(size) || size < 1 || size > 64) {
      throw new ValidationError(`decode pool size ${size} is not an integer in 1..64`);
    }
    this.size = size;
  }

  /**
   * Decodes `blocks` into `target`, spread over the workers.
   * @throws CorruptFileError naming the file and block; CancelledError when `signal` aborts;
   *   DecodeWorkerError when a worker cannot start or dies; SitewatchError('IO') once closed.
   */
  decode(
    grid: TiffBlockGrid,
    target: TiffWindowTarget,
    blocks: readonly TiffBlockRef[],
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.#closed) return Promise.reject(new SitewatchError('IO', 'the decode pool is closed'));
    if (blocks.length === 0) return Promise.resolve();
    const batchSize = Math.max(1, Math.ceil(blocks.length / (this.size * BATCHES_PER_WORKER)));
    const queue: TiffBlockRef[][] = [];
    for (let i = 0; i < blocks.length; i += batchSize) queue.push(blocks.slice(i, i + batchSize));
    return new Promise<void>((resolve, reject) => {
      const job: Job = { grid, target, queue, signal, running: 0, settled: false, resolve, reject };
      const onAbort = (): void => {
        this.#fail(job, new CancelledError(`reading ${grid.path} was cancelled`));
      };
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      job.resolve = () => {
        settle();
        resolve();
      };
      job.reject = (error) => {
        settle();
        reject(error);
      };
      this.#jobs.push(job);
      this.#dispatch();
    });
  }

  /** Terminates the workers; later `decode` calls fail. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    for (const job of this.#jobs.splice(0)) {
      this.#fail(
        job,
        new SitewatchError('IO', `the decode pool closed while reading ${job.grid.path}`),
      );
    }
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  #fail(job: Job, error: Error): void {
    if (job.settled) return;
    job.settled = true;
    job.queue.length = 0;
    const at = this.#jobs.indexOf(job);
    if (at >= 0) this.#jobs.splice(at, 1);
    job.reject(error);
  }

  #dispatch(): void {
    for (;;) {
      const job = this.#jobs.find((j) => j.queue.length > 0);
      if (job === undefined) return;
      let idle: PoolWorker | undefined;
      try {
        idle = this.#workers.find((w) => w.job === null) ?? this.#startWorker();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.#fail(job, new DecodeWorkerError(`cannot start a decode worker: ${reason}`));
        continue;
      }
      if (idle === undefined) return;
      const blocks = job.queue.shift() ?? [];
      idle.job = job;
      idle.batchId = this.#nextBatchId++;
      job.running += 1;
      idle.worker.ref();
      const batch: DecodeBatch = { id: idle.batchId, grid: job.grid, target: job.target, blocks };
      idle.worker.postMessage(batch);
    }
  }

  #startWorker(): PoolWorker | undefined {
    if (this.#workers.length >= this.size) return undefined;
    const worker = new Worker(tsxWorkerUrl(new URL('./tiff-decode-worker.ts', import.meta.url)), {
      name: 'sitewatch-tiff-decode',
    });
    worker.unref();
    const entry: PoolWorker = { worker, job: null, batchId: 0 };
    this.#workers.push(entry);
    worker.on('message', (reply: DecodeReply) => {
      this.#onReply(entry, reply);
    });
    const lost = (reason: string): void => {
      const at = this.#workers.indexOf(entry);
      if (at < 0) return;
      this.#workers.splice(at, 1);
      const { job } = entry;
      entry.job = null;
      if (job !== null) this.#fail(job, new DecodeWorkerError(`a decode worker ${reason}`));
      this.#dispatch();
    };
    worker.on('error', (error) => {
      lost(`failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      lost(`exited with code ${code}`);
    });
    return entry;
  }

  #onReply(entry: PoolWorker, reply: DecodeReply): void {
    const { job } = entry;
    if (job === null || reply.id !== entry.batchId) return;
    entry.job = null;
    entry.worker.unref();
    job.running -= 1;
    if (!reply.ok) {
      this.#fail(job, corruptBlockError(job.grid.path, new Error(reply.message)));
    } else if (!job.settled && job.queue.length === 0 && job.running === 0) {
      job.settled = true;
      this.#jobs.splice(this.#jobs.indexOf(job), 1);
      job.resolve();
    }
    this.#dispatch();
  }
}

const sharedPools = new Map<number, TiffDecodePool>();

/**
 * The process-wide pool of `size` threads that GeoTIFF sources use unless given their own. Its
 * idle workers never keep the process alive; {@link closeSharedDecodePools} ends them.
 */
export function sharedDecodePool(size: number): TiffDecodePool {
  let pool = sharedPools.get(size);
  if (pool === undefined) {
    pool = new TiffDecodePool(size);
    sharedPools.set(size, pool);
  }
  return pool;
}

/** Terminates the shared pools' workers (a clean shutdown; not needed for the process to exit). */
export async function closeSharedDecodePools(): Promise<void> {
  const pools = [...sharedPools.values()];
  sharedPools.clear();
  await Promise.all(pools.map((pool) => pool.close()));
}
