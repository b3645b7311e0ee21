/**
 * Registration accuracy benchmark (issue 3): real images from ../shared/data (Sentinel-2 B04
 * from OSCD, Maxar aerial from Puerto Rico and xBD, Google Earth from LEVIR-CD) shifted by
 * seeded sub-pixel offsets, and separately rotated by up to 2° and scaled by up to 2 % (plus a
 * sub-pixel shift), with gain, offset and noise (bench/registration/reg_pairs.py makes them).
 * sitewatch's core and the peers estimate on the SAME float32 arrays:
 *
 *   sitewatch-pc   estimateTranslation (phase correlation, upsampled DFT refinement, ×100)
 *   sitewatch-ecc  estimateAffineEcc (ECC affine on a pyramid, started from the pyramid shift)
 *   skimage        phase_cross_correlation(upsample_factor=100)
 *   cvpc           cv2.phaseCorrelate (Hanning window)
 *   orb            ORB + RANSAC homography on 8-bit stretches
 *   cvecc          cv2.findTransformECC (MOTION_AFFINE) from cvpc's shift
 *
 * Errors: the distance between the estimated and true shift at the image centre, and for the
 * rotated/scaled pairs also the worst disagreement at the four corners. Then, at 8192² (the
 * generated pair, band 3) and 16384² (its 2× Lanczos-3 upsampling): the pyramid estimate, ECC on a
 * centre window, a full cubic resample, and a check that nothing is NaN or infinite.
 *
 *   npx tsx bench/registration.bench.ts [--trials 6] [--no-peers] [--no-large] [--max-side 16384]
 *
 * Needs ../shared/data, Debian python3-numpy/scipy/opencv/skimage/gdal; the large part needs
 * $SITEWATCH_BENCH_PAIRS/8192 (default /tmp/sw/pairs). Writes bench/results/registration.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { freemem, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AffineMatrix } from '../src/core/coregister/affine.ts';
import { estimateAffineEcc } from '../src/core/coregister/ecc-affine.ts';
import { estimateTranslation } from '../src/core/coregister/phase-correlation.ts';
import { machineInfo } from './machine.ts';
import {
  readBandFloat32,
  registerLarge,
  upsample2x,
  type LargeRun,
} from './registration/large-images.ts';
import {
  centreShiftOf,
  pairErrors,
  summariseErrors,
  type PairEstimate,
  type PairTruth,
} from './registration/registration-errors.ts';

const repo = resolve(import.meta.dirname, '..');
const shared = resolve(repo, '../shared/data');
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'registration/reg_pairs.py');
const PEERS = ['skimage', 'cvpc', 'orb', 'cvecc'] as const;
const GOAL_PX = 0.05;

const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const trials = Number(flag('--trials') ?? 6);
const maxSide = Number(flag('--max-side') ?? 16384);
const withPeers = !argv.includes('--no-peers');
const withLarge = !argv.includes('--no-large');

function oscdBand(city: string): string {
  const folder = join(shared, 'oscd/images', city, 'imgs_1');
  const file = readdirSync(folder).find((f) => f.endsWith('_B04.tif'));
  if (file === undefined) throw new Error(`no B04 band in ${folder}`);
  return join(folder, file);
}

function spec() {
  const affines = Math.max(1, Math.round(trials / 2));
  const source = (name: string, path: string, side: number) => ({
    name,
    path,
    side,
    translations: trials,
    affines,
  });
  return {
    seed: 20261127,
    maxShiftPx: 8,
    maxRotationDeg: 2,
    maxScale: 0.02,
    gain: [0.8, 1.25],
    offsetFraction: [-0.1, 0.1],
    noiseRef: 0.01,
    noiseMoving: 0.02,
    sources: [
      source('oscd-nantes-B04 (Sentinel-2, 10 m)', oscdBand('nantes'), 448),
      source('oscd-aguasclaras-B04 (Sentinel-2, 10 m)', oscdBand('aguasclaras'), 384),
      source(
        'puerto-rico-pre (Maxar, 0.3 m)',
        join(shared, 'puerto-rico-maria/Pre_Event_Grids_In_TIFF/tile_0_107.tif'),
        448,
      ),
      source(
        'xbd-joplin-00000000-pre (WorldView-2)',
        join(shared, 'xbd-samples/images/joplin-tornado_00000000_pre_disaster.png'),
        512,
      ),
      source(
        'levir-cd-test_2 (Google Earth, 0.5 m)',
        join(shared, 'levir-cd/A/test_2_0000_0000.png'),
        192,
      ),
    ],
  };
}

interface ManifestPair extends PairTruth {
  readonly id: number;
  readonly source: string;
  readonly kind: 'translation' | 'affine';
  readonly rotationDeg: number;
  readonly scale: number;
  readonly reference: string;
  readonly moving: string;
}

function python(args: readonly string[]): string {
  const result = spawnSync(PYTHON, [SCRIPT, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 1_800_000,
  });
  if (result.status !== 0) {
    throw new Error(`reg_pairs.py ${args[0] ?? ''} failed: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function readFloat32(path: string): Float32Array {
  const bytes = readFileSync(path);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

function timed<T>(fn: () => T): { value: T; seconds: number } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function failed(error: unknown, seconds = 0): PairEstimate {
  return { dx: null, dy: null, referenceToMoving: null, seconds, error: String(error) };
}

/** sitewatch's estimators on one pair. */
function sitewatchEstimates(pair: ManifestPair, dir: string): Record<string, PairEstimate> {
  const reference = readFloat32(join(dir, pair.reference));
  const moving = readFloat32(join(dir, pair.moving));
  const { width, height } = pair;
  const out: Record<string, PairEstimate> = {};
  try {
    const pc = timed(() => estimateTranslation(reference, moving, width, height));
    out['sitewatch-pc'] = {
      dx: pc.value.dx,
      dy: pc.value.dy,
      referenceToMoving: null,
      seconds: pc.seconds,
      error: null,
    };
  } catch (error) {
    out['sitewatch-pc'] = failed(error);
  }
  try {
    const ecc = timed(() => estimateAffineEcc(reference, moving, width, height));
    const [dx, dy] = centreShiftOf(ecc.value.referenceToMoving, width, height);
    out['sitewatch-ecc'] = {
      dx,
      dy,
      referenceToMoving: ecc.value.referenceToMoving,
      seconds: ecc.seconds,
      error: null,
    };
  } catch (error) {
    out['sitewatch-ecc'] = failed(error);
  }
  return out;
}

