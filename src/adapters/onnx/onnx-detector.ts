/**
 * {@link DetectorFactory} over onnxruntime-node: one InferenceSession per model, CPU execution
 * provider only, `intraOpThreads` threads inside each operator and one between operators.
 * The product uses 1 (wiring.ts): the detect use case reads and resamples the next batch on
 * the main thread while the model runs, which on 2 cores is twice as fast as giving the model
 * both (bench/detect.bench.ts `--threads 1|2`). The native binaries ship inside the npm
 * package (linux/darwin/win32 x64 and arm64); its install script, which would only fetch
 * optional CUDA libraries, is denied in package.json's `allowScripts`.
 */
import type * as Ort from 'onnxruntime-node';
import type { OutputTensor } from '../../core/detect/detection.ts';
import { CorruptFileError, UnsupportedError, ValidationError } from '../../core/errors.ts';
import type { DetectorFactory, ObjectDetector, TensorSignature } from '../../app/ports.ts';

/** Default threads per session when none is given: both cores of the 2-core reference machine. */
export const DEFAULT_INTRA_OP_THREADS = 2;

function signatureOf(metadata: readonly Ort.InferenceSession.ValueMetadata[]): TensorSignature[] {
  return metadata.map((m) => ({
    name: m.name,
    // Symbolic dimensions ('batch', 'N') become −1, as the descriptor checks expect.
    dims: m.isTensor ? m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : -1)) : [],
  }));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class OnnxDetector implements ObjectDetector {
  readonly inputs: readonly TensorSignature[];
  readonly outputs: readonly TensorSignature[];
  readonly #ort: typeof Ort;
  readonly #session: Ort.InferenceSession;
  readonly #label: string;

  constructor(ort: typeof Ort, session: Ort.InferenceSession, label: string) {
    this.#ort = ort;
    this.#session = session;
    this.#label = label;
    this.inputs = signatureOf(session.inputMetadata);
    this.outputs = signatureOf(session.outputMetadata);
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
    const inputName = this.#session.inputNames[0];
    if (inputName === undefined || this.#session.inputNames.length !== 1) {
      throw new UnsupportedError(
        `${this.#label}: a detector takes exactly one input; the model has ${this.#session.inputNames.length}`,
      );
    }
    let results: Ort.InferenceSession.ReturnType;
    try {
      results = await this.#session.run({
        [inputName]: new this.#ort.Tensor('float32', input, [...dims]),
      });
    } catch (error) {
      throw new CorruptFileError(
        `${this.#label}: inference failed on input [${dims.join(', ')}]: ${message(error)}`,
        { cause: error },
      );
    }
    return this.#session.outputNames.map((name) => {
      const tensor = results[name];
      if (tensor?.type !== 'float32') {
        throw new UnsupportedError(
          `${this.#label}: output "${name}" is ${tensor?.type ?? 'missing'}; detectors must output float32`,
        );
      }
      return { name, dims: [...tensor.dims], data: tensor.data as Float32Array };
    });
  }

  async close(): Promise<void> {
    await this.#session.release();
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
    // Loaded on first use: the native library is large and most commands never need it.
    const ort = await import('onnxruntime-node');
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, {
        executionProviders: ['cpu'],
        intraOpNumThreads: this.intraOpThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      throw new CorruptFileError(
        `${modelPath}: not a loadable ONNX model (onnxruntime: ${message(error)})`,
        { cause: error },
      );
    }
    return new OnnxDetector(ort, session, modelPath);
  }
}
