/**
 * Figure benchmark: a 1600 × 1200 annotated figure with 500 detections (seeded, spread over the
 * site), plus the demo's change polygons, on the demo home (Paris, Sentinel-2), target < 1 s.
 *
 *   npm run bench:figure
 *
 * Measures (1) in process: `renderFigure` + `encodeFigure` to PNG, the first call (opens the
 * image) and the median of the next ones, each a fresh call that opens the image again as the
 * CLI does; (2) the whole CLI process (`sitewatch figure … --format png`) under
 * `/usr/bin/time -v`: wall time and peak RSS, Node start-up and opening the store included.
 * CPU time (user + system, all threads) is recorded beside wall time: on a shared, loaded machine
 * it is the steadier number. Writes bench/results/figure.json with the machine, commit, commands and load average before
 * and after (the numbers mean little on a loaded machine).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SharpFigureEncoder } from '../src/adapters/image-encode/sharp-figure-encoder.ts';
import { encodeFigure, renderFigure } from '../src/app/publish/figure.ts';
import { makeFigureDetections } from '../src/app/publish/figure-fixtures.ts';
import { figureDepsOf } from '../src/apps/cli/commands/figure.ts';
import { runCliCaptured } from '../src/apps/cli/run-cli-for-test.ts';
import { loadConfig } from '../src/apps/config.ts';
import { openSitewatch } from '../src/apps/wiring.ts';
import { bboxOfGeometry } from '../src/core/geo/bbox.ts';
import { machineInfo, median } from './machine.ts';
import { hasGnuTime, measureProcess } from './measure-process.ts';

const repo = resolve(import.meta.dirname, '..');
const SITE = 'paris-bercy-rail';
const DETECTIONS = 500;
const WIDTH = 1600;
const HEIGHT = 1200;
const RUNS = 5;
const TARGET_MS = 1000;

const loadBefore = loadavg();
const root = mkdtempSync(join(tmpdir(), 'sitewatch-bench-figure-'));
const home = join(root, 'home');
try {
  console.log('setting up the demo home …');
  const demo = await runCliCaptured(['--home', home, 'demo']);
  if (demo.code !== 0) throw new Error(`demo failed: ${demo.stderr}`);
  const sw = await openSitewatch(loadConfig({}, { home }));
  let imageId = '';
  const inProcessMs: number[] = [];
  const inProcessCpuMs: number[] = [];
  let warnings: readonly string[] = [];
  let pngBytes = 0;
  try {
    const images = await sw.images.list({ siteId: SITE });
    imageId = images[images.length - 1]?.id ?? '';
    const site = await sw.sites.get(SITE);
    if (site === undefined || imageId === '')
      throw new Error('the demo home lacks its site or images');
    const { run, detections } = makeFigureDetections(
      imageId,
      bboxOfGeometry(site.geometry),
      DETECTIONS,
      2026,
      '2030-01-01T00:00:00.000Z',
    );
    await sw.detections.insert(run, detections);
    const deps = figureDepsOf(sw);
    const encoder = new SharpFigureEncoder();
    for (let i = 0; i <= RUNS; i += 1) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      const figure = await renderFigure(deps, {
        siteId: SITE,
        imageId,
        widthPx: WIDTH,
        heightPx: HEIGHT,
      });
      const png = await encodeFigure(
        encoder,
        {
          width: WIDTH,
          height: HEIGHT,
          title: figure.title,
          figures: [{ figure, left: 0, top: 0 }],
        },
        'png',
      );
      inProcessMs.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      inProcessCpuMs.push((cpu.user + cpu.system) / 1000);
      warnings = figure.warnings;
      pngBytes = png.length;
    }
  } finally {
    await sw.close();
  }
  const out = join(root, 'figure.png');
  const args = [
    join(repo, 'bin/sitewatch.js'),
    '--home',
    home,
    'figure',
    '--site',
    SITE,
    '--image',
    imageId,
    '--size',
    `${WIDTH}x${HEIGHT}`,
    '--format',
    'png',
    '--out',
    out,
  ];
  const processRuns = hasGnuTime()
    ? Array.from({ length: 3 }, () =>
        measureProcess(process.execPath, args, { cwd: repo, timeoutMs: 120_000 }),
      )
    : [];
  const failed = processRuns.find((r) => r.failure !== null);
  if (failed !== undefined) throw new Error(`CLI run failed: ${failed.failure ?? ''}`);
  const [first, ...rest] = inProcessMs;
  const result = {
    benchmark: 'figure',
    command: 'npm run bench:figure',
    cliCommand: processRuns[0]?.command.replace(root, '$TMP') ?? null,
    machine: machineInfo(),
    loadAverageBefore: loadBefore.map((v) => Number(v.toFixed(2))),
    loadAverageAfter: loadavg().map((v) => Number(v.toFixed(2))),
    input: { site: SITE, imageId, sizePx: [WIDTH, HEIGHT], detections: DETECTIONS },
    inProcess: {
      firstMs: Math.round(first ?? Number.NaN),
      medianMs: Math.round(median(rest)),
      runsMs: rest.map((v) => Math.round(v)),
      /** CPU time of the process (all threads) per run: less sensitive to load than wall time. */
      medianCpuMs: Math.round(median(inProcessCpuMs.slice(1))),
      pngBytes,
      warnings,
    },
    process:
      processRuns.length === 0
        ? { skipped: 'GNU time (/usr/bin/time) is not installed' }
        : {
            medianWallSeconds: Number(median(processRuns.map((r) => r.wallSeconds)).toFixed(3)),
            medianCpuSeconds: Number(
              median(processRuns.map((r) => r.userSeconds + r.systemSeconds)).toFixed(3),
            ),
            peakRssMiB: Math.round(Math.max(...processRuns.map((r) => r.peakRssBytes)) / 2 ** 20),
          },
    targetMs: TARGET_MS,
    meetsTarget: median(rest) < TARGET_MS,
  };
  mkdirSync(join(repo, 'bench/results'), { recursive: true });
  writeFileSync(join(repo, 'bench/results/figure.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(root, { recursive: true, force: true });
}
