/** `sitewatch compare A B`: change detection between two ingested images. */
import { resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import {
  compareImages,
  DEFAULT_CHANGE_METHOD,
  type CompareResult,
} from '../../../app/compare-images.ts';
import {
  DEFAULT_NORMALISE_METHOD,
  NORMALISE_METHODS,
  type NormaliseMethod,
} from '../../../app/compare/normalise-pair.ts';
import type { ProgressListener } from '../../../app/compare/strip-pipeline.ts';
import type { ChangeMethod, CombinedRuleParameters } from '../../../core/change/comparison.ts';
import { CancelledError, ValidationError } from '../../../core/errors.ts';
import { type Io, parseNumberOption, printJson, withSitewatch } from '../context.ts';
import { formatNumber } from '../format.ts';
import { resolveImage } from '../image-view.ts';
import { enqueueJob } from '../../../app/jobs/enqueue-job.ts';
import { derivedJson, observeStoredRun, printDerived } from './observe-derive.ts';
import { printJobJson } from './jobs.ts';

interface CompareOptions {
  site?: string;
  method: string;
  normalise?: string;
  threshold?: string;
  minArea?: string;
  out?: string;
  json?: boolean;
  queue?: boolean;
}

function parseMethod(text: string): ChangeMethod {
  if (text === 'combined' || text === 'irmad' || text === 'cva') return text;
  throw new ValidationError(`--method must be combined, irmad or cva; got "${text}"`);
}

function parseNormalise(text: string | undefined): NormaliseMethod | undefined {
  if (text === undefined) return undefined;
  const found = NORMALISE_METHODS.find((m) => m === text);
  if (found !== undefined) return found;
  throw new ValidationError(
    `--normalise must be one of ${NORMALISE_METHODS.join(', ')}; got "${text}"`,
  );
}

/**
 * The `--json` contract: registration, changedFraction, outputs, the normalisation (per-band
 * gain/offset and the pixels used), and the stored record.
 */
export function comparisonJson(result: CompareResult) {
  const { comparison } = result;
  return {
    id: comparison.id,
    imageA: comparison.imageA,
    imageB: comparison.imageB,
    method: comparison.parameters.method,
    normalisation: result.normalisation,
    registration: comparison.registration,
    changedFraction: comparison.changedFraction,
    changedPixels: comparison.changedPixels,
    validPixels: comparison.validPixels,
    polygonCount: comparison.polygonCount,
    threshold: comparison.parameters.threshold,
    zones: comparison.zones,
    outputs: comparison.outputs,
    parameters: comparison.parameters,
    grid: comparison.grid,
    softwareVersion: comparison.softwareVersion,
    timingsMs: comparison.timingsMs,
    createdAt: comparison.createdAt,
  };
}

function normalisationLine(result: CompareResult): string {
  const n = result.normalisation;
  if (n.method === 'none') return '  normalised:   no';
  const bands = n.bands
    .map((b) =>
      b.gain === null
        ? b.name
        : `${b.name} ×${formatNumber(b.gain, 3)} ${formatNumber(b.offset, 1)}`,
    )
    .join(', ');
  return `  normalised:   ${n.method} from ${n.pixelCount} pixels (${bands})`;
}

function combinedLine(rule: CombinedRuleParameters | undefined): string[] {
  if (rule === undefined) return [];
  return [
    `  rule:         neighbourhood mean (radius ${rule.neighbourhoodRadiusPx} px) of CVA mean square ≥ ${formatNumber(rule.cvaMeanSquareThreshold, 3)} or of IR-MAD χ² ≥ ${formatNumber(rule.chiSquareThreshold, 3)}`,
  ];
}

function printSummary(io: Io, result: CompareResult): void {
  const c = result.comparison;
  const r = c.registration;
  io.out(
    [
      `comparison ${c.id}: ${c.imageA} → ${c.imageB} (${c.parameters.method})`,
      `  registration: dx ${formatNumber(r.dx)} px, dy ${formatNumber(r.dy)} px, confidence ${formatNumber(r.confidence)}${r.reliable ? '' : ' (UNRELIABLE: not applied)'}`,
      `  residual:     median ${formatNumber(r.residualMedianPx)} px, p90 ${formatNumber(r.residualP90Px)} px`,
      normalisationLine(result),
      `  changed:      ${(c.changedFraction * 100).toFixed(2)}% of ${c.validPixels} valid pixels, ${c.polygonCount} polygons (threshold ${formatNumber(c.parameters.threshold, 3)})`,
      ...combinedLine(c.parameters.combined),
      ...c.zones.map(
        (z) =>
          `  zone ${z.zoneId}: ${z.changedFraction === null ? '-' : `${(z.changedFraction * 100).toFixed(2)}%`} changed`,
      ),
      ...(c.outputs === null
        ? []
        : [
            `  outputs:      ${c.outputs.changeMask}, ${c.outputs.changeMagnitude}, ${c.outputs.changes}, ${c.outputs.registration}`,
          ]),
    ].join('\n'),
  );
}

/** A progress bar on stderr, one stage at a time, with its strip count. */
function progressBar(): { readonly listener: ProgressListener; stop(): void } {
  const bar = new SingleBar(
    {
      format: 'compare [{bar}] {value}/{total} {stage}',
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
    },
    Presets.legacy,
  );
  let stage: string | null = null;
  return {
    listener: (event) => {
      if (stage === null) bar.start(event.total, event.done, { stage: event.stage });
      else if (event.stage !== stage) bar.setTotal(event.total);
      stage = event.stage;
      bar.update(event.done, { stage: event.stage });
    },
    stop: () => {
      if (stage !== null) bar.stop();
    },
  };
}

/**
 * Runs `fn` with a signal that Ctrl-C (SIGINT) aborts with a CancelledError. A second Ctrl-C
 * gets Node's default (immediate exit).
 */
async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = () => {
    controller.abort(new CancelledError('comparison cancelled (SIGINT)'));
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

export function registerCompareCommand(program: Command, io: Io): void {
  program
    .command('compare')
    .description(
      'detect change between two ingested images (A the earlier, the reference) and store the comparison',
    )
    .argument('<imageA>', 'reference image: id, sha256 or ingested path')
    .argument('<imageB>', 'later image: id, sha256 or ingested path')
    .option(
      '--site <id>',
      "compare on the site's local grid (polygon + 100 m), report per zone, and store observations",
    )
    .option(
      '--method <method>',
      'combined (per-image-standardised CVA or IR-MAD χ² over a 4 m neighbourhood, the benchmarked default), irmad or cva',
      DEFAULT_CHANGE_METHOD,
    )
    .option(
      '--normalise <method>',
      `radiometric normalisation of B to A for irmad and cva: irmad (invariant pixels), histogram or none (default ${DEFAULT_NORMALISE_METHOD}; combined: none only)`,
    )
    .option(
      '--threshold <x>',
      'change threshold on the magnitude for irmad and cva (default: automatic); not for combined',
    )
    .option(
      '--min-area <m2>',
      'minimum mapping unit in m² (default: combined 20 m², irmad and cva 4 × GSD², i.e. 4 pixels)',
    )
    .option(
      '--out <dir>',
      'write change-mask.tif, change-magnitude.tif, changes.geojson, registration.json',
    )
    .option('--json', 'print the result as JSON')
    .option(
      '--queue',
      'queue the comparison as a job for `sitewatch worker` instead (with --json: { "job": { "id", "state" } })',
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch compare img_f8ff91fbd263ac0a img_13d500301e4cc6d7 --method cva --out ./change --json',
    )
    .action(async (imageA: string, imageB: string, options: CompareOptions, command: Command) => {
      const method = parseMethod(options.method);
      const normalise = parseNormalise(options.normalise);
      const threshold = parseNumberOption('--threshold', options.threshold);
      const minMappingUnitM2 = parseNumberOption('--min-area', options.minArea);
      await withSitewatch(command, async (sw) => {
        const a = await resolveImage(sw.images, imageA);
        const b = await resolveImage(sw.images, imageB);
        const json = options.json === true;
        if (options.queue === true) {
          const job = await enqueueJob(sw.jobs, 'compare', {
            imageA: a.id,
            imageB: b.id,
            ...(options.site === undefined ? {} : { siteId: options.site }),
            method,
            ...(normalise === undefined ? {} : { normalise }),
            ...(threshold === undefined ? {} : { threshold }),
            ...(minMappingUnitM2 === undefined ? {} : { minMappingUnitM2 }),
            ...(options.out === undefined ? {} : { outDir: resolve(options.out) }),
          });
          if (json) printJobJson(io, job);
          else io.out(`queued ${job.id} (compare); follow it with: sitewatch jobs show ${job.id}`);
          return;
        }
        const progress = io.isTty && !json ? progressBar() : null;
        let result: CompareResult;
        try {
          result = await withInterrupt((signal) =>
            compareImages(sw.compareDeps, {
              imageA: a.id,
              imageB: b.id,
              siteId: options.site,
              method,
              normalise,
              threshold,
              minMappingUnitM2,
              outDir: options.out,
              signal,
              onProgress: progress?.listener,
            }),
          );
        } finally {
          progress?.stop();
        }
        const target = { kind: 'comparison', comparisonId: result.comparison.id } as const;
        const derived = await observeStoredRun(sw, target, options.site);
        const observations = derived === undefined ? null : derivedJson(derived);
        if (json) printJson(io, { ...comparisonJson(result), observations });
        else printSummary(io, result);
        if (!json && derived !== undefined) printDerived(io, derived, true);
      });
    });
}
