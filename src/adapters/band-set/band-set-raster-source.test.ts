import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import { REPO_ROOT, describeShared, sharedData } from '../../testing/shared-data.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { openBandSet } from './band-set-raster-source.ts';
import { groupBandFiles } from './group-band-files.ts';
import { SENTINEL2_BANDS } from '../../testing/sentinel2.ts';

const crs = new EpsgCrsRegistry();
const LIMITS = { maxPixels: 1_000_000 };
const raster = (...parts: string[]): string => join(REPO_ROOT, 'fixtures', 'raster', ...parts);
const SET = ['B02', 'B03', 'B05'].map((name) => ({
  name,
  path: raster('band-set', `T99XXX_20200101T000000_${name}.tif`),
}));

/** Fixture formula: (r·7 + c·3)·10 + offset, offsets 0 (B02), 1000 (B03), 2000 (B05 on its 20 m grid). */
const value = (row: number, col: number, offset: number): number =>
  (row * 7 + col * 3) * 10 + offset;

describe('openBandSet on the synthetic 10 m / 20 m set', () => {
  it('uses the finest grid and records each band’s native GSD', async () => {
    const source = await openBandSet(SET, LIMITS, crs);
    expect(source.description).toMatchObject({
      width: 10,
      height: 10,
      bandNames: ['B02', 'B03', 'B05'],
      bandNativeGsdMeters: [10, 10, 20],
      dataType: 'uint16',
      crs: 'EPSG:32618',
      geoTransform: [600000, 10, 0, 5000000, 0, -10],
    });
    await source.close();
  });

  it('reads fine bands directly and resamples the coarse band (bilinear by default)', async () => {
    const source = await openBandSet(SET, LIMITS, crs);
    const [b02, b03, b05] = await source.readWindow({ col0: 0, row0: 0, width: 10, height: 10 });
    expect(b02?.[4 * 10 + 7]).toBe(value(4, 7, 0));
    expect(b03?.[9 * 10 + 9]).toBe(value(9, 9, 1000));
    expect(b05).toBeInstanceOf(Uint16Array);
    // Fine pixel (3, 3) centre lies at coarse (1.25, 1.25); the pattern is linear, so bilinear is exact.
    expect(b05?.[3 * 10 + 3]).toBe(value(1.25, 1.25, 2000));
    // A sub-window gives the same values as the whole read.
    const [part] = await source.readWindow(
      { col0: 3, row0: 2, width: 4, height: 5 },
      { bands: [2] },
    );
    expect(Array.from(part ?? [])).toEqual(
      [2, 3, 4, 5, 6].flatMap((r) => [3, 4, 5, 6].map((c) => b05?.[r * 10 + c])),
    );
    await source.close();
  });

  it('can resample with nearest neighbour', async () => {
    const source = await openBandSet(SET, LIMITS, crs, { resampling: 'nearest' });
    const [b05] = await source.readWindow(
      { col0: 0, row0: 0, width: 10, height: 10 },
      { bands: [2] },
    );
    for (const [r, c] of [
      [0, 0],
      [3, 8],
      [9, 9],
    ] as const) {
      expect(b05?.[r * 10 + c]).toBe(value(Math.floor(r / 2), Math.floor(c / 2), 2000));
    }
    await source.close();
  });

  it('rejects bands over different extents, naming both files and their extents', async () => {
    const shifted = {
      name: 'B03',
      path: raster('band-set-shifted', 'T99YYY_20200101T000000_B03.tif'),
    };
    const attempt = openBandSet([SET[0]!, shifted], LIMITS, crs);
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(openBandSet([SET[0]!, shifted], LIMITS, crs)).rejects.toThrow(
      /T99XXX_20200101T000000_B02\.tif covers \[600000, 4999900, 600100, 5000000\] and .*T99YYY_20200101T000000_B03\.tif covers \[600050/,
    );
  });

  it('rejects mixed CRSs, multi-band files and duplicate names', async () => {
    await expect(
      openBandSet([SET[0]!, { name: 'B04', path: raster('float32-zstd-27700.tif') }], LIMITS, crs),
    ).rejects.toThrow(/B02\.tif is in EPSG:32618, .*float32-zstd-27700\.tif is in EPSG:27700/);
    await expect(
      openBandSet(
        [SET[0]!, { name: 'B04', path: raster('rgb-uint8-deflate-tiled-32618.tif') }],
        LIMITS,
        crs,
      ),
    ).rejects.toThrow(/has 3 bands/);
    await expect(openBandSet([SET[0]!, { ...SET[1]!, name: 'B02' }], LIMITS, crs)).rejects.toThrow(
      /unique/,
    );
    await expect(openBandSet([], LIMITS, crs)).rejects.toThrow(ValidationError);
  });

  it.runIf(existsSync('/proc/self/fd'))(
    'closes every opened file when the set is rejected',
    async () => {
      const before = readdirSync('/proc/self/fd').length;
      await expect(
        openBandSet(
          [
            ...SET,
            { name: 'B04', path: raster('band-set-shifted', 'T99YYY_20200101T000000_B03.tif') },
          ],
          LIMITS,
          crs,
        ),
      ).rejects.toThrow(ValidationError);
      expect(readdirSync('/proc/self/fd').length).toBe(before);
    },
  );
});

describeShared('openBandSet on OSCD Sentinel-2 bands', () => {
  const folder = (city: string): string => sharedData('oscd', 'images', city, 'imgs_1');
  const bandsOf = (city: string) => {
    const paths = readdirSync(folder(city)).map((name) => join(folder(city), name));
    const [set] = groupBandFiles(paths).bandSets;
    if (set === undefined) throw new Error(`no band set in ${folder(city)}`);
    return set.bands;
  };

  it('opens the 13 bercy bands of one date as one 360×395 uint16 EPSG:4326 image', async () => {
    const bands = bandsOf('bercy');
    const source = await openBandSet(bands, LIMITS, crs);
    const { description } = source;
    expect(description).toMatchObject({
      width: 360,
      height: 395,
      dataType: 'uint16',
      crs: 'EPSG:4326',
    });
    expect(description.bandNames).toEqual(SENTINEL2_BANDS);
    const gsd = description.bandNativeGsdMeters;
    expect(gsd[1]).toBeGreaterThan(9);
    expect(gsd[1]).toBeLessThan(12);
    expect(gsd[0]).toBeGreaterThan(55);
    expect(gsd[4]).toBeGreaterThan(18);
    // gdal: B01[0, 0] = 1826 (the top-left fine pixel samples only it); B02 row 0 = 1331, 1388, 1416.
    const [b01, b02] = await source.readWindow(
      { col0: 0, row0: 0, width: 3, height: 1 },
      { bands: [0, 1] },
    );
    expect(b01?.[0]).toBe(1826);
    expect(Array.from(b02 ?? [])).toEqual([1331, 1388, 1416]);
    await source.close();
  });

  it('fails clearly when bands of different scenes are mixed (bercy B02 with rennes B03)', async () => {
    const b02 = bandsOf('bercy').find((b) => b.name === 'B02');
    const b03 = bandsOf('rennes').find((b) => b.name === 'B03');
    await expect(openBandSet([b02!, b03!], LIMITS, crs)).rejects.toThrow(
      /do not cover the same extent.*bercy.*rennes/,
    );
  });
});
