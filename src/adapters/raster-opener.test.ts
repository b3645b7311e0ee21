import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnknownCrsError } from '../core/errors.ts';
import { REPO_ROOT } from '../testing/shared-data.ts';
import { EpsgCrsRegistry } from './crs/epsg-crs-registry.ts';
import { FileRasterOpener } from './raster-opener.ts';

const raster = (...parts: string[]): string => join(REPO_ROOT, 'fixtures', 'raster', ...parts);
const opener = new FileRasterOpener(new EpsgCrsRegistry(), { bandSetResampling: 'nearest' });
const LIMITS = { maxPixels: 1_000_000 };

describe('FileRasterOpener', () => {
  it('opens a GeoTIFF, using the --crs fallback only when the file names no known CRS', async () => {
    const tiff = await opener.open(
      { kind: 'geotiff', path: raster('rgb-uint8-deflate-tiled-32618.tif') },
      LIMITS,
    );
    expect(tiff.description.crs).toBe('EPSG:32618');
    await tiff.close();
    await expect(
      opener.open({ kind: 'geotiff', path: raster('user-defined-crs.tif') }, LIMITS),
    ).rejects.toThrow(UnknownCrsError);
    const fallback = await opener.open(
      { kind: 'geotiff', path: raster('user-defined-crs.tif'), crs: 'EPSG:4326' },
      LIMITS,
    );
    expect(fallback.description.crs).toBe('EPSG:4326');
    await fallback.close();
  });

  it('opens a PNG with a world file', async () => {
    const image = await opener.open(
      {
        kind: 'world-file-image',
        path: raster('rgb-32618.png'),
        format: 'png',
        worldFilePath: raster('rgb-32618.pgw'),
        crs: 'EPSG:32618',
      },
      LIMITS,
    );
    expect(image.description).toMatchObject({
      crs: 'EPSG:32618',
      bandNames: ['red', 'green', 'blue'],
    });
    await image.close();
  });

  it('opens a band set with the configured resampling', async () => {
    const bands = ['B02', 'B05'].map((name) => ({
      name,
      path: raster('band-set', `T99XXX_20200101T000000_${name}.tif`),
    }));
    const set = await opener.open({ kind: 'band-set', bands }, LIMITS);
    const [, b05] = await set.readWindow({ col0: 1, row0: 1, width: 1, height: 1 });
    // Nearest: fine (1, 1) lies in coarse (0, 0), whose value is the fixture offset 2000.
    expect(b05?.[0]).toBe(2000);
    await set.close();
  });
});
