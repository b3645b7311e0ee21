/**
 * {@link DetectorFactory} over onnxruntime-node: one InferenceSession per model, CPU execution
 * provider only, `intraOpThreads` threads inside each operator and one between operators.
 *
 * Each session lives on its own worker thread (onnx-session-worker.ts): onnxruntime-node's
 * `run` computes on the thread that calls it, so on the main thread it would stop the detect
 * use case from reading and resampling the next batch while the model runs. The product
 * gives the model 1 thread (wiring.ts): with the main thread preparing batches beside it,
 * that keeps both cores of the 2-core reference machine busy (bench/detect.bench.ts
 * `--threads 1|2`). Inputs on a SharedArrayBuffer cross to the worker without a copy; outputs
 * come back transferred. The native binaries ship inside the npm package (linux/darwin/win32
 * x64 and arm64); its install script, which would only fetch optional CUDA libraries, is
 * denied in package.json's `allowScripts`.
 */
import { Worker } from 'node:worker_threads';
import type { OutputTensor } from '../../core/detect/detection.ts';
import { CorruptFileError, UnsupportedError, ValidationError } from '../../core/errors.ts';
import type { DetectorFactory, ObjectDetector, TensorSignature } from '../../app/ports.ts';
import { tsxWorkerUrl } from '../workers/tsx-worker-url.ts';
import type { SessionReply, SessionRequest } from './onnx-worker-messages.ts';

/** Default threads per session when none is given: both cores of the 2-core reference machine. */
export const DEFAULT_INTRA_OP_THREADS = 2;

const WORKER_ENTRY = new URL('./onnx-session-worker.ts', import.meta.url);

type Failed = Extract<SessionReply, { kind: 'failed' }>;

interface Pending {
  resolve(reply: SessionReply): void;
  reject(error: Error): void;
}

/** The worker thread and its replies, matched to requests in order (the worker answers in order). */
class SessionThread {
  readonly #worker: Worker;
  readonly #pending: Pending[] = [];
  #lost: Error | null = null;

  constructor(label: string) {
    this.#worker = new Worker(tsxWorkerUrl(WORKER_ENTRY), { name: 'sitewatch-onnx-session' });
    this.#worker.unref();
    this.#worker.on('message', (reply: SessionReply) => {
      const next = this.#pending.shift();
      if (this.#pending.length === 0) this.#worker.unref();
      next?.resolve(reply);
    });
    const lose = (error: Error): void => {
      this.#lost ??= error;
      for (const p of this.#pending.splice(0)) p.reject(error);
    };
    this.#worker.on('error', (error) => {
      lose(new CorruptFileError(`${label}: the onnxruntime thread failed: ${error.message}`));
    });
    this.#worker.on('exit', (code) => {
      lose(new CorruptFileError(`${label}: the onnxruntime thread exited with code ${code}`));
    });
  }

  /** Posts `request` and resolves with its reply; the worker is kept alive while any is due. */
  request(request: SessionRequest): Promise<SessionReply> {
    if (this.#lost !== null) return Promise.reject(this.#lost);
    return new Promise<SessionReply>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage(request);
    });
  }

  async terminate(): Promise<void> {
    this.#lost ??= new CorruptFileError('the onnxruntime thread is closed');
    await this.#worker.terminate();
  }
}

function unexpected(label: string, reply: SessionReply): Error {
  if (reply.kind === 'failed') return failureError(label, reply, null);
  return new Error(`${label}: unexpected reply "${reply.kind}" from the onnxruntime thread`);
}

function failureError(label: string, reply: Failed, dims: readonly number[] | null): Error {
  switch (reply.failure) {
    case 'load':
      return new CorruptFileError(
        `${label}: not a loadable ONNX model (onnxruntime: ${reply.message})`,
      );
    case 'output-type':
      return new UnsupportedError(`${label}: ${reply.message}`);
    case 'run':
      return new CorruptFileError(
        `${label}: inference failed on input [${(dims ?? []).join(', ')}]: ${reply.message}`,
      );
  }
}

class OnnxDetector implements ObjectDetector {
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  lastRunMs = Number.NaN;
  readonly #thread: SessionThread;
  readonly #label: string;
  #nextId = 1;

  constructor(
    thread: SessionThread,
    label: string,
    signature: Extract<SessionReply, { kind: 'opened' }>,
  ) {
    this.#thread = thread;
    this.#label = label;
    this.inputs = signature.inputs;
    this.outputs = signature.outputs;
  }

  async run(
    input: Float32Array,
    dims: readonly [number, number, number, number],
  ): Promise<OutputTensor[]> {
    const [b, c, h, w] = dims;
    if (input.length !== b * c * h * w) {
      throw new ValidationError(
        `${this.#label}: input [${dims.join(', ')}] needs ${b * c * h * w} values, got ${input.length}`,
      );
    }
    if (this.inputs.length !== 1) {
      throw new UnsupportedError(
        `${this.#label}: a detector takes exactly one input; the model has ${this.inputs.length}`,
      );
    }
    const id = this.#nextId++;
    const reply = await this.#thread.request({ kind: 'run', id, input, dims });
    if (reply.kind === 'failed') throw failureError(this.#label, reply, dims);
    if (reply.kind !== 'ran' || reply.id !== id) throw unexpected(this.#label, reply);
    this.lastRunMs = reply.engineMs;
    return [...reply.outputs];
  }

  async close(): Promise<void> {
    try {
      await this.#thread.request({ kind: 'close' });
    } finally {
      await this.#thread.terminate();
    }
  }
}

export class OnnxDetectorFactory implements DetectorFactory {
  readonly intraOpThreads: number;

  constructor(options: { readonly intraOpThreads?: number } = {}) {
    const threads = options.intraOpThreads ?? DEFAULT_INTRA_OP_THREADS;
    if (!Number.isInteger(threads) || threads < 1) {
      throw new ValidationError(`intra-op threads must be a positive integer; got ${threads}`);
    }
    this.intraOpThreads = threads;
  }

  /** @throws CorruptFileError naming the file when onnxruntime cannot load it */
  async open(modelPath: string): Promise<ObjectDetector> {
    const thread = new SessionThread(modelPath);
    try {
      const reply = await thread.request({
        kind: 'open',
        modelPath,
        intraOpThreads: this.intraOpThreads,
      });
      if (reply.kind !== 'opened') throw unexpected(modelPath, reply);
      return new OnnxDetector(thread, modelPath, reply);
    } catch (error) {
      await thread.terminate();
      throw error;
    }
  }
}