function peerEstimates(method: string, manifestPath: string): Map<number, PairEstimate> {
  const lines = python(['estimate', method, manifestPath]).trim().split('\n');
  const out = new Map<number, PairEstimate>();
  for (const line of lines) {
    const row = JSON.parse(line) as {
      id: number;
      dx: number | null;
      dy: number | null;
      referenceToMoving: number[] | null;
      seconds: number;
      error: string | null;
    };
    const matrix =
      row.referenceToMoving?.length === 6
        ? (row.referenceToMoving as unknown as AffineMatrix)
        : null;
    out.set(row.id, {
      dx: row.dx,
      dy: row.dy,
      referenceToMoving: matrix,
      seconds: row.seconds,
      error: row.error,
    });
  }
  return out;
}

async function largeRuns(): Promise<{ runs: LargeRun[]; skipped: string[] }> {
  const pairDir = join(process.env.SITEWATCH_BENCH_PAIRS ?? '/tmp/sw/pairs', '8192');
  const skipped: string[] = [];
  if (!existsSync(join(pairDir, 'truth.json'))) {
    return { runs: [], skipped: [`${pairDir}/truth.json is missing`] };
  }
  const truth = JSON.parse(readFileSync(join(pairDir, 'truth.json'), 'utf8')) as {
    dx: number;
    dy: number;
  };
  const a = await readBandFloat32(join(pairDir, 't1.tif'), 3);
  const b = await readBandFloat32(join(pairDir, 't2.tif'), 3);
  // sitewatch's convention: the shift carrying t2 onto t1 is minus the content shift.
  const runs = [registerLarge(a.data, b.data, a.width, -truth.dx, -truth.dy)];
  console.log(`  ${a.width}²: ${JSON.stringify(runs[0])}`);
  let side = a.width;
  let reference = a.data;
  let moving = b.data;
  let scale = 1;
  while (side * 2 <= maxSide) {
    const needBytes = 2 * 4 * (2 * side) ** 2 * 2.5;
    if (freemem() < needBytes) {
      skipped.push(
        `${2 * side}²: ${(freemem() / 2 ** 30).toFixed(1)} GiB free, needs about ${(needBytes / 2 ** 30).toFixed(1)}`,
      );
      break;
    }
    reference = upsample2x(reference, side, side);
    moving = upsample2x(moving, side, side);
    side *= 2;
    scale *= 2;
    const run = registerLarge(reference, moving, side, -truth.dx * scale, -truth.dy * scale);
    runs.push(run);
    console.log(`  ${side}²: ${JSON.stringify(run)}`);
  }
  return { runs, skipped };
}

