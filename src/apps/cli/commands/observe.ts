/** `sitewatch observe …`: observations entered by analysts (add, import a file, list). */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  addObservation,
  importObservations,
  listObservations,
  type ObserveResult,
} from '../../../app/activity/observe.ts';
import type { Observation } from '../../../core/activity/observation.ts';
import { parseAcquisitionTime } from '../../../core/imagery/acquisition.ts';
import { ValidationError } from '../../../core/errors.ts';
import { type Io, parseNumberOption, printJson, withSitewatch } from '../context.ts';
import { formatTable } from '../format.ts';
import { alertLines, reassessmentLines } from '../alert-lines.ts';
import { resolveImage } from '../image-view.ts';
import { readStructuredFile } from '../structured-file.ts';
import { registerObserveDeriveCommand } from './observe-derive.ts';

interface AddOptions {
  site: string;
  zone?: string;
  metric: string;
  value?: string;
  image?: string;
  at?: string;
  note?: string;
  author?: string;
  notObservable?: string;
  gsd?: string;
  cloudCover?: string;
  json?: boolean;
}

interface ListOptions {
  site?: string;
  zone?: string;
  metric?: string;
  since?: string;
  until?: string;
  json?: boolean;
}

/** `true`/`false` for facts, a number for counts, fractions and areas. */
export function parseValueArg(text: string): number | boolean {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'true' || trimmed === 'yes') return true;
  if (trimmed === 'false' || trimmed === 'no') return false;
  const value = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(value)) {
    throw new ValidationError(`--value must be a number, true or false; got "${text}"`);
  }
  return value;
}

/** The login name, for who entered something when no flag names anyone. */
export function defaultAuthor(): string {
  try {
    return userInfo().username || 'analyst';
  } catch {
    return 'analyst';
  }
}

/** The `--json` shape of an observation (the stored record). */
export function observationJson(o: Observation) {
  return {
    id: o.id,
    site: o.siteId,
    zone: o.zoneId,
    metric: o.metric,
    value: o.value,
    observedAt: o.observedAt,
    observability: o.observability,
    source: o.source,
    author: o.author,
    enteredAt: o.enteredAt,
    note: o.note,
  };
}

function formatValue(o: Observation): string {
  if (o.observability.state === 'not-observable') return 'not observable';
  return o.value === null ? '-' : String(o.value);
}

function printObservations(io: Io, list: readonly Observation[]): void {
  if (list.length === 0) {
    io.out('no observations');
    return;
  }
  io.out(
    formatTable(list, [
      { header: 'ID', value: (o) => o.id },
      { header: 'OBSERVED', value: (o) => o.observedAt.slice(0, 16).replace('T', ' ') },
      { header: 'SITE', value: (o) => (o.zoneId === null ? o.siteId : `${o.siteId}/${o.zoneId}`) },
      { header: 'METRIC', value: (o) => o.metric },
      { header: 'VALUE', value: formatValue, align: 'right' },
      { header: 'SOURCE', value: (o) => o.source.imageId ?? o.source.kind },
      { header: 'AUTHOR', value: (o) => o.author },
      { header: 'NOTE', value: (o) => (o.note.length > 60 ? `${o.note.slice(0, 59)}…` : o.note) },
    ]),
  );
}

function printResult(io: Io, result: ObserveResult, json: boolean | undefined): void {
  if (json === true) {
    printJson(io, {
      inserted: result.inserted,
      existing: result.existing,
      observations: result.observations.map(observationJson),
      alerts: result.alerts,
      reassessed: result.reassessed.map((r) =>
        'problem' in r
          ? r
          : { playbookId: r.playbookId, snapshot: r.recorded.snapshot, alerts: r.recorded.alerts },
      ),
    });
    return;
  }
  for (const o of result.observations) {
    const state = result.inserted.includes(o.id) ? 'added' : 'already held';
    const why =
      o.observability.state === 'not-observable'
        ? ` — not observable: ${o.observability.reasons.map((r) => r.message).join('; ')}`
        : '';
    io.out(
      `${state} ${o.id}: ${o.siteId}${o.zoneId === null ? '' : `/${o.zoneId}`} ${o.metric} = ${formatValue(o)} at ${o.observedAt}${why}`,
    );
  }
  io.out(`${result.inserted.length} added, ${result.existing.length} already held`);
  printConsequences(io, result);
}

/** The alerts the new observations caused and the watched playbooks re-assessed. */
function printConsequences(io: Io, result: ObserveResult): void {
  const lines = [...alertLines(result.alerts), ...reassessmentLines(result.reassessed)];
  if (lines.length > 0) io.out(lines.join('\n'));
}

