/**
 * What GDAL makes of the writer's files: `gdalinfo` (LAYOUT=COG, geotransform, EPSG code,
 * nodata, bands, descriptions, metadata, overviews, and no warnings), every pixel of every level
 * as GDAL decodes it (`gdal_translate -of ENVI [-ovr k]`), and GDAL's COG validator
 * (osgeo_utils.samples.validate_cloud_optimized_geotiff from python3-gdal, full check of the
 * tile leaders and trailers). Skips with a message when GDAL's command-line tools are absent
 * (they are fixtures, never a dependency).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CogSpec } from './cog-writer.ts';
import { bytesOf, expectedPyramid, testBands, writeTestCog } from './cog-test-support.ts';
import type { PixelArray } from '../../core/raster/raster.ts';

const hasGdal = spawnSync('gdalinfo', ['--version']).status === 0;
const VALIDATOR = 'osgeo_utils.samples.validate_cloud_optimized_geotiff';
const validatorPython = ['python3', '/usr/bin/python3'].find(
  (python) => hasGdal && spawnSync(python, ['-c', `import ${VALIDATOR}`]).status === 0,
);

const describeGdal = hasGdal ? describe : describe.skip;
const suffix = hasGdal ? '' : ' (skipped: gdalinfo is not installed; apt-get install gdal-bin)';

interface GdalInfo {
  readonly size: [number, number];
  readonly geoTransform?: number[];
  readonly stac?: Record<string, unknown>;
  readonly coordinateSystem?: { wkt: string };
  readonly metadata: Record<string, Record<string, string>>;
  readonly bands: {
    readonly type: string;
    readonly description?: string;
    readonly noDataValue?: number | string;
    readonly overviews?: { size: [number, number] }[];
  }[];
}

function run(command: string, args: string[]): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  expect(result.status, `${command} ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return { stdout: result.stdout, stderr: result.stderr };
}

const work = hasGdal ? mkdtempSync(join(tmpdir(), 'cog-writer-gdal-')) : '';
afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

const cases: readonly (readonly [string, CogSpec])[] = [
  [
    'uint8 mask EPSG:4326',
    {
      width: 300,
      height: 200,
      tileSize: 64,
      crs: 'EPSG:4326',
      geoTransform: [-75, 0.001, 0, 40, 0, -0.001],
      bandCount: 1,
      dataType: 'uint8',
      nodata: 255,
    },
  ],
  [
    'uint16 4 bands EPSG:32618',
    {
      width: 1000,
      height: 700,
      tileSize: 256,
      crs: 'EPSG:32618',
      geoTransform: [500000, 10, 0, 4500000, 0, -10],
      bandCount: 4,
      dataType: 'uint16',
      nodata: 0,
      predictor: true,
      overviewResampling: 'average',
      bandDescriptions: ['blue', 'green', 'red & <nir>', 'nir'],
      metadata: { SITEWATCH_PRODUCT: 'change "mask" & <magnitude>' },
    },
  ],
  [
    'float32 NaN EPSG:3857',
    {
      width: 300,
      height: 200,
      tileSize: 64,
      crs: 'EPSG:3857',
      geoTransform: [-8348961, 2.5, 0, 4865942, 0, -2.5],
      bandCount: 1,
      dataType: 'float32',
      nodata: Number.NaN,
      predictor: true,
      overviewResampling: 'average',
    },
  ],
  [
    'int8 pixel-only',
    {
      width: 200,
      height: 150,
      tileSize: 32,
      crs: null,
      geoTransform: null,
      bandCount: 2,
      dataType: 'int8',
      nodata: -128,
    },
  ],
  [
    'float64 rotated band-interleaved BigTIFF',
    {
      width: 150,
      height: 100,
      tileSize: 32,
      crs: 'EPSG:32618',
      geoTransform: [500000, 8, 2, 4500000, 2, -8],
      bandCount: 3,
      dataType: 'float64',
      nodata: null,
      predictor: true,
      interleave: 'band',
      overviewResampling: 'average',
      bigTiff: 'always',
    },
  ],
  [
    'int16 band-interleaved uncompressed',
    {
      width: 130,
      height: 70,
      tileSize: 16,
      crs: 'EPSG:32618',
      geoTransform: [500000, 10, 0, 4500000, 0, -10],
      bandCount: 2,
      dataType: 'int16',
      nodata: -9999,
      interleave: 'band',
      compression: 'none',
      overviewResampling: 'average',
    },
  ],
];

/** Pixels of one level as GDAL decodes them, band-sequential. */
function gdalPixels(path: string, level: number, name: string): Buffer {
  const out = join(work, `${name}-level${level}.bin`);
  const overview = level > 0 ? ['-ovr', String(level - 1)] : [];
  // BSQ whatever the source layout; a plain north-up grid because ENVI's writer refuses
  // the skewed geotransform of a rotated grid's overviews.
  const options = ['-co', 'INTERLEAVE=BSQ', '-a_ullr', '0', '0', '1', '-1'];
  run('gdal_translate', ['-q', '-of', 'ENVI', ...options, ...overview, path, out]);
  return readFileSync(out);
}

