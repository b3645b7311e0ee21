/**
 * The detection counts of a run as a table: one row per zone (`all`: the whole site or image),
 * one column per class; "not seen" where the zone was not observable (never a zero).
 */
import type { ZoneCounts } from './api.ts';

function row(cells: readonly string[], header = false): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.append(
    ...cells.map((text) => {
      const cell = document.createElement(header ? 'th' : 'td');
      cell.textContent = text;
      return cell;
    }),
  );
  return tr;
}

/** Fills `table` with `counts` (hides it when there are none); `zoneName` labels the rows. */
export function showDetectionCounts(
  table: HTMLTableElement,
  counts: ZoneCounts | undefined,
  zoneName: (zoneId: string) => string,
): void {
  table.replaceChildren();
  table.hidden = counts === undefined || counts.length === 0;
  if (counts === undefined) return;
  const classes = [...new Set(counts.flatMap((zone) => Object.keys(zone.counts ?? {})))].sort();
  table.append(
    row(['zone', ...classes], true),
    ...counts.map((zone) =>
      row([
        zoneName(zone.zone),
        ...classes.map((name) =>
          zone.counts === null ? 'not seen' : String(zone.counts[name] ?? 0),
        ),
      ]),
    ),
  );
}
