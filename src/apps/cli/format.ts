/** Terminal output helpers: aligned tables and the error → exit status table. */
import type { ErrorCode } from '../../core/errors.ts';

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  readonly align?: 'left' | 'right';
}

/** Renders rows as a plain aligned table (no colours, safe to pipe). */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const width = widths[i] ?? 0;
        return columns[i]?.align === 'right' ? v.padStart(width) : v.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** Exit status per error code; documented in the README. */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  INVALID_INPUT: 3,
  INVALID_GEOMETRY: 3,
  UNSUPPORTED: 3,
  CORRUPT_FILE: 3,
  TOO_LARGE: 3,
  UNKNOWN_CRS: 3,
  MISSING_METADATA: 3,
  NOT_FOUND: 4,
  CONFLICT: 5,
  IO: 6,
  CANCELLED: 130,
};

export function formatNumber(value: number | null, digits = 2): string {
  return value === null ? '-' : value.toFixed(digits);
}
