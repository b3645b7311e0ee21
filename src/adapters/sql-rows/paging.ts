/**
 * Page sizes and opaque cursors shared by the SQLite, PostgreSQL and BullMQ job stores: one
 * rule for clamping a caller's `limit`, one encoding for a cursor that is a number in base 36
 * behind a one-letter prefix.
 */
import { ValidationError } from '../../core/errors.ts';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

/** The caller's `limit` (default {@link DEFAULT_PAGE}) truncated into 1..{@link MAX_PAGE}. */
export function clampPageLimit(limit: number | undefined): number {
  return Math.min(MAX_PAGE, Math.max(1, Math.trunc(limit ?? DEFAULT_PAGE)));
}

/** `n` in base 36 behind `prefix` (a single lower-case letter). */
export function encodeBase36Cursor(prefix: string, n: number): string {
  return `${prefix}${n.toString(36)}`;
}

/** The number behind `prefix` in `cursor`; a cursor not of that shape is a {@link ValidationError}. */
export function decodeBase36Cursor(prefix: string, cursor: string): number {
  const n = new RegExp(`^${prefix}[0-9a-z]{1,12}$`).test(cursor)
    ? parseInt(cursor.slice(prefix.length), 36)
    : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new ValidationError(`cursor ${JSON.stringify(cursor)} is not one this queue handed out`);
  }
  return n;
}
