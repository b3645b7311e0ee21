/** Atomic file writes for the CLI's output files. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { ValidationError } from '../../core/errors.ts';

/**
 * Writes `bytes` to `path` through a temporary file in the same folder, so a failure leaves no
 * partial file.
 * @throws ValidationError "`label`: cannot write `what` (reason)"
 */
export function writeAtomically(
  path: string,
  bytes: Uint8Array | string,
  label: string,
  what: string,
): void {
  const partial = `${path}.partial-${process.pid}`;
  try {
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new ValidationError(`${label}: cannot write ${what} (${(error as Error).message})`, {
      cause: error,
    });
  }
}