function fmt(value: number | null, digits = 4): string {
  return value === null ? '-' : value.toFixed(digits);
}

async function main(): Promise<void> {
  if (!existsSync(shared)) {
    console.error(`registration bench: ${shared} is absent; it needs ../shared/data`);
    process.exit(1);
  }
  const command = `npx tsx bench/registration.bench.ts ${argv.join(' ')}`.trim();
  console.log(command);
  const loadStart = loadavg();
  const work = mkdtempSync(join(tmpdir(), 'bench-registration-'));
  try {
    const specPath = join(work, 'spec.json');
    writeFileSync(specPath, JSON.stringify(spec()));
    python(['make', specPath, work]);
    const manifestPath = join(work, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { pairs: ManifestPair[] };
    const pairs = manifest.pairs;
    console.log(`${pairs.length} pairs from ${spec().sources.length} real images`);

    const estimates: Record<string, Map<number, PairEstimate>> = {
      'sitewatch-pc': new Map(),
      'sitewatch-ecc': new Map(),
    };
    for (const pair of pairs) {
      for (const [method, estimate] of Object.entries(sitewatchEstimates(pair, work))) {
        estimates[method]?.set(pair.id, estimate);
      }
    }
    if (withPeers) {
      for (const peer of PEERS) estimates[peer] = peerEstimates(peer, manifestPath);
    }

    const summary: Record<string, unknown> = {};
    console.log(
      '\nmethod          pairs        n  fail  mean px  median   p90      max     ≤0.05  corner max  est s',
    );
    for (const [method, byId] of Object.entries(estimates)) {
      for (const kind of ['translation', 'affine'] as const) {
        const subset = pairs.filter((p) => p.kind === kind);
        const errors = subset.map((p) => pairErrors(p, byId.get(p.id) ?? failed('missing')));
        const centre = summariseErrors(errors.map((e) => e.centrePx));
        const corner = summariseErrors(errors.map((e) => e.cornerPx));
        const seconds = subset.reduce((s, p) => s + (byId.get(p.id)?.seconds ?? 0), 0);
        summary[`${method}/${kind}`] = { centre, corner, estimateSeconds: seconds };
        console.log(
          `${method.padEnd(15)} ${kind.padEnd(11)} ${String(centre.pairs).padStart(3)} ${String(centre.failed).padStart(5)}  ${fmt(centre.meanPx).padStart(7)}  ${fmt(centre.medianPx)}  ${fmt(centre.p90Px)}  ${fmt(centre.maxPx).padStart(7)}  ${(100 * centre.within005).toFixed(0).padStart(4)}%  ${fmt(corner.maxPx, 3).padStart(9)}  ${seconds.toFixed(2).padStart(6)}`,
        );
      }
    }
    const large = withLarge ? await largeRuns() : { runs: [], skipped: ['--no-large'] };
    const meanOf = (key: string): number | null =>
      (summary[key] as { centre: { meanPx: number | null } } | undefined)?.centre.meanPx ?? null;
    const goal = (text: string, value: number | null, limit: number) => ({
      goal: text,
      measuredPx: value,
      pass: value !== null && value <= limit,
    });
    // The product's estimators: phase correlation for shifts, ECC when rotation/scale remain.
    const goals = [
      goal(
        `shifted pairs, sitewatch-pc mean error ≤ ${GOAL_PX} px`,
        meanOf('sitewatch-pc/translation'),
        GOAL_PX,
      ),
      goal(
        `rotated/scaled pairs, sitewatch-ecc mean error ≤ ${GOAL_PX} px`,
        meanOf('sitewatch-ecc/affine'),
        GOAL_PX,
      ),
      goal(
        'shifted pairs, sitewatch-pc mean ≤ skimage mean (same run)',
        meanOf('sitewatch-pc/translation'),
        meanOf('skimage/translation') ?? Number.NaN,
      ),
    ];
    goals.push(
      ...large.runs.map((r) => ({
        goal: `${r.side}²: pyramid error ≤ ${GOAL_PX} px, everything finite`,
        measuredPx: r.pyramid.errorPx,
        pass: r.allFinite && r.pyramid.errorPx <= GOAL_PX,
      })),
    );
    console.log('');
    for (const g of goals) {
      console.log(`${g.goal.padEnd(62)} ${fmt(g.measuredPx)}  ${g.pass ? 'PASS' : 'FAIL'}`);
    }
    if (large.skipped.length > 0) console.log(`large sizes skipped: ${large.skipped.join('; ')}`);
    const loadEnd = loadavg();
    console.log(
      `load average (1 min) ${loadStart[0]?.toFixed(2) ?? '?'} → ${loadEnd[0]?.toFixed(2) ?? '?'}`,
    );
    const result = {
      benchmark: 'registration',
      command,
      spec: spec(),
      notes: [
        'Errors in pixels of the image; centre = |estimated − true shift| at the image centre; corner = worst disagreement of the maps at the 4 corners (translation-only methods as p ↦ p − d).',
        'Translation pairs: exact band-limited (Fourier) shifts; affine pairs: order-5 spline resampling (scipy), neither the interpolator of any method measured.',
        'Seconds are the estimates alone on in-memory arrays, summed over the pairs (sitewatch in Node, peers in Python, one thread each where settable).',
        'Large: band 3 of the generated 8192² pair decoded with the project adapter; 16384² is its 2× Lanczos-3 upsampling (truth doubled; the upsampling error is included).',
      ],
      machine: machineInfo(),
      loadAverage1mStartEnd: [loadStart[0], loadEnd[0]],
      pairs: pairs.map((p) => ({
        id: p.id,
        source: p.source,
        kind: p.kind,
        side: p.width,
        dx: p.dx,
        dy: p.dy,
        rotationDeg: p.rotationDeg,
        scale: p.scale,
        estimates: Object.fromEntries(
          Object.entries(estimates).map(([m, byId]) => {
            const e = byId.get(p.id) ?? failed('missing');
            const errs = pairErrors(p, e);
            return [m, { dx: e.dx, dy: e.dy, ...errs, seconds: e.seconds, error: e.error }];
          }),
        ),
      })),
      summary,
      large,
      goals,
    };
    mkdirSync(join(repo, 'bench/results'), { recursive: true });
    writeFileSync(
      join(repo, 'bench/results/registration.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log('wrote bench/results/registration.json');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
