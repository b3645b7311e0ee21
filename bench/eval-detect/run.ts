/**
 * Object-detection evaluation on the held-out split (training/splits.json): the default model
 * and the top-hat baseline run through the CLI as a user would, scored per dataset and class
 * (AP@0.5 with rotated IoU, precision, recall) and per image (count error). Prints tables and
 * writes bench/results/eval-detect.json. See README.md for what the numbers mean.
 *
 *   npx tsx bench/eval-detect/run.ts [--datasets dota-samples,…] [--detectors a,b] [--limit n]
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Detection } from '../../src/core/detect/detection.ts';
import type { GroundTruth } from '../../src/core/detect/metrics.ts';
import { machineInfo } from '../machine.ts';
import {
  parseDotaLabels,
  parseSplits,
  parseYoloLabels,
  testRegionOf,
  type SplitImage,
} from './labels.ts';
import { countTable, scoreTable } from './report.ts';
import { evaluate, type ScoredImage } from './scoring.ts';
import {
  detectWithCli,
  ingestAll,
  listModelClasses,
  REPO_ROOT,
  sha256File,
} from './sitewatch-cli.ts';

const DEFAULT_DETECTORS = 'sitewatch-vehicles,tophat-baseline';
const USAGE = `usage: npx tsx bench/eval-detect/run.ts [--datasets a,b] [--detectors ${DEFAULT_DETECTORS}]
       [--splits training/splits.json] [--limit N (images per dataset)] [--min-score 0.05]
       [--operating-score 0.3] [--out bench/results/eval-detect.json] [--keep-home]
       [--raw FILE (where to keep the detections; default in the temp folder)]
       [--rescore FILE (score a kept raw file again without running the CLI)]`;

const { values: flags } = parseArgs({
  options: {
    datasets: { type: 'string' },
    detectors: { type: 'string', default: DEFAULT_DETECTORS },
    splits: { type: 'string', default: join(REPO_ROOT, 'training/splits.json') },
    limit: { type: 'string' },
    'min-score': { type: 'string', default: '0.05' },
    'operating-score': { type: 'string', default: '0.3' },
    out: { type: 'string', default: join(REPO_ROOT, 'bench/results/eval-detect.json') },
    'keep-home': { type: 'boolean', default: false },
    raw: { type: 'string', default: join(tmpdir(), 'sitewatch-eval-detect-raw.json') },
    rescore: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};
const dataRoot = process.env.SITEWATCH_SHARED_DATA ?? resolve(REPO_ROOT, '../shared/data');
if (!existsSync(flags.splits)) {
  log(`${flags.splits} is missing: run training/prepare.py first (it writes the held-out split)`);
  process.exit(2);
}
if (!existsSync(dataRoot)) {
  log(`${dataRoot} is missing: the evaluation needs ../shared/data (or SITEWATCH_SHARED_DATA)`);
  process.exit(2);
}
const splits = parseSplits(JSON.parse(readFileSync(flags.splits, 'utf8')), flags.splits);
const detectors = flags.detectors.split(',').filter((d) => d !== '');
const minScore = Number(flags['min-score']);
const operatingScore = Number(flags['operating-score']);
const limit = flags.limit === undefined ? Infinity : Number(flags.limit);
const wanted = flags.datasets?.split(',') ?? null;

function truthsOf(image: SplitImage): GroundTruth[] {
  const path = join(dataRoot, image.labels);
  const text = readFileSync(path, 'utf8');
  return image.labelFormat === 'dota-labeltxt'
    ? parseDotaLabels(text, path, image.labelScale, image.classMap)
    : parseYoloLabels(text, path, image.width, image.height, image.classMap);
}

// The scored images: held-out files whole, DOTA images on their right 30 %.
const perDataset = new Map<string, number>();
const selected = splits.images.filter((image) => {
  if (testRegionOf(image) === null || (wanted !== null && !wanted.includes(image.source)))
    return false;
  const n = perDataset.get(image.source) ?? 0;
  perDataset.set(image.source, n + 1);
  return n < limit;
});
if (selected.length === 0) {
  log('no held-out images selected');
  process.exit(2);
}

interface RawRun {
  readonly classesOf: Record<string, string[] | undefined>;
  readonly unavailable: Record<string, string>;
  readonly failures: { image: string; detector: string; error: string }[];
  readonly seconds: Record<string, number[]>;
  /** Per image path, per detector: detections in source pixels (null when the run failed). */
  readonly predictions: Record<string, Record<string, Detection[] | null>>;
}

