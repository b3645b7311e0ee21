/**
 * {@link StripKernelRunner} on a small pool of worker_threads, each running the kernels of
 * app/compare/strip-kernels.ts one message at a time. Inputs are structured-cloned (typed
 * arrays on a SharedArrayBuffer are shared, not copied), results come back transferred.
 * Workers load the TypeScript sources through tsx, as the CLI does.
 */
import { Worker } from 'node:worker_threads';
import type { StripKernelRunner } from '../../app/ports.ts';
import type {
  StripKernelInput,
  StripKernelName,
  StripKernelOutput,
} from '../../app/compare/strip-kernels.ts';
import { SitewatchError, ValidationError } from '../../core/errors.ts';
import type { WorkerReply, WorkerRequest } from './worker-messages.ts';
import { tsxWorkerUrl } from './tsx-worker-url.ts';

const WORKER_ENTRY = new URL('./strip-worker.ts', import.meta.url);

interface Job {
  readonly request: WorkerRequest;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

function errorFrom(reply: Extract<WorkerReply, { ok: false }>): Error {
  const { code, message, name } = reply.error;
  if (code !== null) {
    return code === 'INVALID_INPUT'
      ? new ValidationError(message)
      : new SitewatchError(code, message);
  }
  const error = new Error(message);
  error.name = name;
  return error;
}

class PooledWorker {
  job: Job | null = null;

  constructor(
    readonly worker: Worker,
    onReply: (self: PooledWorker, reply: WorkerReply) => void,
    onFailure: (self: PooledWorker, error: Error) => void,
  ) {
    worker.on('message', (reply: WorkerReply) => {
      onReply(this, reply);
    });
    worker.on('error', (error) => {
      onFailure(this, error);
    });
    worker.on('exit', (code) => {
      onFailure(this, new Error(`strip worker exited with code ${code}`));
    });
  }
}

export class WorkerStripRunner implements StripKernelRunner {
  readonly #workers: PooledWorker[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  /** @param threads worker threads to start (at least 1). */
  constructor(threads: number) {
    const url = tsxWorkerUrl(WORKER_ENTRY);
    for (let i = 0; i < Math.max(1, Math.floor(threads)); i += 1) {
      const worker = new Worker(url, { name: 'sitewatch-strip-kernels' });
      worker.unref();
      this.#workers.push(
        new PooledWorker(
          worker,
          (self, reply) => {
            this.#settle(self, reply);
          },
          (self, error) => {
            this.#fail(self, error);
          },
        ),
      );
    }
  }

  get concurrency(): number {
    return this.#workers.length;
  }

  run<K extends StripKernelName>(
    kernel: K,
    input: StripKernelInput<K>,
  ): Promise<StripKernelOutput<K>> {
    if (this.#closed) return Promise.reject(new Error('the strip worker pool is closed'));
    return new Promise<StripKernelOutput<K>>((resolve, reject) => {
      this.#queue.push({
        request: { id: this.#nextId++, kernel, input },
        resolve: (output) => {
          resolve(output as StripKernelOutput<K>);
        },
        reject,
      });
      this.#dispatch();
    });
  }

  /** Terminates the workers; jobs still queued or running are rejected. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new Error('the strip worker pool was closed');
    for (const job of this.#queue.splice(0)) job.reject(error);
    await Promise.all(
      this.#workers.map(async (pooled) => {
        pooled.job?.reject(error);
        pooled.job = null;
        await pooled.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    for (const pooled of this.#workers) {
      if (pooled.job !== null) continue;
      const job = this.#queue.shift();
      if (job === undefined) return;
      pooled.job = job;
      pooled.worker.ref();
      pooled.worker.postMessage(job.request);
    }
  }

  #settle(pooled: PooledWorker, reply: WorkerReply): void {
    const job = pooled.job;
    pooled.job = null;
    pooled.worker.unref();
    if (job !== null && job.request.id === reply.id) {
      if (reply.ok) job.resolve(reply.output);
      else job.reject(errorFrom(reply));
    }
    this.#dispatch();
  }

  #fail(pooled: PooledWorker, error: Error): void {
    if (this.#closed) return;
    const index = this.#workers.indexOf(pooled);
    if (index >= 0) this.#workers.splice(index, 1);
    pooled.job?.reject(error);
    pooled.job = null;
    if (this.#workers.length === 0) {
      for (const job of this.#queue.splice(0)) job.reject(error);
    } else {
      this.#dispatch();
    }
  }
}
