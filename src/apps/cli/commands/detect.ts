/**
 * `sitewatch detect IMAGE`: objects found in an ingested image, counted per zone; and
 * `sitewatch detections list|show` for stored runs.
 */
import { resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { detectImage, DEFAULT_MIN_SCORE, DEFAULT_MODEL_ID } from '../../../app/detect-image.ts';
import type { DetectionRun } from '../../../app/detect/detection-run.ts';
import { NotFoundError, ValidationError } from '../../../core/errors.ts';
import { type Io, parseNumberOption, printJson, withSitewatch } from '../context.ts';
import { formatTable } from '../format.ts';
import { resolveImage } from '../image-view.ts';
import { enqueueJob } from '../../../app/jobs/enqueue-job.ts';
import { derivedJson, observeStoredRun, printDerived } from './observe-derive.ts';
import { printJobJson } from './jobs.ts';

interface DetectOptions {
  site?: string;
  model?: string;
  classes?: string;
  minScore?: string;
  gsd?: string;
  tta?: boolean;
  batch?: string;
  out?: string;
  json?: boolean;
  queue?: boolean;
}

function parseClasses(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const list = text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (list.length === 0)
    throw new ValidationError(`--classes must name at least one class; got "${text}"`);
  return list;
}

/** The `--json` contract: detections (count), counts per zone and class, outputs; then more. */
export function detectionRunJson(run: DetectionRun) {
  return {
    id: run.id,
    detections: run.detectionCount,
    counts: Object.fromEntries(run.counts.map((z) => [z.zone, z.counts])),
    observableAreaM2: Object.fromEntries(run.counts.map((z) => [z.zone, z.observableAreaM2])),
    outputs: run.outputs,
    imageId: run.imageId,
    model: run.model,
    zones: run.counts,
    tiles: run.tiles,
    parameters: run.parameters,
    timingsMs: run.timingsMs,
    createdAt: run.createdAt,
    softwareVersion: run.softwareVersion,
  };
}

function formatArea(m2: number | null): string {
  if (m2 === null) return '-';
  return m2 >= 1e5 ? `${(m2 / 1e6).toFixed(3)} km²` : `${Math.round(m2)} m²`;
}

function printRun(io: Io, run: DetectionRun): void {
  const classes = [
    ...new Set(run.counts.flatMap((z) => (z.counts === null ? [] : Object.keys(z.counts)))),
  ];
  io.out(
    `detection run ${run.id}: image ${run.imageId}, model ${run.model.id} ${run.model.version}, ${run.detectionCount} detections (min score ${run.parameters.minScore}; ${run.tiles.run} tiles run, ${run.tiles.skippedNoData} all-nodata skipped)`,
  );
  io.out(
    formatTable(run.counts, [
      { header: 'zone', value: (z) => z.zone },
      { header: 'observable', value: (z) => formatArea(z.observableAreaM2), align: 'right' },
      ...classes.map((c) => ({
        header: c,
        value: (z: (typeof run.counts)[number]) =>
          z.counts === null ? 'not observable' : String(z.counts[c] ?? 0),
        align: 'right' as const,
      })),
    ]),
  );
  if (run.outputs !== null) io.out(`  outputs: ${run.outputs.detections}`);
}

/** Aborts on the first Ctrl-C (the run stops, stores nothing, exits 130). */
function abortOnInterrupt(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (): void => {
    controller.abort(new Error('interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export function registerDetectCommands(program: Command, io: Io): void {
  program
    .command('detect')
    .description(
      'find and count objects (vehicles, ships, planes, …) in an ingested image, and store the run',
    )
    .argument('<image>', 'image: id, sha256 or ingested path')
    .option(
      '--site <id>',
      "detect inside the site's polygon only, count per zone, and store the counts as observations",
    )
    .option(
      '--model <name|path>',
      `model id or path (default: ${DEFAULT_MODEL_ID}; tophat-baseline needs no model file)`,
    )
    .option(
      '--classes <list>',
      'keep only these classes, comma-separated, e.g. small-vehicle,large-vehicle',
    )
    .option('--min-score <x>', `minimum score in [0, 1] (default ${DEFAULT_MIN_SCORE})`)
    .option(
      '--gsd <metres>',
      'metres per pixel: required for images without georeferencing, overrides otherwise',
    )
    .option(
      '--tta',
      'test-time augmentation: also run on horizontally and vertically flipped tiles',
    )
    .option('--batch <n>', 'tiles per inference call when the model allows any batch (default 4)')
    .option('--out <dir>', 'write detections.geojson into this folder')
    .option('--json', 'print the result as JSON')
    .option(
      '--queue',
      'queue the detection as a job for `sitewatch worker` instead (with --json: { "job": { "id", "state" } })',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch detect img_f8ff91fbd263ac0a --site paris-bercy-rail --out ./objects --json\n  $ sitewatch detect P1888.png --gsd 0.3 --model tophat-baseline',
    )
    .action(async (imageRef: string, options: DetectOptions, command: Command) => {
      const minScore = parseNumberOption('--min-score', options.minScore);
      const gsdMeters = parseNumberOption('--gsd', options.gsd);
      const batchSize = parseNumberOption('--batch', options.batch);
      const classes = parseClasses(options.classes);
      await withSitewatch(command, async (sw) => {
        const image = await resolveImage(sw.images, imageRef);
        if (options.queue === true) {
          const job = await enqueueJob(sw.jobs, 'detect', {
            imageId: image.id,
            ...(options.site === undefined ? {} : { siteId: options.site }),
            ...(options.model === undefined ? {} : { model: options.model }),
            ...(classes === undefined ? {} : { classes }),
            ...(minScore === undefined ? {} : { minScore }),
            ...(gsdMeters === undefined ? {} : { gsdMeters }),
            ...(options.tta === true ? { testTimeFlips: true } : {}),
            ...(batchSize === undefined ? {} : { batchSize }),
            ...(options.out === undefined ? {} : { outDir: resolve(options.out) }),
          });
          if (options.json === true) printJobJson(io, job);
          else io.out(`queued ${job.id} (detect); follow it with: sitewatch jobs show ${job.id}`);
          return;
        }
        const bar = io.isTty
          ? new SingleBar(
              { format: 'detect [{bar}] {value}/{total} tiles {stage}', stream: process.stderr },
              Presets.legacy,
            )
          : undefined;
        let started = false;
        const interrupt = abortOnInterrupt();
        try {
          const { run } = await detectImage(sw.detectDeps, {
            imageId: image.id,
            siteId: options.site,
            model: options.model,
            classes,
            minScore,
            gsdMeters,
            testTimeFlips: options.tta === true,
            batchSize,
            outDir: options.out,
            signal: interrupt.signal,
            onProgress: (p) => {
              if (bar === undefined) return;
              if (!started && p.tilesTotal > 0) {
                bar.start(p.tilesTotal, 0, { stage: p.stage });
                started = true;
              }
              if (started) bar.update(p.tilesDone, { stage: p.stage });
            },
          });
          bar?.stop();
          const derived = await observeStoredRun(sw, { kind: 'run', runId: run.id }, options.site);
          const observations = derived === undefined ? null : derivedJson(derived);
          if (options.json === true) printJson(io, { ...detectionRunJson(run), observations });
          else printRun(io, run);
          if (options.json !== true && derived !== undefined) printDerived(io, derived, true);
        } finally {
          bar?.stop();
          interrupt.dispose();
        }
      });
    });

  const detections = program.command('detections').description('stored detection runs');

  detections
    .command('list')
    .description('detection runs on an image, newest first')
    .requiredOption('--image <image>', 'image: id, sha256 or ingested path')
    .option('--json', 'print a JSON array')
    .action(async (options: { image: string; json?: boolean }, command: Command) => {
      await withSitewatch(command, async (sw) => {
        const image = await resolveImage(sw.images, options.image);
        const runs = await sw.detections.listRunsForImage(image.id);
        if (options.json === true) {
          printJson(io, runs.map(detectionRunJson));
          return;
        }
        io.out(
          formatTable(runs, [
            { header: 'run', value: (r) => r.id },
            { header: 'created', value: (r) => r.createdAt },
            { header: 'model', value: (r) => `${r.model.id} ${r.model.version}` },
            { header: 'site', value: (r) => r.parameters.siteId ?? '-' },
            { header: 'detections', value: (r) => String(r.detectionCount), align: 'right' },
          ]),
        );
      });
    });

  detections
    .command('show')
    .description('one detection run: counts per zone and class; with --json its detections too')
    .argument('<run>', 'run id (det_…)')
    .option('--json', 'print JSON with the run and its detections')
    .action(async (runId: string, options: { json?: boolean }, command: Command) => {
      await withSitewatch(command, async (sw) => {
        const run = await sw.detections.getRun(runId);
        if (run === undefined) throw new NotFoundError(`detection run "${runId}" not found`);
        if (options.json === true) {
          printJson(io, {
            ...detectionRunJson(run),
            items: await sw.detections.listDetections(run.id),
          });
        } else printRun(io, run);
      });
    });
}
