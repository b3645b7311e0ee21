/**
 * `sitewatch observe derive`: observations from stored detection runs and comparisons
 * (counts per zone, object-level change, changed area and fraction, structure changes); and
 * the same step run by `detect --site` and `compare --site` once their run is stored.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  deriveObservations,
  type DeriveDeps,
  type DeriveResult,
  type DeriveTarget,
} from '../../../app/activity/derive-observations.ts';
import type { Observation } from '../../../core/activity/observation.ts';
import { ValidationError } from '../../../core/errors.ts';
import type { Sitewatch } from '../../wiring.ts';
import { alertLines, reassessmentLines } from '../alert-lines.ts';
import { type Io, printJson, readJsonFile, withSitewatch } from '../context.ts';
import { formatTable } from '../format.ts';
import { resolveImage } from '../image-view.ts';
import { observationJson } from './observe.ts';

interface DeriveOptions {
  run?: string;
  comparison?: string;
  image?: string;
  all?: boolean;
  json?: boolean;
}

/** The derive use case's dependencies from an open home. */
export function deriveDepsOf(sw: Sitewatch): DeriveDeps {
  return {
    ...sw.observeDeps,
    detections: sw.detections,
    comparisons: sw.comparisons,
    models: sw.models,
    outputs: {
      readJson: (path) => Promise.resolve(existsSync(path) ? readJsonFile(path) : undefined),
    },
  };
}

/** The `--json` shape of a derivation. */
export function derivedJson(result: DeriveResult) {
  return {
    inserted: result.inserted,
    existing: result.existing,
    runs: result.runs,
    comparisons: result.comparisons,
    skipped: result.skipped,
    alerts: result.alerts,
    observations: result.observations.map(observationJson),
  };
}

function valueText(o: Observation): string {
  if (o.observability.state === 'not-observable') return 'not observable';
  return typeof o.value === 'number' ? String(Math.round(o.value * 1000) / 1000) : String(o.value);
}

/** One summary line, then (unless `brief`) a table of what was derived, then alerts. */
export function printDerived(io: Io, result: DeriveResult, brief = false): void {
  io.out(
    `observations: ${result.inserted.length} added, ${result.existing.length} already held (from ${result.runs.length} detection run(s), ${result.comparisons.length} comparison(s))`,
  );
  if (!brief && result.observations.length > 0) {
    io.out(
      formatTable(result.observations, [
        {
          header: 'SITE',
          value: (o) => (o.zoneId === null ? o.siteId : `${o.siteId}/${o.zoneId}`),
        },
        { header: 'METRIC', value: (o) => o.metric },
        { header: 'VALUE', value: valueText, align: 'right' },
        { header: 'OBSERVED', value: (o) => o.observedAt.slice(0, 16).replace('T', ' ') },
        { header: 'FROM', value: (o) => o.source.runId ?? o.source.comparisonId ?? '-' },
        { header: 'NEW', value: (o) => (result.inserted.includes(o.id) ? 'yes' : 'no') },
      ]),
    );
  }
  if (!brief) for (const line of result.skipped) io.out(`  ${line}`);
  const consequences = [...alertLines(result.alerts), ...reassessmentLines(result.reassessed)];
  if (consequences.length > 0) io.out(consequences.join('\n'));
}

async function targetOf(sw: Sitewatch, options: DeriveOptions): Promise<DeriveTarget> {
  const given = [
    options.run === undefined ? [] : ['--run'],
    options.comparison === undefined ? [] : ['--comparison'],
    options.image === undefined ? [] : ['--image'],
    options.all === true ? ['--all'] : [],
  ].flat();
  if (given.length !== 1) {
    throw new ValidationError(
      `give exactly one of --run, --comparison, --image or --all; got ${given.length === 0 ? 'none' : given.join(', ')}`,
    );
  }
  if (options.run !== undefined) return { kind: 'run', runId: options.run };
  if (options.comparison !== undefined) {
    return { kind: 'comparison', comparisonId: options.comparison };
  }
  if (options.image !== undefined) {
    return { kind: 'image', imageId: (await resolveImage(sw.images, options.image)).id };
  }
  return { kind: 'all' };
}

/** Registers `derive` under the `observe` command. */
export function registerObserveDeriveCommand(observe: Command, io: Io): void {
  observe
    .command('derive')
    .description(
      'derive observations from stored detection runs and comparisons (made with --site); repeats are skipped',
    )
    .option('--run <id>', 'one detection run (det_…)')
    .option('--comparison <id>', 'one comparison')
    .option('--image <ref>', "the image's newest run per site and model and its comparisons as B")
    .option('--all', 'the same for every image')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch observe derive --run det_3f2a9c0d1e2b4a5c\n  $ sitewatch observe derive --all --json',
    )
    .action(async (options: DeriveOptions, command: Command) => {
      const result = await withSitewatch(command, async (sw) =>
        deriveObservations(deriveDepsOf(sw), await targetOf(sw, options)),
      );
      if (options.json === true) printJson(io, derivedJson(result));
      else printDerived(io, result);
    });
}

/**
 * After `detect --site` or `compare --site` stored its run: derives and stores its
 * observations (an analyst expects the counts in `series` without another step). Nothing
 * without a site.
 */
export async function observeStoredRun(
  sw: Sitewatch,
  target: DeriveTarget,
  siteId: string | undefined,
): Promise<DeriveResult | undefined> {
  return siteId === undefined ? undefined : deriveObservations(deriveDepsOf(sw), target);
}
