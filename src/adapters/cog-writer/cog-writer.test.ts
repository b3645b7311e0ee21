/**
 * Round trips through geotiff.js: every pixel of every level, overview count, georeferencing,
 * nodata and tile structure, for each data type, band count, interleave and CRS kind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { fromFile, type GeoTIFFImage } from 'geotiff';
import { afterAll, describe, expect, it } from 'vitest';
import type { CogSpec } from './cog-writer.ts';
import { bytesOf, expectedPyramid, testBands, writeTestCog } from './cog-test-support.ts';
import type { PixelArray } from '../../core/raster/raster.ts';

const work = mkdtempSync(join(tmpdir(), 'cog-writer-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const utm: Pick<CogSpec, 'crs' | 'geoTransform'> = {
  crs: 'EPSG:32618',
  geoTransform: [500000, 10, 0, 4500000, 0, -10],
};
const lonLat: Pick<CogSpec, 'crs' | 'geoTransform'> = {
  crs: 'EPSG:4326',
  geoTransform: [-75, 0.001, 0, 40, 0, -0.001],
};
const mercator: Pick<CogSpec, 'crs' | 'geoTransform'> = {
  crs: 'EPSG:3857',
  geoTransform: [-8348961, 2.5, 0, 4865942, 0, -2.5],
};
const pixelOnly: Pick<CogSpec, 'crs' | 'geoTransform'> = { crs: null, geoTransform: null };
const small = { width: 300, height: 200, tileSize: 64 } as const;

const cases: readonly (readonly [string, CogSpec])[] = [
  [
    'uint8 mask, nodata 255, nearest, EPSG:4326',
    { ...small, ...lonLat, bandCount: 1, dataType: 'uint8', nodata: 255 },
  ],
  [
    'int8, 4 bands, pixel-only',
    {
      ...small,
      ...pixelOnly,
      bandCount: 4,
      dataType: 'int8',
      nodata: null,
      overviewResampling: 'average',
    },
  ],
  [
    'uint16, 4 bands, nodata 0, average, predictor, 1000×700 / 256',
    {
      width: 1000,
      height: 700,
      tileSize: 256,
      ...utm,
      bandCount: 4,
      dataType: 'uint16',
      nodata: 0,
      overviewResampling: 'average',
      predictor: true,
    },
  ],
  [
    'uint16, 4 bands, band interleave, no compression',
    {
      ...small,
      ...mercator,
      bandCount: 4,
      dataType: 'uint16',
      nodata: null,
      interleave: 'band',
      compression: 'none',
    },
  ],
  [
    'int16, nodata -9999, average, predictor, band interleave',
    {
      ...small,
      ...mercator,
      bandCount: 2,
      dataType: 'int16',
      nodata: -9999,
      overviewResampling: 'average',
      predictor: true,
      interleave: 'band',
    },
  ],
  [
    'uint32, 3 bands, predictor',
    {
      ...small,
      ...utm,
      bandCount: 3,
      dataType: 'uint32',
      nodata: 7,
      overviewResampling: 'average',
      predictor: true,
    },
  ],
  [
    'int32, pixel-only, BigTIFF',
    { ...small, ...pixelOnly, bandCount: 1, dataType: 'int32', nodata: null, bigTiff: 'always' },
  ],
  [
    'float32 magnitude, NaN nodata, average, predictor 3',
    {
      ...small,
      ...utm,
      bandCount: 1,
      dataType: 'float32',
      nodata: Number.NaN,
      overviewResampling: 'average',
      predictor: true,
    },
  ],
  [
    'float32, 4 bands, nodata -1, predictor 3, synchronous',
    {
      ...small,
      ...lonLat,
      bandCount: 4,
      dataType: 'float32',
      nodata: -1,
      overviewResampling: 'average',
      predictor: true,
      maxTilesInFlight: 0,
    },
  ],
  [
    'float64, 2 bands, band interleave, predictor 3',
    {
      ...small,
      ...mercator,
      bandCount: 2,
      dataType: 'float64',
      nodata: -1e30,
      overviewResampling: 'average',
      predictor: true,
      interleave: 'band',
    },
  ],
  [
    'float64, 3 bands, pixel interleave, no nodata',
    {
      ...small,
      ...pixelOnly,
      bandCount: 3,
      dataType: 'float64',
      nodata: null,
      overviewResampling: 'average',
    },
  ],
  [
    'one tile, no overviews',
    { width: 50, height: 40, tileSize: 64, ...utm, bandCount: 1, dataType: 'uint8', nodata: null },
  ],
];

async function readLevel(image: GeoTIFFImage): Promise<PixelArray[]> {
  const rasters = await image.readRasters({ interleave: false });
  return Array.from(rasters as unknown as ArrayLike<PixelArray>);
}

describe('createCogWriter → geotiff.js', () => {
  it.each(cases)('%s', async (name, spec) => {
    const path = join(work, `${name.replace(/\W+/g, '-')}.tif`);
    const bands = testBands(spec, 17);
    await writeTestCog(path, spec, bands);
    const expected = expectedPyramid(spec, bands);
    const tiff = await fromFile(path);
    try {
      expect(await tiff.getImageCount()).toBe(expected.length);
      for (let level = 0; level < expected.length; level++) {
        const image = await tiff.getImage(level);
        const want = expected[level]!;
        expect([image.getWidth(), image.getHeight()]).toEqual([
          Math.ceil(spec.width / 2 ** level),
          Math.ceil(spec.height / 2 ** level),
        ]);
        expect(image.getTileWidth()).toBe(spec.tileSize);
        const got = await readLevel(image);
        expect(got).toHaveLength(spec.bandCount);
        got.forEach((band, b) => {
          expect(band.constructor).toBe(want[b]!.constructor);
          expect(bytesOf(band).equals(bytesOf(want[b]!)), `level ${level} band ${b}`).toBe(true);
        });
      }
      await checkGeoreference(await tiff.getImage(0), spec);
    } finally {
      await tiff.close();
    }
  });
});

describe('createCogWriter → geotiff.js, any size', () => {
  it('round-trips every level for random sizes, tile sizes and layouts (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 90 }),
        fc.constantFrom(16, 32),
        fc.constantFrom<'pixel' | 'band'>('pixel', 'band'),
        fc.integer({ min: 1, max: 3 }),
        async (width, height, tileSize, interleave, bandCount) => {
          const spec: CogSpec = {
            width,
            height,
            tileSize,
            interleave,
            bandCount,
            dataType: 'int16',
            nodata: -1,
            crs: null,
            geoTransform: null,
            overviewResampling: 'average',
            predictor: true,
          };
          const path = join(work, `random-${run++}.tif`);
          const bands = testBands(spec, run);
          await writeTestCog(path, spec, bands);
          const expected = expectedPyramid(spec, bands);
          const tiff = await fromFile(path);
          try {
            expect(await tiff.getImageCount()).toBe(expected.length);
            for (const [level, want] of expected.entries()) {
              const got = await readLevel(await tiff.getImage(level));
              got.forEach((band, b) => {
                expect(bytesOf(band).equals(bytesOf(want[b]!)), `level ${level} band ${b}`).toBe(
                  true,
                );
              });
            }
          } finally {
            await tiff.close();
          }
        },
      ),
      { seed: 7, numRuns: 25 },
    );
  });
});

async function checkGeoreference(image: GeoTIFFImage, spec: CogSpec): Promise<void> {
  const nodata = image.getGDALNoData();
  if (spec.nodata === null) expect(nodata).toBeNull();
  else expect(Object.is(nodata, spec.nodata)).toBe(true);
  const keys = image.getGeoKeys();
  if (spec.crs === null) {
    expect(keys).toBeNull();
    expect(image.fileDirectory.hasTag('ModelTiepoint')).toBe(false);
    return;
  }
  const code = Number(spec.crs.split(':')[1]);
  if (code === 4326)
    expect(keys).toMatchObject({
      GTModelTypeGeoKey: 2,
      GTRasterTypeGeoKey: 1,
      GeographicTypeGeoKey: 4326,
    });
  else
    expect(keys).toMatchObject({
      GTModelTypeGeoKey: 1,
      GTRasterTypeGeoKey: 1,
      ProjectedCSTypeGeoKey: code,
    });
  const t = spec.geoTransform!;
  expect(image.getOrigin()).toEqual([t[0], t[3], 0]);
  expect(image.getResolution()).toEqual([t[1], t[5], 0]);
  expect(await image.fileDirectory.loadValue('PlanarConfiguration')).toBe(
    spec.interleave === 'band' ? 2 : 1,
  );
}