/** Ingests the images into a temp home and runs every detector on each through the CLI. */
function runDetectors(): RawRun {
  const home = mkdtempSync(join(tmpdir(), 'sitewatch-eval-detect-'));
  log(`home ${home}; ingesting ${selected.length} images`);
  const ids = ingestAll(
    home,
    selected.map((i) => join(dataRoot, i.path)),
  );
  const modelClasses = listModelClasses(home);
  const raw: RawRun = {
    classesOf: Object.fromEntries(detectors.map((d) => [d, modelClasses.get(d)])),
    unavailable: {},
    failures: [],
    seconds: {},
    predictions: {},
  };
  for (const [index, image] of selected.entries()) {
    const file = join(dataRoot, image.path);
    const id = ids.get(sha256File(file));
    if (id === undefined) throw new Error(`${file}: no image id after ingest`);
    const predictions: Record<string, Detection[] | null> = {};
    for (const detector of detectors) {
      predictions[detector] = null;
      if (raw.unavailable[detector] !== undefined) continue;
      const out = join(home, 'out', `${index}-${detector}`);
      const outcome = detectWithCli(home, id, detector, image.gsdMeters, minScore, out);
      if (outcome.ok) {
        predictions[detector] = outcome.detections;
        (raw.seconds[detector] ??= []).push(outcome.seconds);
      } else {
        raw.failures.push({ image: image.path, detector, error: outcome.error });
        // A missing model fails the same way on every image: stop asking.
        if (/no model with this id|not found|no such file/i.test(outcome.error)) {
          raw.unavailable[detector] = outcome.error;
        }
        log(`  ${detector} on ${image.path}: ${outcome.error}`);
      }
    }
    raw.predictions[image.path] = predictions;
    const summary = detectors.map((d) => `${d} ${predictions[d]?.length ?? '–'}`).join(', ');
    log(`[${index + 1}/${selected.length}] ${image.path}: ${summary}`);
  }
  if (!flags['keep-home']) rmSync(home, { recursive: true, force: true });
  return raw;
}

const raw: RawRun =
  flags.rescore === undefined
    ? runDetectors()
    : (JSON.parse(readFileSync(flags.rescore, 'utf8')) as RawRun);
if (flags.rescore === undefined) {
  writeFileSync(flags.raw, JSON.stringify(raw));
  log(`raw detections in ${flags.raw} (rescore with --rescore ${flags.raw})`);
}

const scored: ScoredImage[] = selected.flatMap((image) => {
  const region = testRegionOf(image);
  const predictions = raw.predictions[image.path];
  if (region === null || predictions === undefined) return [];
  return [
    {
      dataset: image.source,
      name: image.path,
      region,
      truths: truthsOf(image),
      axisAlignedTruths: image.labelFormat === 'yolo',
      predictions,
    },
  ];
});
const { classesOf, unavailable, failures, seconds } = raw;
const evaluation = evaluate(scored, detectors, { operatingScore, classesOf });
console.log(scoreTable(evaluation, detectors));
console.log('');
console.log(countTable(evaluation, detectors));

const command = `npx tsx bench/eval-detect/run.ts ${process.argv.slice(2).join(' ')}`.trim();
const result = {
  command,
  machine: machineInfo(),
  splits: {
    path: flags.splits,
    schema: splits.schema,
    modelGsdMeters: splits.modelGsdMeters,
    rules: splits.rules,
  },
  settings: {
    minScore,
    operatingScore,
    iouThreshold: 0.5,
    iou: 'rotated (polygon clipping)',
    ap: 'VOC all-point interpolated, pooled over the images of a dataset',
  },
  detectors: detectors.map((d) => ({
    id: d,
    classes: classesOf[d] ?? null,
    available: unavailable[d] === undefined,
    error: unavailable[d] ?? null,
    meanSecondsPerImage:
      seconds[d] === undefined ? null : seconds[d].reduce((a, b) => a + b, 0) / seconds[d].length,
  })),
  images: scored.map((s) => ({
    dataset: s.dataset,
    path: s.name,
    region: s.region,
    gsdMeters: selected.find((i) => i.path === s.name)?.gsdMeters,
  })),
  scores: evaluation.scores,
  counts: evaluation.counts,
  failures,
};
mkdirSync(dirname(flags.out), { recursive: true });
writeFileSync(flags.out, `${JSON.stringify(result, null, 2)}\n`);
log(`wrote ${flags.out}`);
