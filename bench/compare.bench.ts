/**
 * Change-detection benchmark of issue 3 on the generated pair (../shared/bench/gen_pair.py):
 * sitewatch run as a user runs it — `images ingest t1.tif t2.tif --link`, then
 * `compare A B --method cva|irmad --out DIR --json` — against its peers in the same run, each a
 * whole process under `/usr/bin/time -v` (wall time, CPU, peak RSS):
 *
 *   coreg  sitewatch bench/coreg-only.ts (decode both, estimate, resample B's bands) vs
 *          reg_peers.py skimage | cvpc | orb (decode + estimate; no resample)
 *   cva    sitewatch compare --method cva vs cd_numpy.py cva --coreg
 *   irmad  sitewatch compare --method irmad vs cd_numpy.py irmad --coreg --iters 5 and
 *          otbcli_MultivariateAlterationDetector (one MAD pass, no co-registration, no threshold)
 *
 *   npx tsx bench/compare.bench.ts [--size 8192|2048] [--only cva,irmad,coreg] [--no-peers]
 *
 * Pairs are read from $SITEWATCH_BENCH_PAIRS/<size>/ (default /tmp/sw/pairs; make them with
 * `/usr/bin/python3 ../shared/bench/gen_pair.py 8192 /tmp/sw/pairs`). F1 of change-mask.tif
 * against gt_change.tif is scored as cd_numpy.py scores (10 px border left out). The
 * registration error is |(dx, dy) + (truth dx, dy)|: sitewatch reports the shift that carries
 * B onto A, the truth the shift of t2's content from t1. Prints a table with the ratios and
 * the issue's goals, and writes bench/results/compare-<size>.json (compare-<size>-no-peers.json
 * with --no-peers). Each process is stopped after SITEWATCH_BENCH_TIMEOUT_S seconds (1200).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineInfo } from './machine.ts';
import { scoreMaskFiles } from './mask-score.ts';
import { hasGnuTime, lastJsonLine, measureProcess, type MeasuredRun } from './measure-process.ts';

const repo = resolve(import.meta.dirname, '..');
const sharedBench = resolve(repo, '../shared/bench');
const PYTHON = '/usr/bin/python3';
/** Per-process limit; raise it with SITEWATCH_BENCH_TIMEOUT_S on a loaded machine. */
const TIMEOUT_MS = 1000 * Number(process.env.SITEWATCH_BENCH_TIMEOUT_S ?? 1200);
const GB = 1e9;

