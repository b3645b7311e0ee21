/** Adapting synchronous better-sqlite3 calls to the async ports. */
import { SitewatchError } from '../../core/errors.ts';

/**
 * Runs `fn` now and returns its result as a settled promise: resolved with its value, or
 * rejected with what it threw (never a synchronous throw from an async-shaped method).
 * Errors that are not already a SitewatchError (SQLITE_BUSY after the timeout, SQLITE_FULL,
 * SQLITE_IOERR, …) become a SitewatchError with code `IO`, the original as its cause.
 */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(asStoreError(error));
  }
}

/** `error` itself when typed, else an `IO` SitewatchError naming SQLite's message and code. */
export function asStoreError(error: unknown): SitewatchError {
  if (error instanceof SitewatchError) return error;
  const code =
    typeof error === 'object' && error !== null && 'code' in error
      ? ` (${String(error.code)})`
      : '';
  const detail = error instanceof Error ? error.message : String(error);
  return new SitewatchError('IO', `SQLite failed: ${detail}${code}`, { cause: error });
}
