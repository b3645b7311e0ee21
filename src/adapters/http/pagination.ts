/**
 * Cursor pagination over an ordered list. The cursor is opaque to clients (base64url JSON of
 * the last item's key and position); a page resumes after that key, or at its position when
 * the item has gone since.
 */
import { RequestValidationError } from './problem.ts';

export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

interface CursorState {
  readonly key: string;
  readonly position: number;
}

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string): CursorState {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      typeof state === 'object' &&
      state !== null &&
      'key' in state &&
      'position' in state &&
      typeof state.key === 'string' &&
      Number.isSafeInteger(state.position)
    ) {
      return { key: state.key, position: Number(state.position) };
    }
  } catch {
    // Reported below.
  }
  throw new RequestValidationError([
    { name: 'query.cursor', reason: 'not a cursor this API issued (use `next` as given)' },
  ]);
}

/**
 * One page of `items` (in their final order).
 * @param keyOf a key unique within the list (an id).
 * @throws RequestValidationError naming `query.cursor` when it cannot be decoded
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  query: { readonly limit: number; readonly cursor?: string | undefined },
): Page<T> {
  let start = 0;
  if (query.cursor !== undefined) {
    const state = decodeCursor(query.cursor);
    const index = items.findIndex((item) => keyOf(item) === state.key);
    start = index >= 0 ? index + 1 : Math.min(state.position + 1, items.length);
  }
  const page = items.slice(start, start + query.limit);
  const last = page.at(-1);
  const hasMore = start + page.length < items.length;
  return {
    items: page,
    next:
      hasMore && last !== undefined
        ? encodeCursor({ key: keyOf(last), position: start + page.length - 1 })
        : null,
  };
}
