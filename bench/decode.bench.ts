/**
 * GeoTIFF decode benchmark (issue 3): decode all bands of a whole image with
 *   (a) geotiff.js `readRasters` as published (its own pako DEFLATE decoder: the old peer),
 *   (b) sitewatch's general path (geotiff.js with our bounded decoders: sitewatch before the fast path),
 *   (c) sitewatch's fast path on one thread and (d) with the two-thread decode pool,
 *   (e) GDAL `ReadAsArray` with GDAL_NUM_THREADS=1 and =2 (timed inside /usr/bin/python3),
 * in the same run, median of N repetitions, the variants' order rotating each repetition.
 *
 *   npx tsx bench/decode.bench.ts [path]     (default: $SITEWATCH_BENCH_PAIR or /tmp/sw/pairs/8192/t1.tif)
 *
 * Mpix/s = width·height / wall seconds. Each variant runs in its own process (geotiff.js keeps
 * its decoders in a process-wide registry, which sitewatch replaces); a sitewatch process first
 * decodes one untimed 2048² window, which starts the pool's workers and warms the JIT. Also
 * recorded: CPU seconds of all threads (process.cpuUsage / Python's process_time) and the
 * load average before and after, since wall time on a shared machine moves with everything else
 * that runs. BENCH_REPETITIONS (default 3) changes the run. Writes bench/results/decode.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fromFile } from 'geotiff';
import { EpsgCrsRegistry } from '../src/adapters/crs/epsg-crs-registry.ts';
import { openGeoTiff } from '../src/adapters/geotiff/geotiff-raster-source.ts';
import { closeSharedDecodePools } from '../src/adapters/geotiff/tiff-decode-pool.ts';
import { machineInfo, median } from './machine.ts';

const repo = resolve(import.meta.dirname, '..');
const VARIANTS = [
  'geotiffjs',
  'sitewatchGeneral',
  'sitewatch1',
  'sitewatch2',
  'gdal1',
  'gdal2',
] as const;
type Variant = (typeof VARIANTS)[number];

interface Summary {
  readonly medianWallSeconds: number;
  readonly medianCpuSeconds: number;
  readonly mpixPerSecond: number;
  readonly mpixPerCpuSecond: number;
}

interface Timing {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly width: number;
  readonly height: number;
  readonly bands: number;
}

const GDAL_SCRIPT = `
import json, sys, time
from osgeo import gdal
gdal.UseExceptions()
ds = gdal.Open(sys.argv[1])
c0 = time.process_time(); t0 = time.perf_counter()
a = ds.ReadAsArray()
wall = time.perf_counter() - t0; cpu = time.process_time() - c0
print(json.dumps({"wallSeconds": wall, "cpuSeconds": cpu, "width": ds.RasterXSize,
                  "height": ds.RasterYSize, "bands": ds.RasterCount}))
`;

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

async function timeGeotiffJs(path: string): Promise<Timing> {
  const tiff = await fromFile(path);
  const image = await tiff.getImage(0);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const rasters = await image.readRasters({ interleave: false });
  const wallSeconds = (performance.now() - t0) / 1000;
  const timing = {
    wallSeconds,
    cpuSeconds: cpuSeconds(c0),
    width: image.getWidth(),
    height: image.getHeight(),
    bands: rasters.length,
  };
  await tiff.close();
  return timing;
}

async function timeSitewatch(path: string, variant: Variant): Promise<Timing> {
  const crs = new EpsgCrsRegistry();
  const options =
    variant === 'sitewatchGeneral'
      ? { fastDecode: false }
      : { decodeThreads: variant === 'sitewatch2' ? 2 : 1 };
  const source = await openGeoTiff(path, { maxPixels: 2 ** 31 }, crs, options);
  try {
    const { width, height } = source.description;
    const warm = { col0: 0, row0: 0, width: Math.min(width, 2048), height: Math.min(height, 2048) };
    if (variant !== 'sitewatchGeneral') await source.readWindow(warm);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const arrays = await source.readWindow({ col0: 0, row0: 0, width, height });
    const wallSeconds = (performance.now() - t0) / 1000;
    return { wallSeconds, cpuSeconds: cpuSeconds(c0), width, height, bands: arrays.length };
  } finally {
    await source.close();
    await closeSharedDecodePools();
  }
}

/** Child mode: `decode.bench.ts --variant NAME PATH` prints one Timing as JSON. */
async function child(variant: Variant, path: string): Promise<void> {
  const timing =
    variant === 'geotiffjs' ? await timeGeotiffJs(path) : await timeSitewatch(path, variant);
  console.log(JSON.stringify(timing));
}

function runVariant(variant: Variant, path: string): Timing {
  const gdalThreads = variant === 'gdal1' ? '1' : variant === 'gdal2' ? '2' : null;
  const result =
    gdalThreads === null
      ? spawnSync(
          process.execPath,
          ['--import', 'tsx', join(repo, 'bench/decode.bench.ts'), '--variant', variant, path],
          { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 20 },
        )
      : spawnSync('/usr/bin/python3', ['-c', GDAL_SCRIPT, path], {
          encoding: 'utf8',
          env: { ...process.env, GDAL_NUM_THREADS: gdalThreads, GDAL_PAM_ENABLED: 'NO' },
        });
  if (result.status !== 0) throw new Error(`${variant} failed: ${result.stderr}`);
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Timing;
}

