/** Terminal sparklines for series: one character per point, in time order. */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** Marks a time the zone was looked at but could not be seen. */
export const NOT_OBSERVABLE_MARK = '×';
/** Marks a gap in time more than {@link GAP_FACTOR} times the median spacing. */
export const GAP_MARK = ' ';
export const GAP_FACTOR = 3;

export interface SparkPoint {
  readonly atMs: number;
  /** null: not observable. */
  readonly value: number | null;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/**
 * `▁▂▅█ ▃×▂`: values scaled between the series' min and max, `×` where the zone was not
 * observable (never drawn as a zero), a space before a long gap in time.
 */
export function sparkline(points: readonly SparkPoint[]): string {
  const sorted = [...points].sort((a, b) => a.atMs - b.atMs);
  const values = sorted.flatMap((p) => (p.value === null ? [] : [p.value]));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const spacings = sorted.slice(1).map((p, i) => p.atMs - (sorted[i]?.atMs ?? p.atMs));
  const gap = spacings.length === 0 ? Infinity : GAP_FACTOR * Math.max(medianOf(spacings), 1);
  let line = '';
  sorted.forEach((point, index) => {
    if (index > 0 && (spacings[index - 1] ?? 0) > gap) line += GAP_MARK;
    if (point.value === null) {
      line += NOT_OBSERVABLE_MARK;
      return;
    }
    const level =
      max === min ? 0 : Math.round(((point.value - min) / (max - min)) * (BLOCKS.length - 1));
    line += BLOCKS[level] ?? BLOCKS[0];
  });
  return line;
}