describeGdal(`COG writer output read by GDAL${suffix}`, () => {
  const validatorNote =
    validatorPython === undefined ? ' (COG validator skipped: python3-gdal is not installed)' : '';
  it.each(cases)(`%s${validatorNote}`, (name, spec) => checkWithGdal(name, spec));
});

async function checkWithGdal(name: string, spec: CogSpec): Promise<void> {
  const file = name.replace(/\W+/g, '-');
  const path = join(work, `${file}.tif`);
  const bands = testBands(spec, 29);
  await writeTestCog(path, spec, bands);
  const { stdout, stderr } = run('gdalinfo', ['-json', '-mdd', 'all', path]);
  expect(stderr, 'GDAL printed warnings').toBe('');
  // -checksum decodes every tile of every level: any complaint shows on stderr.
  expect(run('gdalinfo', ['-checksum', path]).stderr, 'GDAL warnings while decoding').toBe('');
  const info = JSON.parse(stdout) as GdalInfo;
  checkInfo(info, spec);
  if (validatorPython !== undefined) {
    const validator = run(validatorPython, ['-m', VALIDATOR, '--full-check=yes', path]);
    expect(validator.stdout).toContain('is a valid cloud optimized GeoTIFF');
    expect(validator.stdout + validator.stderr).not.toMatch(/warning|error/i);
  }
  const expected = expectedPyramid(spec, bands);
  expect(info.bands[0]!.overviews ?? []).toHaveLength(expected.length - 1);
  expected.forEach((level, index) => {
    const want = Buffer.concat(level.map((band: PixelArray) => bytesOf(band)));
    expect(gdalPixels(path, index, file).equals(want), `level ${index}`).toBe(true);
  });
}

function checkInfo(info: GdalInfo, spec: CogSpec): void {
  expect(info.metadata.IMAGE_STRUCTURE).toEqual({
    LAYOUT: 'COG',
    ...(spec.compression === 'none' ? {} : { COMPRESSION: 'DEFLATE' }),
    ...(spec.predictor === true
      ? { PREDICTOR: spec.dataType.startsWith('float') ? '3' : '2' }
      : {}),
    INTERLEAVE: spec.interleave === 'band' || spec.bandCount === 1 ? 'BAND' : 'PIXEL',
  });
  expect(info.size).toEqual([spec.width, spec.height]);
  expect(info.bands).toHaveLength(spec.bandCount);
  if (spec.geoTransform) expect(info.geoTransform).toEqual([...spec.geoTransform]);
  else expect(info.geoTransform).toBeUndefined();
  if (spec.crs) expect(info.stac?.['proj:epsg']).toBe(Number(spec.crs.split(':')[1]));
  else expect(info.coordinateSystem?.wkt ?? '').toBe('');
  for (const [b, band] of info.bands.entries()) {
    if (spec.nodata === null) expect(band.noDataValue).toBeUndefined();
    else if (Number.isNaN(spec.nodata)) expect(band.noDataValue).toBe('NaN');
    else expect(band.noDataValue).toBe(spec.nodata);
    if (spec.bandDescriptions) expect(band.description).toBe(spec.bandDescriptions[b]);
  }
  for (const [key, value] of Object.entries(spec.metadata ?? {}))
    expect(info.metadata['']?.[key]).toBe(value);
}