export function registerObserveCommands(program: Command, io: Io): void {
  const observe = program
    .command('observe')
    .description('observations of sites and zones: counts, fractions and facts over time');
  registerObserveDeriveCommand(observe, io);

  observe
    .command('add')
    .description('add one manual observation (who entered it and when is recorded)')
    .requiredOption('--site <id>', 'site id')
    .option('--zone <id>', 'zone id within the site (default: the whole site)')
    .requiredOption('--metric <id>', 'metric, e.g. vehicles, crane-present, changed-fraction')
    .option('--value <v>', 'a number, or true/false for facts')
    .option('--image <ref>', 'the image looked at: id, sha256 or ingested path')
    .option('--at <date>', "when it was seen (default: the image's acquisition time)")
    .option('--note <text>', 'what was seen and where it is reported')
    .option('--author <name>', 'who entered it (default: the login name)')
    .option('--not-observable <reason>', 'the zone could not be seen, and why (no value needed)')
    .option('--gsd <m>', "ground sample distance of what was looked at, m (default: the image's)")
    .option(
      '--cloud-cover <percent>',
      "cloud cover over the zone, % (default: the image's scene cover)",
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch observe add --site sanumdong --zone parking --metric vehicles --value 12 --image img_3f2a9c0d1e2b4a5c --note "NPR 2019-03-08"\n  $ sitewatch observe add --site sanumdong --zone rail-yard --metric crane-present --value true --at 2019-02-22',
    )
    .action(async (options: AddOptions, command: Command) => {
      const entry: Record<string, unknown> = {
        site: options.site,
        zone: options.zone ?? null,
        metric: options.metric,
        author: options.author ?? defaultAuthor(),
      };
      if (options.value !== undefined) entry.value = parseValueArg(options.value);
      if (options.at !== undefined) entry.observedAt = parseAcquisitionTime(options.at, '--at');
      if (options.note !== undefined) entry.note = options.note;
      if (options.notObservable !== undefined) entry.notObservable = options.notObservable;
      const gsd = parseNumberOption('--gsd', options.gsd);
      if (gsd !== undefined) entry.gsdMeters = gsd;
      const cloud = parseNumberOption('--cloud-cover', options.cloudCover);
      if (cloud !== undefined) entry.cloudCoverPercent = cloud;
      const result = await withSitewatch(command, async (sw) => {
        if (options.image !== undefined)
          entry.image = (await resolveImage(sw.images, options.image)).id;
        return addObservation(sw.observeDeps, entry);
      });
      printResult(io, result, options.json);
    });

  observe
    .command('import <file>')
    .description(
      'import observations from a JSON or YAML list (all or nothing; repeats are skipped)',
    )
    .option('--author <name>', 'author of entries that name none (default: the login name)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch observe import examples/observations/2019-sanumdong-sohae.json',
    )
    .action(
      async (file: string, options: { author?: string; json?: boolean }, command: Command) => {
        const json = readStructuredFile(file);
        const author = options.author ?? defaultAuthor();
        const result = await withSitewatch(command, (sw) =>
          importObservations(sw.observeDeps, json, file, { author }),
        );
        if (options.json === true) printResult(io, result, true);
        else {
          io.out(
            `imported ${file}: ${result.inserted.length} added, ${result.existing.length} already held, ${result.alerts.length} alert(s)`,
          );
          printConsequences(io, result);
        }
      },
    );

  observe
    .command('list')
    .description('list observations by time')
    .option('--site <id>', 'only this site')
    .option('--zone <id>', 'only this zone')
    .option('--metric <id>', 'only this metric')
    .option('--since <date>', 'observed at or after')
    .option('--until <date>', 'observed at or before (a date means the end of that day)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch observe list --site sanumdong --metric vehicles',
    )
    .action(async (options: ListOptions, command: Command) => {
      const list = await withSitewatch(command, (sw) =>
        listObservations(sw.observeDeps, {
          ...(options.site === undefined ? {} : { siteId: options.site }),
          ...(options.zone === undefined ? {} : { zoneId: options.zone }),
          ...(options.metric === undefined ? {} : { metric: options.metric }),
          ...(options.since === undefined
            ? {}
            : { since: parseAcquisitionTime(options.since, '--since') }),
          ...(options.until === undefined
            ? {}
            : { until: endOfDayIfDate(options.until, '--until') }),
        }),
      );
      if (options.json === true) printJson(io, list.map(observationJson));
      else printObservations(io, list);
    });
}

/**
 * A date means the end of that day UTC (so that the day's observations are included); a
 * date-time is taken as given.
 * @throws ValidationError naming the flag and the value
 */
export function endOfDayIfDate(text: string, flag: string): string {
  const iso = parseAcquisitionTime(text, flag);
  return /^\d{4}-\d{2}-\d{2}$/.test(text.trim())
    ? iso.replace('T00:00:00.000Z', 'T23:59:59.999Z')
    : iso;
}
