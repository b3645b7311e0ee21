/**
 * COG write benchmark: sitewatch's streaming COG writer against the peer
 * `gdal_translate -of COG -co COMPRESS=DEFLATE` on the same synthetic 4096² 4-band uint16 raster
 * (seeded smooth noise), in one run, median of N repetitions, the variants' order rotating
 * each repetition.
 *
 *   npx tsx bench/cog-write.bench.ts          (needs Debian gdal-bin)
 *
 * Both make 512² deflate tiles (level 6, no predictor) and average overviews down to one tile.
 * GDAL reads an uncompressed tiled GeoTIFF of the same pixels (written beforehand, not timed);
 * sitewatch gets the pixels from memory in 256-row strips. Also timed: sitewatch compressing on
 * the calling thread only (`maxTilesInFlight: 0`) and GDAL with `NUM_THREADS=ALL_CPUS`.
 * Besides wall-clock time it records CPU seconds (sitewatch: its own rusage, all threads; GDAL:
 * via /usr/bin/time when present) and the load average, since wall time on a shared machine
 * moves with whatever else runs. BENCH_REPETITIONS (default 3) and BENCH_SIDE (default 4096)
 * change the run. Writes bench/results/cog-write.json with the machine and commit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createCogWriter, type CogSpec } from '../src/adapters/cog-writer/cog-writer.ts';
import { syntheticBands } from '../src/adapters/cog-writer/synthetic-bands.ts';
import { SitewatchError } from '../src/core/errors.ts';
import type { PixelArray } from '../src/core/raster/raster.ts';
import { machineInfo, median } from './machine.ts';

const SIDE = Number(process.env.BENCH_SIDE ?? 4096);
const BANDS = 4;
const STRIP_ROWS = 256;
const repetitions = Number(process.env.BENCH_REPETITIONS ?? 3);
const repo = resolve(import.meta.dirname, '..');

if (spawnSync('gdal_translate', ['--version']).status !== 0) {
  console.error('cog-write bench: needs gdal_translate (apt-get install gdal-bin)');
  process.exit(1);
}

const baseSpec: CogSpec = {
  width: SIDE,
  height: SIDE,
  bandCount: BANDS,
  dataType: 'uint16',
  nodata: null,
  crs: 'EPSG:32618',
  geoTransform: [500000, 10, 0, 4500000, 0, -10],
  tileSize: 512,
  compression: 'deflate',
  deflateLevel: 6,
  overviews: 'auto',
  overviewResampling: 'average',
};

async function writeCog(
  path: string,
  bands: readonly PixelArray[],
  extra: Partial<CogSpec>,
): Promise<void> {
  const writer = await createCogWriter(path, { ...baseSpec, ...extra });
  for (let row = 0; row < SIDE; row += STRIP_ROWS) {
    const rows = Math.min(STRIP_ROWS, SIDE - row);
    await writer.writeRows(
      row,
      bands.map((band) => band.subarray(row * SIDE, (row + rows) * SIDE)),
    );
  }
  await writer.finish();
}

interface Timing {
  /** Wall-clock seconds. */
  readonly wall: number;
  /** CPU seconds (user + system, all threads); null when unknown. */
  readonly cpu: number | null;
}

async function timeSitewatch(
  out: string,
  bands: readonly PixelArray[],
  sync: boolean,
): Promise<Timing> {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await writeCog(out, bands, sync ? { maxTilesInFlight: 0 } : {});
  const cpu = process.cpuUsage(cpuStart);
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

const hasTimeCommand = spawnSync('/usr/bin/time', ['-f', '%U', 'true']).status === 0;

/** Runs gdal_translate, under /usr/bin/time when present to learn its CPU seconds. */
function timeGdal(source: string, target: string, threads: boolean): Timing {
  const options = [
    'COMPRESS=DEFLATE',
    'LEVEL=6',
    'BLOCKSIZE=512',
    'RESAMPLING=AVERAGE',
    'OVERVIEWS=AUTO',
  ];
  if (threads) options.push('NUM_THREADS=ALL_CPUS');
  const args = ['-q', '-of', 'COG', ...options.flatMap((o) => ['-co', o]), source, target];
  const command = hasTimeCommand
    ? ['/usr/bin/time', '-f', 'cpu %U %S', 'gdal_translate', ...args]
    : ['gdal_translate', ...args];
  const start = process.hrtime.bigint();
  const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0)
    throw new SitewatchError('IO', `gdal_translate failed: ${result.stderr}`);
  const match = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr);
  return { wall, cpu: match ? Number(match[1]) + Number(match[2]) : null };
}

