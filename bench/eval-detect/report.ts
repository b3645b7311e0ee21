/** Plain-text tables of an evaluation, detectors side by side. */
import type { Evaluation } from './scoring.ts';

function pct(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '–'
    : (100 * value).toFixed(1);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** dataset | class | truths | per detector: AP@0.5, precision, recall (percent). */
export function scoreTable(evaluation: Evaluation, detectors: readonly string[]): string {
  const header = [
    'dataset',
    'class',
    'truths',
    ...detectors.flatMap((d) => [`${d} AP50`, 'P', 'R']),
  ];
  const rows: string[][] = [];
  for (const [dataset, classes] of Object.entries(evaluation.scores)) {
    for (const [className, byDetector] of Object.entries(classes)) {
      const truths = Object.values(byDetector)[0]?.truths;
      rows.push([
        dataset,
        className,
        truths === undefined ? '–' : String(truths),
        ...detectors.flatMap((d) => {
          const s = byDetector[d];
          return [pct(s?.ap), pct(s?.precision), pct(s?.recall)];
        }),
      ]);
    }
  }
  return table(header, rows);
}

/** dataset | image | class | truth | per detector: predicted count and count error (percent). */
export function countTable(evaluation: Evaluation, detectors: readonly string[]): string {
  const header = [
    'dataset',
    'image',
    'class',
    'truth',
    ...detectors.flatMap((d) => [`${d} n`, 'err %']),
  ];
  const rows = evaluation.counts.map((c) => [
    c.dataset,
    c.name.split('/').pop() ?? c.name,
    c.className,
    String(c.truth),
    ...detectors.flatMap((d) => [String(c.predicted[d] ?? '–'), pct(c.countError[d])]),
  ]);
  return table(header, rows);
}