interface Options {
  readonly size: number;
  readonly only: ReadonlySet<string>;
  readonly peers: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const size = Number(value('--size') ?? 8192);
  const only = new Set((value('--only') ?? 'coreg,cva,irmad').split(',').map((s) => s.trim()));
  for (const part of only) {
    if (!['coreg', 'cva', 'irmad'].includes(part)) {
      console.error(`compare bench: --only takes coreg, cva, irmad; got "${part}"`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(size) || size <= 0) {
    console.error(`compare bench: --size must be a positive integer; got ${String(size)}`);
    process.exit(2);
  }
  return { size, only, peers: !argv.includes('--no-peers') };
}

interface Truth {
  readonly N: number;
  readonly dx: number;
  readonly dy: number;
}

/** A measured run as stored in the result file (no captured output). */
interface RunRecord {
  readonly command: string;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssGB: number;
  readonly failure: string | null;
  readonly loadAverage1m: readonly [number, number];
  readonly [extra: string]: unknown;
}

function measured(
  label: string,
  program: string,
  args: readonly string[],
  cwd = repo,
): { run: MeasuredRun; record: RunRecord } {
  process.stdout.write(`  ${label.padEnd(22)} `);
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const run = measureProcess(program, args, { cwd, timeoutMs: TIMEOUT_MS });
  const loadAfter = loadavg()[0] ?? Number.NaN;
  const record: RunRecord = {
    command: run.command,
    wallSeconds: +run.wallSeconds.toFixed(3),
    cpuSeconds: +(run.userSeconds + run.systemSeconds).toFixed(2),
    peakRssGB: +(run.peakRssBytes / GB).toFixed(3),
    failure: run.failure,
    loadAverage1m: [+loadBefore.toFixed(2), +loadAfter.toFixed(2)],
  };
  console.log(
    run.failure === null
      ? `${run.wallSeconds.toFixed(2)} s, cpu ${record.cpuSeconds} s, peak ${record.peakRssGB.toFixed(2)} GB`
      : `FAILED: ${run.failure}`,
  );
  return { run, record };
}

function sitewatch(home: string, args: readonly string[]): string[] {
  return ['bin/sitewatch.js', '--home', home, ...args];
}

/** Registration error of a sitewatch estimate (B onto A) against gen_pair's truth. */
function registrationErrorPx(dx: number, dy: number, truth: Truth): number {
  return Math.hypot(dx + truth.dx, dy + truth.dy);
}

async function runSitewatchCompare(
  method: 'cva' | 'irmad',
  home: string,
  ids: readonly [string, string],
  pairDir: string,
  work: string,
  truth: Truth,
): Promise<RunRecord> {
  const out = join(work, `sitewatch-${method}`);
  const { run, record } = measured(`sitewatch compare ${method}`, process.execPath, [
    ...sitewatch(home, ['compare', ids[0], ids[1], '--method', method, '--out', out, '--json']),
  ]);
  if (run.failure !== null) return record;
  try {
    return await scoreComparison(run.stdout, record, out, pairDir, truth);
  } catch (error) {
    return { ...record, failure: `scoring failed: ${String(error)}` };
  }
}

async function scoreComparison(
  stdout: string,
  record: RunRecord,
  out: string,
  pairDir: string,
  truth: Truth,
): Promise<RunRecord> {
  const json = JSON.parse(stdout) as {
    registration: { dx: number; dy: number; confidence: number; reliable: boolean };
    changedFraction: number;
    polygonCount: number;
    threshold: number;
    timingsMs?: Record<string, number>;
  };
  const scores = await scoreMaskFiles(join(out, 'change-mask.tif'), join(pairDir, 'gt_change.tif'));
  const { dx, dy } = json.registration;
  return {
    ...record,
    f1: +scores.f1.toFixed(4),
    precision: +scores.precision.toFixed(4),
    recall: +scores.recall.toFixed(4),
    registration: json.registration,
    registrationErrorPx: +registrationErrorPx(dx, dy, truth).toFixed(4),
    changedFraction: json.changedFraction,
    polygonCount: json.polygonCount,
    threshold: json.threshold,
    timingsMs: json.timingsMs ?? null,
  };
}

function runNumpy(mode: 'cva' | 'irmad', pairDir: string): RunRecord {
  const args = [join(sharedBench, 'cd_numpy.py'), mode, pairDir, '--coreg'];
  if (mode === 'irmad') args.push('--iters', '5');
  const { run, record } = measured(`numpy ${mode}`, PYTHON, args);
  const json = lastJsonLine(run.stdout);
  if (json === null) return record;
  return {
    ...record,
    f1: json.f1,
    precision: json.precision,
    recall: json.recall,
    estimatedShift: json.est_shift,
    stagesSeconds: json.stages_s,
  };
}

function runOtb(pairDir: string, work: string): RunRecord {
  const out = join(work, 'otb-mad.tif');
  const { record } = measured('OTB MAD', 'otbcli_MultivariateAlterationDetector', [
    '-in1',
    join(pairDir, 't1.tif'),
    '-in2',
    join(pairDir, 't2.tif'),
    '-out',
    out,
    'float',
    '-ram',
    '4096',
  ]);
  rmSync(out, { force: true });
  return record;
}

function runRegPeer(method: 'skimage' | 'cvpc' | 'orb', pairDir: string): RunRecord {
  const { run, record } = measured(`${method} registration`, PYTHON, [
    join(sharedBench, 'reg_peers.py'),
    method,
    pairDir,
  ]);
  const json = lastJsonLine(run.stdout);
  if (json === null) return record;
  return {
    ...record,
    dx: json.dx,
    dy: json.dy,
    registrationErrorPx: json.err_px,
    estimateSeconds: json.estimate_s,
  };
}

function runCoregOnly(pairDir: string, truth: Truth): RunRecord {
  const { run, record } = measured('sitewatch coreg-only', process.execPath, [
    '--import',
    'tsx',
    'bench/coreg-only.ts',
    join(pairDir, 't1.tif'),
    join(pairDir, 't2.tif'),
  ]);
  const json = lastJsonLine(run.stdout);
  if (json === null) return record;
  const dx = Number(json.dx);
  const dy = Number(json.dy);
  return {
    ...record,
    dx,
    dy,
    registrationErrorPx: +registrationErrorPx(dx, dy, truth).toFixed(4),
    confidence: json.confidence,
    decodeSeconds: json.decodeSeconds,
    estimateSeconds: json.estimateSeconds,
    resampleSeconds: json.resampleSeconds,
    nonFiniteInteriorSamples: json.nonFiniteInteriorSamples,
  };
}

/** One goal of the issue and whether this run met it. */
interface GoalResult {
  readonly goal: string;
  readonly measured: string;
  readonly pass: boolean | null;
}

function goal(text: string, value: number | null | undefined, limit: number, atMost: boolean) {
  const ok =
    value === null || value === undefined || !Number.isFinite(value)
      ? null
      : atMost
        ? value <= limit
        : value >= limit;
  return { goal: text, measured: value == null ? 'n/a' : value.toFixed(3), pass: ok };
}

const num = (record: RunRecord | undefined, key: string): number | null => {
  const v = record?.[key];
  return typeof v === 'number' && record?.failure === null ? v : null;
};

/** peer / sitewatch, on wall seconds (the goals) or CPU seconds (steadier on a loaded machine). */
function speedup(
  peer: RunRecord | undefined,
  own: RunRecord | undefined,
  key: 'wallSeconds' | 'cpuSeconds' = 'wallSeconds',
): number | null {
  const p = num(peer, key);
  const s = num(own, key);
  return p === null || s === null ? null : p / s;
}

const SPEEDUPS = [
  ['coregVsSkimage', 'skimage', 'coreg'],
  ['cvaVsNumpy', 'numpyCva', 'cva'],
  ['irmadVsNumpy', 'numpyIrmad', 'irmad'],
  ['irmadVsOtb', 'otb', 'irmad'],
] as const;

function speedups(runs: Readonly<Record<string, RunRecord>>, key: 'wallSeconds' | 'cpuSeconds') {
  return Object.fromEntries(
    SPEEDUPS.map(([name, peer, own]) => [name, speedup(runs[peer], runs[own], key)]),
  );
}

function evaluateGoals(
  size: number,
  runs: Readonly<Record<string, RunRecord>>,
  ingestWall: number | null,
): GoalResult[] {
  const full = size === 8192;
  const goals: GoalResult[] = [];
  const r = runs;
  if (r.coreg !== undefined) {
    if (full) goals.push(goal('coreg whole process ≤ 8 s', num(r.coreg, 'wallSeconds'), 8, true));
    const estResample =
      (num(r.coreg, 'estimateSeconds') ?? Number.NaN) +
      (num(r.coreg, 'resampleSeconds') ?? Number.NaN);
    if (full) goals.push(goal('coreg estimate + resample ≤ 8 s', estResample, 8, true));
    goals.push(goal('coreg ≥ 2× faster than skimage', speedup(r.skimage, r.coreg), 2, false));
  }
  for (const key of ['coreg', 'irmad', 'cva'] as const) {
    if (r[key] === undefined) continue;
    goals.push(
      goal(`${key} registration error ≤ 0.05 px`, num(r[key], 'registrationErrorPx'), 0.05, true),
    );
  }
  if (r.irmad !== undefined) {
    goals.push(goal('irmad ≥ 2× faster than numpy', speedup(r.numpyIrmad, r.irmad), 2, false));
    goals.push(goal('irmad at least as fast as OTB MAD', speedup(r.otb, r.irmad), 1, false));
    if (full) goals.push(goal('irmad peak RSS ≤ 4.5 GB', num(r.irmad, 'peakRssGB'), 4.5, true));
    goals.push(goal('irmad F1 ≥ 0.58', num(r.irmad, 'f1'), 0.58, false));
    const numpyF1 = num(r.numpyIrmad, 'f1');
    if (numpyF1 !== null)
      goals.push(goal(`irmad F1 ≥ numpy same run`, num(r.irmad, 'f1'), numpyF1, false));
    if (ingestWall !== null && r.numpyIrmad !== undefined) {
      const wall = (num(r.irmad, 'wallSeconds') ?? Number.NaN) + ingestWall;
      const numpyWall = num(r.numpyIrmad, 'wallSeconds') ?? Number.NaN;
      goals.push(goal('(ingest + irmad) ≥ 2× faster than numpy', numpyWall / wall, 2, false));
    }
  }
  if (r.cva !== undefined) {
    if (full) goals.push(goal('cva ≤ 10 s', num(r.cva, 'wallSeconds'), 10, true));
    goals.push(goal('cva faster than numpy (×)', speedup(r.numpyCva, r.cva), 1, false));
    goals.push(goal('cva F1 ≥ 0.74', num(r.cva, 'f1'), 0.74, false));
    const numpyF1 = num(r.numpyCva, 'f1');
    if (numpyF1 !== null)
      goals.push(goal('cva F1 ≥ numpy same run', num(r.cva, 'f1'), numpyF1, false));
  }
  return goals;
}

function printTable(runs: Readonly<Record<string, RunRecord>>): void {
  console.log('\nrun                     wall s   cpu s   peak GB   F1      reg err px');
  for (const [name, r] of Object.entries(runs)) {
    const f1 = typeof r.f1 === 'number' ? r.f1.toFixed(3) : '-';
    const err = typeof r.registrationErrorPx === 'number' ? r.registrationErrorPx.toFixed(4) : '-';
    console.log(
      `${name.padEnd(22)} ${r.wallSeconds.toFixed(2).padStart(7)} ${r.cpuSeconds.toFixed(1).padStart(7)} ${r.peakRssGB.toFixed(2).padStart(9)}   ${f1.padEnd(7)} ${err}${r.failure === null ? '' : `  FAILED ${r.failure}`}`,
    );
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const pairsRoot = process.env.SITEWATCH_BENCH_PAIRS ?? '/tmp/sw/pairs';
  const pairDir = join(pairsRoot, String(options.size));
  if (!existsSync(join(pairDir, 'truth.json'))) {
    console.error(
      `compare bench: ${pairDir}/truth.json is missing; make the pair with\n  /usr/bin/python3 ${sharedBench}/gen_pair.py ${options.size} ${pairsRoot}`,
    );
    process.exit(1);
  }
  if (!hasGnuTime()) {
    console.error('compare bench: needs GNU time at /usr/bin/time (apt-get install time)');
    process.exit(1);
  }
  const truth = JSON.parse(readFileSync(join(pairDir, 'truth.json'), 'utf8')) as Truth;
  const command = `npx tsx bench/compare.bench.ts ${process.argv.slice(2).join(' ')}`.trim();
  console.log(`${command}\npair ${pairDir}: ${truth.N}², truth shift (${truth.dx}, ${truth.dy})`);
  const machine = machineInfo();
  const loadStart = loadavg();
  const work = mkdtempSync(join(tmpdir(), 'bench-compare-'));
  const home = join(work, 'home');
  const runs: Record<string, RunRecord> = {};
  try {
    const ingest = measured('sitewatch ingest', process.execPath, [
      ...sitewatch(home, [
        'images',
        'ingest',
        join(pairDir, 't1.tif'),
        join(pairDir, 't2.tif'),
        '--link',
        '--acquired-at',
        '2021-06-01',
        '--json',
      ]),
    ]);
    runs.ingest = ingest.record;
    // A failed ingest (e.g. a pipeline broken mid-edit) still lets the peers and coreg run.
    const images =
      ingest.run.failure === null ? (JSON.parse(ingest.run.stdout) as { id: string }[]) : [];
    const ids: [string, string] = [images[0]?.id ?? 't1', images[1]?.id ?? 't2'];
    const { only, peers } = options;
    if (only.has('coreg')) {
      runs.coreg = runCoregOnly(pairDir, truth);
      if (peers) {
        runs.skimage = runRegPeer('skimage', pairDir);
        runs.cvpc = runRegPeer('cvpc', pairDir);
        runs.orb = runRegPeer('orb', pairDir);
      }
    }
    if (only.has('cva')) {
      runs.cva = await runSitewatchCompare('cva', home, ids, pairDir, work, truth);
      if (peers) runs.numpyCva = runNumpy('cva', pairDir);
    }
    if (only.has('irmad')) {
      runs.irmad = await runSitewatchCompare('irmad', home, ids, pairDir, work, truth);
      if (peers) {
        runs.numpyIrmad = runNumpy('irmad', pairDir);
        runs.otb = runOtb(pairDir, work);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  printTable(runs);
  const goals = evaluateGoals(options.size, runs, num(runs.ingest, 'wallSeconds'));
  console.log('\ngoal                                        measured   pass');
  for (const g of goals) {
    const verdict = g.pass === null ? 'n/a' : g.pass ? 'PASS' : 'FAIL';
    console.log(`${g.goal.padEnd(43)} ${g.measured.padStart(8)}   ${verdict}`);
  }
  for (const key of ['cva', 'irmad']) {
    const timings = runs[key]?.timingsMs;
    if (timings != null)
      console.log(`sitewatch compare ${key} stages (ms): ${JSON.stringify(timings)}`);
  }
  const wallSpeedups = speedups(runs, 'wallSeconds');
  const cpuSpeedups = speedups(runs, 'cpuSeconds');
  console.log('\nspeed-up (peer ÷ sitewatch)   wall    cpu');
  for (const [name] of SPEEDUPS) {
    const w = wallSpeedups[name];
    const c = cpuSpeedups[name];
    console.log(
      `${name.padEnd(28)} ${w == null ? '   -' : w.toFixed(2).padStart(6)} ${c == null ? '   -' : c.toFixed(2).padStart(6)}`,
    );
  }
  const loadEnd = loadavg();
  console.log(
    `load average (1 min) ${loadStart[0]?.toFixed(2) ?? '?'} → ${loadEnd[0]?.toFixed(2) ?? '?'} on ${String(machine.cores)} cores`,
  );
  const result = {
    benchmark: 'compare',
    command,
    pair: { dir: pairDir, size: truth.N, truthShiftPx: [truth.dx, truth.dy] },
    notes: [
      'Each run is a whole process under /usr/bin/time -v; wall seconds from the parent clock, peak RSS from ru_maxrss.',
      'coreg = bench/coreg-only.ts: decode all 4 bands of both images, estimateTranslationPyramid on band 3, shiftImage (cubic) of all 4 bands of B. reg_peers.py decodes band 3 of both and estimates; no resample.',
      'sitewatch compare decodes both images itself; ingest (hash, decode for statistics, store the record) is a separate, one-time step and timed apart.',
      'F1 as cd_numpy.py: pixels, 10 px border left out. OTB is one MAD pass without co-registration or threshold (no F1).',
    ],
    machine,
    loadAverage1mStartEnd: [loadStart[0], loadEnd[0]],
    runs,
    speedupsWall: wallSpeedups,
    speedupsCpu: cpuSpeedups,
    goals,
  };
  mkdirSync(join(repo, 'bench/results'), { recursive: true });
  // A run without peers must not overwrite the last run with them.
  const suffix = options.peers ? '' : '-no-peers';
  const path = join(repo, `bench/results/compare-${options.size}${suffix}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path}`);
}

await main();