const VARIANTS = ['sitewatch', 'sitewatchSync', 'gdal', 'gdalThreads'] as const;
type Variant = (typeof VARIANTS)[number];

function runVariant(
  variant: Variant,
  source: string,
  out: string,
  bands: readonly PixelArray[],
): Promise<Timing> | Timing {
  if (variant === 'gdal' || variant === 'gdalThreads')
    return timeGdal(source, out, variant === 'gdalThreads');
  return timeSitewatch(out, bands, variant === 'sitewatchSync');
}

function summarise(timings: readonly Timing[]): { wall: number; cpu: number | null } {
  const cpus = timings.map((t) => t.cpu).filter((c): c is number => c !== null);
  return { wall: median(timings.map((t) => t.wall)), cpu: cpus.length > 0 ? median(cpus) : null };
}

const work = mkdtempSync(join(tmpdir(), 'bench-cog-'));
try {
  console.log(`generating ${SIDE}² × ${BANDS} uint16 synthetic raster…`);
  const bands = syntheticBands({
    width: SIDE,
    height: SIDE,
    bandCount: BANDS,
    dataType: 'uint16',
    seed: 20240611,
  });
  const source = join(work, 'source.tif');
  await writeCog(source, bands, { compression: 'none', overviews: 0 });
  const loadBefore = loadavg();
  const runs = Object.fromEntries(VARIANTS.map((v) => [v, [] as Timing[]])) as Record<
    Variant,
    Timing[]
  >;
  const sizes: Partial<Record<Variant, number>> = {};
  for (let i = 0; i < repetitions; i++) {
    // Rotate the order each repetition so no variant always runs after the same one.
    const order = [
      ...VARIANTS.slice(i % VARIANTS.length),
      ...VARIANTS.slice(0, i % VARIANTS.length),
    ];
    for (const variant of order) {
      const out = join(work, `${variant}.tif`);
      rmSync(out, { force: true });
      const timing = await runVariant(variant, source, out, bands);
      runs[variant].push(timing);
      sizes[variant] = statSync(out).size;
      const cpu = timing.cpu === null ? '' : `, cpu ${timing.cpu.toFixed(2)} s`;
      console.log(
        `  ${variant.padEnd(14)} ${timing.wall.toFixed(2)} s${cpu}, ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB`,
      );
    }
  }
  const medians = Object.fromEntries(VARIANTS.map((v) => [v, summarise(runs[v])])) as Record<
    Variant,
    Timing
  >;
  const ratio = medians.sitewatch.wall / medians.gdal.wall;
  const cpuRatio =
    medians.sitewatch.cpu !== null && medians.gdal.cpu !== null
      ? medians.sitewatch.cpu / medians.gdal.cpu
      : null;
  console.log(
    `median wall: sitewatch ${medians.sitewatch.wall.toFixed(2)} s, gdal_translate ${medians.gdal.wall.toFixed(2)} s, ratio ${ratio.toFixed(2)}` +
      (cpuRatio === null ? '' : `; CPU ratio ${cpuRatio.toFixed(2)}`) +
      `; load average ${loadBefore[0]?.toFixed(1) ?? '?'} → ${loadavg()[0]?.toFixed(1) ?? '?'}`,
  );
  const result = {
    benchmark: 'cog-write',
    raster: {
      width: SIDE,
      height: SIDE,
      bands: BANDS,
      dataType: 'uint16',
      compression: 'deflate',
      level: 6,
      tileSize: 512,
    },
    peer: 'gdal_translate -of COG -co COMPRESS=DEFLATE -co LEVEL=6 -co BLOCKSIZE=512 -co RESAMPLING=AVERAGE',
    gdalVersion: execFileSync('gdal_translate', ['--version'], { encoding: 'utf8' }).trim(),
    repetitions,
    median: medians,
    runs,
    bytes: sizes,
    ratioSitewatchToGdalWall: ratio,
    ratioSitewatchToGdalCpu: cpuRatio,
    loadAverage1mBeforeAfter: [loadBefore[0], loadavg()[0]],
    machine: machineInfo(),
  };
  mkdirSync(join(repo, 'bench/results'), { recursive: true });
  writeFileSync(join(repo, 'bench/results/cog-write.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
