/** Messages between {@link WorkerStripRunner} and its worker threads. */
import type { ErrorCode } from '../../core/errors.ts';

export interface WorkerRequest {
  readonly id: number;
  readonly kernel: string;
  readonly input: unknown;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly output: unknown }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: {
        readonly name: string;
        readonly code: ErrorCode | null;
        readonly message: string;
      };
    };

/**
 * The ArrayBuffers (not SharedArrayBuffers) under the typed arrays of `value` (arrays and
 * plain objects walked), each once: what a worker hands over with its result.
 */
export function transferableBuffers(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const walk = (item: unknown, depth: number): void => {
    if (item === null || typeof item !== 'object' || depth > 6) return;
    if (ArrayBuffer.isView(item)) {
      if (item.buffer instanceof ArrayBuffer) found.add(item.buffer);
      return;
    }
    const values: unknown[] = Array.isArray(item) ? item : Object.values(item);
    for (const child of values) walk(child, depth + 1);
  };
  walk(value, 0);
  return [...found];
}
