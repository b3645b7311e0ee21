/** `sitewatch series SITE`: each metric over time, with baselines and anomaly scores. */
import type { Command } from 'commander';
import { querySeries, type ScoredSeries } from '../../../app/activity/series-query.ts';
import {
  MIN_BASELINE_POINTS,
  type BaselineWindow,
} from '../../../core/activity/robust-baseline.ts';
import { ValidationError } from '../../../core/errors.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { formatNumber, formatTable } from '../format.ts';
import { NOT_OBSERVABLE_MARK, sparkline } from '../sparkline.ts';

interface SeriesOptions {
  zone?: string;
  metric?: string;
  windowDays?: string;
  windowObservations?: string;
  seasonal?: boolean;
  json?: boolean;
}

type Row =
  | {
      readonly observable: true;
      readonly at: string;
      readonly observationId: string;
      readonly value: number;
      readonly baseline: ScoredSeries['scored'][number]['baseline'];
      readonly anomalyScore: number | null;
      readonly reason: string | null;
    }
  | {
      readonly observable: false;
      readonly at: string;
      readonly observationId: string;
      readonly reasons: readonly string[];
    };

/** Observed and not-observable points merged in time order. */
export function seriesRows(entry: ScoredSeries): Row[] {
  const rows: Row[] = [
    ...entry.scored.map((p) => ({
      observable: true as const,
      at: p.at,
      observationId: p.observationId,
      value: p.value,
      baseline: p.baseline,
      anomalyScore: p.anomalyScore,
      reason: p.reason,
    })),
    ...entry.series.notObservable.map((p) => ({
      observable: false as const,
      at: p.at,
      observationId: p.observationId,
      reasons: p.reasons.map((r) => r.message),
    })),
  ];
  return rows.sort((a, b) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : a.observationId < b.observationId ? -1 : 1,
  );
}

function parseWindow(options: SeriesOptions): BaselineWindow | undefined {
  if (options.windowDays !== undefined && options.windowObservations !== undefined) {
    throw new ValidationError('give --window-days or --window-observations, not both');
  }
  const text = options.windowDays ?? options.windowObservations;
  if (text === undefined) return undefined;
  const value = Number(text);
  const whole = options.windowObservations !== undefined;
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new ValidationError(
      `${whole ? '--window-observations' : '--window-days'} must be a positive ${whole ? 'whole ' : ''}number; got "${text}"`,
    );
  }
  return whole ? { kind: 'observations', count: value } : { kind: 'days', days: value };
}

function printSeries(io: Io, entry: ScoredSeries): void {
  const { key } = entry.series;
  const rows = seriesRows(entry);
  const line = sparkline(
    rows.map((r) => ({ atMs: Date.parse(r.at), value: r.observable ? r.value : null })),
  );
  io.out(
    `${key.siteId}${key.zoneId === null ? '' : `/${key.zoneId}`}  ${key.metric}: ` +
      `${entry.series.observed.length} observed, ${entry.series.notObservable.length} not observable  ${line}`,
  );
  io.out(
    formatTable(rows, [
      { header: 'OBSERVED', value: (r) => r.at.slice(0, 16).replace('T', ' ') },
      {
        header: 'VALUE',
        value: (r) => (r.observable ? String(r.value) : NOT_OBSERVABLE_MARK),
        align: 'right',
      },
      {
        header: 'MEDIAN',
        value: (r) => (r.observable ? formatNumber(r.baseline?.median ?? null) : ''),
        align: 'right',
      },
      {
        header: 'MAD',
        value: (r) => (r.observable ? formatNumber(r.baseline?.mad ?? null) : ''),
        align: 'right',
      },
      {
        header: 'SCORE',
        value: (r) => (r.observable ? formatNumber(r.anomalyScore) : ''),
        align: 'right',
      },
      {
        header: 'NOTE',
        value: (r) =>
          r.observable
            ? r.baseline === null
              ? 'too few observations to say'
              : r.baseline.kind
            : `not observable: ${r.reasons.join('; ')}`,
      },
    ]),
  );
  io.out('');
}

export function registerSeriesCommand(program: Command, io: Io): void {
  program
    .command('series')
    .description(
      'each metric of a site over time: a table and a sparkline, baselines and anomaly scores',
    )
    .argument('<site>', 'site id')
    .option('--zone <id>', 'only this zone')
    .option('--metric <id>', 'only this metric')
    .option('--window-days <n>', 'baseline over the n days before each point (default 90)')
    .option('--window-observations <n>', 'baseline over the n observations before each point')
    .option('--seasonal', 'use the same months of earlier years when there are enough of them')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `\nThe score is (x − median) / (1.4826 · MAD) over the baseline, with a per-metric floor on the MAD;\nwith fewer than ${MIN_BASELINE_POINTS} observed points in the baseline there is no score ("too few observations to say").\nIn the sparkline ${NOT_OBSERVABLE_MARK} marks a time the zone could not be seen, and a space a long gap.\n\nExample:\n  $ sitewatch series sanumdong --zone parking --metric vehicles`,
    )
    .action(async (site: string, options: SeriesOptions, command: Command) => {
      const window = parseWindow(options);
      const result = await withSitewatch(command, (sw) =>
        querySeries(sw.observeDeps, {
          siteId: site,
          ...(options.zone === undefined ? {} : { zoneId: options.zone }),
          ...(options.metric === undefined ? {} : { metric: options.metric }),
          ...(window === undefined ? {} : { window }),
          seasonal: options.seasonal === true,
        }),
      );
      if (options.json === true) {
        printJson(
          io,
          result.map((entry) => ({
            site: entry.series.key.siteId,
            zone: entry.series.key.zoneId,
            metric: entry.series.key.metric,
            points: seriesRows(entry),
          })),
        );
        return;
      }
      if (result.length === 0) io.out(`no observations of ${site}`);
      for (const entry of result) printSeries(io, entry);
    });
}
