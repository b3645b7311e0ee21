import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import type { PixelArray, PixelWindow } from '../../core/raster/raster.ts';
import {
  bytesOf,
  expectedPyramid,
  testBands,
  writeTestCog,
} from '../cog-writer/cog-test-support.ts';
import type { CogSpec } from '../cog-writer/cog-writer.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { openGeoTiff, type OpenGeoTiffOptions } from './geotiff-raster-source.ts';

const crs = new EpsgCrsRegistry();
const LIMITS = { maxPixels: 10_000_000 };
const temp = mkdtempSync(join(tmpdir(), 'sitewatch-geotiff-overviews-'));
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

const BASE: CogSpec = {
  width: 300,
  height: 200,
  bandCount: 3,
  dataType: 'uint16',
  nodata: 0,
  crs: 'EPSG:32631',
  geoTransform: [500000, 10, 0, 5000000, 0, -10],
  tileSize: 64,
  overviewResampling: 'average',
  predictor: true,
  maxTilesInFlight: 0,
};

/** `window` cut out of a row-major `width`-wide array. */
function crop(array: PixelArray | undefined, width: number, window: PixelWindow): Buffer {
  const rows: Buffer[] = [];
  for (let r = 0; r < window.height; r += 1) {
    const start = (window.row0 + r) * width + window.col0;
    rows.push(bytesOf((array ?? new Uint8Array(0)).subarray(start, start + window.width)));
  }
  return Buffer.concat(rows);
}

async function writeCog(
  name: string,
  spec: CogSpec,
): Promise<{ path: string; pyramid: PixelArray[][] }> {
  const path = join(temp, name);
  const bands = testBands(spec, 7);
  await writeTestCog(path, spec, bands);
  return { path, pyramid: expectedPyramid(spec, bands) };
}

describe('GeoTIFF overviews and the decoded-block cache', () => {
  it('lists a COG’s overviews and reads windows of each, in their own pixels', async () => {
    const { path, pyramid } = await writeCog('uint16.tif', BASE);
    const source = await openGeoTiff(path, LIMITS, crs);
    try {
      expect(source.overviews).toEqual([
        { width: 150, height: 100 },
        { width: 75, height: 50 },
        { width: 38, height: 25 },
      ]);
      expect(source.description.layout.overviewCount).toBe(3);
      const window = { col0: 10, row0: 5, width: 15, height: 20 };
      for (const [index, size] of (source.overviews ?? []).entries()) {
        const arrays = await source.readOverviewWindow?.(index, window, { bands: [2, 0] });
        expect(arrays?.map((a) => bytesOf(a))).toEqual([
          crop(pyramid[index + 1]?.[2], size.width, window),
          crop(pyramid[index + 1]?.[0], size.width, window),
        ]);
      }
      const bad = source.readOverviewWindow?.(3, window);
      await expect(bad).rejects.toThrow(ValidationError);
      await expect(bad).rejects.toThrow(/overview 3 is not one of its 3 overviews/);
    } finally {
      await source.close();
    }
  });

  it('a file without overviews lists none', async () => {
    const { path } = await writeCog('no-overviews.tif', { ...BASE, overviews: 0 });
    const source = await openGeoTiff(path, LIMITS, crs);
    try {
      expect(source.overviews).toEqual([]);
    } finally {
      await source.close();
    }
  });

  const cases: [string, CogSpec][] = [
    ['uint16, horizontal predictor', BASE],
    ['uint8, band-interleaved', { ...BASE, dataType: 'uint8', interleave: 'band' }],
  ];
  for (const [label, spec] of cases) {
    it(`${label}: windows read again from cached blocks equal the written pixels`, async () => {
      const { path, pyramid } = await writeCog(`cache-${spec.dataType}.tif`, spec);
      const windows: PixelWindow[] = [
        { col0: 40, row0: 30, width: 100, height: 90 },
        { col0: 50, row0: 35, width: 120, height: 100 },
        { col0: 40, row0: 30, width: 100, height: 90 },
        { col0: 0, row0: 0, width: 300, height: 200 },
      ];
      const variants: OpenGeoTiffOptions[] = [
        { blockCacheBytes: 0 },
        {},
        // Room for two blocks only: evictions between and within windows.
        { blockCacheBytes: 2 * 64 * 64 * 3 * 4 },
      ];
      for (const options of variants) {
        const source = await openGeoTiff(path, LIMITS, crs, { decodeThreads: 1, ...options });
        try {
          for (const window of windows) {
            const arrays = await source.readWindow(window, { bands: [1, 2] });
            expect(arrays.map((a) => bytesOf(a))).toEqual([
              crop(pyramid[0]?.[1], spec.width, window),
              crop(pyramid[0]?.[2], spec.width, window),
            ]);
          }
        } finally {
          await source.close();
        }
      }
    });
  }

  it('refuses a negative block cache size, naming it', async () => {
    const { path } = await writeCog('bad-cache.tif', BASE);
    await expect(openGeoTiff(path, LIMITS, crs, { blockCacheBytes: -1 })).rejects.toThrow(
      /decoded block cache size -1/,
    );
  });
});
