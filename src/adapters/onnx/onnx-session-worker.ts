/**
 * Session thread of {@link ./onnx-detector.ts}: holds one onnxruntime InferenceSession and runs
 * batches one message at a time. onnxruntime-node's `run` computes on the calling thread
 * (its promise only defers to setImmediate), so running it here is what lets the detect use
 * case read and resample the next batch on the main thread meanwhile.
 *
 * Memory: one private input buffer per input size, reused (onnxruntime refuses a
 * SharedArrayBuffer, so a shared input is copied into it once), plus the outputs, which are
 * transferred to the main thread.
 */
import { parentPort } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import type { TensorSignature } from '../../app/ports.ts';
import type { OutputTensor } from '../../core/detect/detection.ts';
import type { SessionFailure, SessionReply, SessionRequest } from './onnx-worker-messages.ts';

const port = parentPort;
if (port === null) throw new Error('onnx-session-worker.ts must run in a worker thread');

function signatureOf(metadata: readonly Ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return metadata.map((m) => ({
    name: m.name,
    // Symbolic dimensions ('batch', 'N') become −1, as the descriptor checks expect.
    dims: m.isTensor ? m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : -1)) : [],
  }));
}

class SessionFailed extends Error {
  constructor(
    readonly failure: SessionFailure,
    message: string,
  ) {
    super(message);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let ort: typeof Ort | null = null;
let session: Ort.InferenceSession | null = null;
let privateInput = new Float32Array(0);

/** The input as onnxruntime takes it: its own ArrayBuffer, not shared, not a view into more. */
function engineInput(input: Float32Array): Float32Array {
  const own =
    !(input.buffer instanceof SharedArrayBuffer) &&
    input.byteOffset === 0 &&
    input.byteLength === input.buffer.byteLength;
  if (own) return input;
  if (privateInput.length !== input.length) privateInput = new Float32Array(input.length);
  privateInput.set(input);
  return privateInput;
}

async function open(modelPath: string, intraOpThreads: number): Promise<SessionReply> {
  // Loaded here, not at the top, so that a failure to load the native library is a reply.
  ort = await import('onnxruntime-node');
  try {
    session = await ort.InferenceSession.create(modelPath, {
      executionProviders: ['cpu'],
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new SessionFailed('load', message(error));
  }
  return {
    kind: 'opened',
    inputs: signatureOf(session.inputMetadata),
    outputs: signatureOf(session.outputMetadata),
  };
}

async function run(
  request: Extract<SessionRequest, { kind: 'run' }>,
): Promise<{ reply: SessionReply; transfer: ArrayBuffer[] }> {
  if (ort === null || session === null) throw new SessionFailed('run', 'no model is open');
  const inputName = session.inputNames[0] ?? '';
  const tensor = new ort.Tensor('float32', engineInput(request.input), [...request.dims]);
  let results: Ort.InferenceSession.ReturnType;
  const t0 = performance.now();
  try {
    results = await session.run({ [inputName]: tensor });
  } catch (error) {
    throw new SessionFailed('run', message(error));
  }
  const engineMs = performance.now() - t0;
  const transfer = new Set<ArrayBuffer>();
  const outputs = session.outputNames.map((name): OutputTensor => {
    const value = results[name];
    if (value?.type !== 'float32') {
      throw new SessionFailed(
        'output-type',
        `output "${name}" is ${value?.type ?? 'missing'}; detectors must output float32`,
      );
    }
    const data = value.data as Float32Array;
    if (data.buffer instanceof ArrayBuffer) transfer.add(data.buffer);
    return { name, dims: [...value.dims], data };
  });
  return { reply: { kind: 'ran', id: request.id, outputs, engineMs }, transfer: [...transfer] };
}

async function handle(request: SessionRequest): Promise<void> {
  const id = request.kind === 'run' ? request.id : -1;
  try {
    if (request.kind === 'open') {
      port?.postMessage(await open(request.modelPath, request.intraOpThreads));
    } else if (request.kind === 'run') {
      const { reply, transfer } = await run(request);
      port?.postMessage(reply, transfer);
    } else {
      await session?.release();
      session = null;
      port?.postMessage({ kind: 'closed' } satisfies SessionReply);
    }
  } catch (error) {
    const fallback = request.kind === 'open' ? 'load' : 'run';
    const failure = error instanceof SessionFailed ? error.failure : fallback;
    port?.postMessage({
      kind: 'failed',
      id,
      failure,
      message: message(error),
    } satisfies SessionReply);
  }
}

// One message at a time, in order: a run never overlaps another or the close after it.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: SessionRequest) => {
  queue = queue.then(() => handle(request));
});
