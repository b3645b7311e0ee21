/** Messages between {@link ./onnx-detector.ts} and its session thread {@link ./onnx-session-worker.ts}. */
import type { OutputTensor } from '../../core/detect/detection.ts';
import type { TensorSignature } from '../../app/ports.ts';

export type SessionRequest =
  | { readonly kind: 'open'; readonly modelPath: string; readonly intraOpThreads: number }
  | {
      readonly kind: 'run';
      readonly id: number;
      /** On a SharedArrayBuffer (shared, copied once in the worker) or a private copy. */
      readonly input: Float32Array;
      readonly dims: readonly [number, number, number, number];
    }
  | { readonly kind: 'close' };

/** What failed: loading the model, running it, or an output of a type detectors cannot use. */
export type SessionFailure = 'load' | 'run' | 'output-type';

export type SessionReply =
  | {
      readonly kind: 'opened';
      readonly inputs: readonly TensorSignature[];
      readonly outputs: readonly TensorSignature[];
    }
  | {
      readonly kind: 'ran';
      readonly id: number;
      readonly outputs: readonly OutputTensor[];
      /** Milliseconds inside onnxruntime's run, measured in the worker. */
      readonly engineMs: number;
    }
  | {
      readonly kind: 'failed';
      /** The run's id, or −1 for open and close. */
      readonly id: number;
      readonly failure: SessionFailure;
      readonly message: string;
    }
  | { readonly kind: 'closed' };