function main(): void {
  const path = resolve(
    process.argv[2] ?? process.env.SITEWATCH_BENCH_PAIR ?? '/tmp/sw/pairs/8192/t1.tif',
  );
  if (!existsSync(path)) {
    console.error(
      `decode bench: ${path} does not exist. Make the benchmark pair with\n` +
        `  /usr/bin/python3 ../shared/bench/gen_pair.py 8192 /tmp/sw/pairs\n` +
        `(needs python3-gdal, numpy, scipy, opencv) or name a GeoTIFF: npx tsx bench/decode.bench.ts FILE`,
    );
    process.exit(1);
  }
  const repetitions = Number(process.env.BENCH_REPETITIONS ?? 3);
  const gdal = spawnSync('gdalinfo', ['--version'], { encoding: 'utf8' });
  const hasGdal =
    gdal.status === 0 &&
    spawnSync('/usr/bin/python3', ['-c', 'from osgeo import gdal']).status === 0;
  const variants = VARIANTS.filter((v) => hasGdal || !v.startsWith('gdal'));
  if (!hasGdal) console.error('decode bench: no GDAL (gdal-bin + python3-gdal): GDAL not timed');
  const loadBefore = loadavg();
  const runs = Object.fromEntries(variants.map((v) => [v, [] as Timing[]])) as Record<
    Variant,
    Timing[]
  >;
  for (let rep = 0; rep < repetitions; rep += 1) {
    const order = [
      ...variants.slice(rep % variants.length),
      ...variants.slice(0, rep % variants.length),
    ];
    for (const variant of order) {
      const timing = runVariant(variant, path);
      runs[variant].push(timing);
      console.error(
        `rep ${rep + 1} ${variant}: ${timing.wallSeconds.toFixed(3)} s wall, ${timing.cpuSeconds.toFixed(3)} s CPU, load ${loadavg()[0]?.toFixed(2)}`,
      );
    }
  }
  const loadAfter = loadavg();
  const first = runs[variants[0] ?? 'sitewatch1'][0];
  const megapixels = ((first?.width ?? 0) * (first?.height ?? 0)) / 1e6;
  const summary: Partial<Record<Variant, Summary>> = {};
  for (const v of variants) {
    const wall = median(runs[v].map((t) => t.wallSeconds));
    const cpu = median(runs[v].map((t) => t.cpuSeconds));
    summary[v] = {
      medianWallSeconds: +wall.toFixed(3),
      medianCpuSeconds: +cpu.toFixed(3),
      mpixPerSecond: +(megapixels / wall).toFixed(1),
      mpixPerCpuSecond: +(megapixels / cpu).toFixed(1),
    };
  }
  const ratio = (a: Variant, b: Variant): number | null => {
    const [x, y] = [summary[a], summary[b]];
    return x && y ? +(x.mpixPerSecond / y.mpixPerSecond).toFixed(2) : null;
  };
  const result = {
    benchmark: 'decode',
    command: `npx tsx bench/decode.bench.ts ${process.argv[2] ?? ''}`.trim(),
    file: path,
    fileMegabytes: +(statSync(path).size / 1e6).toFixed(1),
    image: { width: first?.width, height: first?.height, bands: first?.bands },
    what: 'decode all bands of the whole image into one array per band; Mpix/s = width·height / wall seconds',
    peers: {
      geotiffjs: 'geotiff.js readRasters, published decoders (pako), one thread',
      sitewatchGeneral:
        'sitewatch before the fast path: geotiff.js with the bounded node:zlib decoder',
      gdal: hasGdal
        ? `${gdal.stdout.trim()} ReadAsArray via /usr/bin/python3, GDAL_NUM_THREADS=1 / 2`
        : null,
    },
    machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    repetitions,
    summary,
    ratios: {
      sitewatch1ToGeotiffjs: ratio('sitewatch1', 'geotiffjs'),
      sitewatch1ToGdal1: ratio('sitewatch1', 'gdal1'),
      sitewatch2ToGdal2: ratio('sitewatch2', 'gdal2'),
      sitewatch2ToSitewatch1: ratio('sitewatch2', 'sitewatch1'),
    },
    targets: { oneThreadMpixPerSecond: 40, twoThreadsMpixPerSecond: 70 },
    runs,
  };
  writeFileSync(join(repo, 'bench/results/decode.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`command: ${result.command}`);
  console.log(`machine: ${JSON.stringify(result.machine)}`);
  for (const v of variants) console.log(`${v.padEnd(17)} ${JSON.stringify(summary[v])}`);
  console.log(`ratios: ${JSON.stringify(result.ratios)}`);
}

const variantFlag = process.argv.indexOf('--variant');
if (variantFlag >= 0) {
  await child(process.argv[variantFlag + 1] as Variant, process.argv[variantFlag + 2] ?? '');
} else {
  main();
}
