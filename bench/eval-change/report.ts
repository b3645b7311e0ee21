/** Plain-text (Markdown) tables of the pooled scores, for the console and the README. */
import type { PooledScores } from './score-book.ts';

/** Pooled scores by entry id (method, peer variant or derived), then by dataset or "overall". */
export type ScoreGrid = Readonly<Record<string, Readonly<Record<string, PooledScores | null>>>>;

const cell = (
  s: PooledScores | null | undefined,
  key: 'f1' | 'precision' | 'recall' | 'iou' | 'kappa',
): string => {
  if (s === null || s === undefined) return '–';
  const value = s[key].toFixed(3);
  return s.failedPairs > 0 ? `${value} (${s.failedPairs} failed)` : value;
};

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** F1 of each entry (rows) per dataset and overall (columns). */
export function f1Table(grid: ScoreGrid, datasets: readonly string[]): string {
  const columns = [...datasets, 'overall'];
  const rows = Object.entries(grid).map(([id, byDataset]) => [
    id,
    ...columns.map((c) => {
      const s = byDataset[c];
      const chosen = s?.chosen === undefined ? '' : ` [${s.chosen.replace(/^.*?-/, '')}]`;
      return cell(s, 'f1') + chosen;
    }),
  ]);
  return markdownTable(['F1', ...columns], rows);
}

/** Precision, recall, F1, IoU and kappa of each entry on each dataset and overall. */
export function detailTable(grid: ScoreGrid, datasets: readonly string[]): string {
  const rows: string[][] = [];
  for (const column of [...datasets, 'overall']) {
    for (const [id, byDataset] of Object.entries(grid)) {
      const s = byDataset[column];
      rows.push([
        column,
        id,
        cell(s, 'precision'),
        cell(s, 'recall'),
        cell(s, 'f1'),
        cell(s, 'iou'),
        cell(s, 'kappa'),
        s === null || s === undefined ? '–' : String(s.pairs),
      ]);
    }
  }
  return markdownTable(
    ['dataset', 'method', 'precision', 'recall', 'F1', 'IoU', 'kappa', 'pairs'],
    rows,
  );
}
