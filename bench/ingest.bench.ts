/**
 * Ingest benchmark: `sitewatch images ingest` of the real GeoTIFFs in ../shared/data against the
 * peer `sha256sum` + `gdalinfo -stats` of the same files (what ingest does: hash and decode every
 * pixel for statistics), whole process, same run, median of N repetitions.
 *
 *   npm run bench:ingest            (needs ../shared/data and Debian gdal-bin)
 *
 * Writes bench/results/ingest.json with the machine and commit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineInfo, median } from './machine.ts';

const repo = resolve(import.meta.dirname, '..');
const shared = resolve(repo, '../shared/data');
const files = [
  'geotiff-rasterio/RGB.byte.tif',
  'geotiff-rasterio/cogeo.tif',
  'geotiff-rasterio/rgb1.tif',
  'geotiff-rasterio/rgb2.tif',
  'geotiff-rasterio/rgb3.tif',
  'geotiff-rasterio/rgb4.tif',
  'geotiff-rasterio/rgb1_fake_nir_epsg3857.tif',
  'geotiff-rasterio/shade.tif',
  'geotiff-rasterio/world.rgb.tif',
  'puerto-rico-maria/Pre_Event_Grids_In_TIFF/tile_0_107.tif',
  'puerto-rico-maria/Post_Event_Grids_In_TIFF/tile_0_107.tif',
  'open-cities-ai/images/665946_tile_920.tif',
].map((f) => join(shared, f));
const repetitions = Number(process.env.BENCH_REPETITIONS ?? 5);

if (!existsSync(shared)) {
  console.error(`bench:ingest: ${shared} is absent; this benchmark needs ../shared/data`);
  process.exit(1);
}
if (spawnSync('gdalinfo', ['--version']).status !== 0) {
  console.error('bench:ingest: needs gdalinfo (apt-get install gdal-bin)');
  process.exit(1);
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function sitewatchIngest(link: boolean): number {
  const home = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
  try {
    return time(() => {
      const args = [
        'bin/sitewatch.js',
        '--home',
        home,
        'images',
        'ingest',
        ...files,
        '--acquired-at',
        '2020-01-01',
        '--json',
      ];
      if (link) args.push('--link');
      const r = spawnSync(process.execPath, args, { cwd: repo, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`sitewatch failed: ${r.stderr}`);
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function peer(): number {
  return time(() => {
    execFileSync('sha256sum', files, { stdio: 'ignore' });
    for (const f of files) {
      execFileSync('gdalinfo', ['-stats', '--config', 'GDAL_PAM_ENABLED', 'NO', f], {
        stdio: 'ignore',
      });
    }
  });
}

const pixels = files.reduce((sum, f) => {
  const info = execFileSync('gdalinfo', ['-json', f], { encoding: 'utf8' });
  const json = JSON.parse(info) as { size: [number, number]; bands: unknown[] };
  return sum + json.size[0] * json.size[1] * json.bands.length;
}, 0);
const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);

const runs = { sitewatchCopy: [] as number[], sitewatchLink: [] as number[], peer: [] as number[] };
for (let i = 0; i < repetitions; i++) {
  runs.peer.push(peer());
  runs.sitewatchLink.push(sitewatchIngest(true));
  runs.sitewatchCopy.push(sitewatchIngest(false));
}
const result = {
  benchmark: 'ingest',
  command: 'npm run bench:ingest',
  peer: 'sha256sum + gdalinfo -stats (GDAL_PAM_ENABLED=NO), one process per file',
  gdal: execFileSync('gdalinfo', ['--version'], { encoding: 'utf8' }).trim(),
  machine: machineInfo(),
  files: files.length,
  megabytes: +(bytes / 1e6).toFixed(2),
  megasamples: +(pixels / 1e6).toFixed(2),
  repetitions,
  medianSeconds: {
    peer: +median(runs.peer).toFixed(3),
    sitewatchLink: +median(runs.sitewatchLink).toFixed(3),
    sitewatchCopy: +median(runs.sitewatchCopy).toFixed(3),
  },
  ratioToPeer: {
    sitewatchLink: +(median(runs.sitewatchLink) / median(runs.peer)).toFixed(2),
    sitewatchCopy: +(median(runs.sitewatchCopy) / median(runs.peer)).toFixed(2),
  },
  runs,
};
writeFileSync(join(repo, 'bench/results/ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result.medianSeconds), JSON.stringify(result.ratioToPeer));
