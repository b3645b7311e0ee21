import { expect, it } from 'vitest';
import { UnknownCrsError } from '../../core/errors.ts';
import type { RasterSource } from '../../core/raster/raster.ts';
import { describeShared, sharedData } from '../../testing/shared-data.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { openGeoTiff } from './geotiff-raster-source.ts';

const crs = new EpsgCrsRegistry();
const LIMITS = { maxPixels: 10_000_000 };

async function withSource<T>(
  path: string,
  body: (source: RasterSource) => T | Promise<T>,
): Promise<T> {
  const source = await openGeoTiff(path, LIMITS, crs);
  try {
    return await body(source);
  } finally {
    await source.close();
  }
}

describeShared('openGeoTiff on real GeoTIFFs', () => {
  /** Values from `gdal.Open(path).ReadAsArray(x, y, w, h)` (GDAL 3.6), computed once. */
  it('RGB.byte.tif: EPSG:32618, 791×718, 3 uint8 bands, nodata 0, GDAL-identical pixels', async () => {
    await withSource(sharedData('geotiff-rasterio', 'RGB.byte.tif'), async (source) => {
      expect(source.description).toMatchObject({
        width: 791,
        height: 718,
        bandNames: ['red', 'green', 'blue'],
        dataType: 'uint8',
        nodata: 0,
        crs: 'EPSG:32618',
      });
      const arrays = await source.readWindow({ col0: 300, row0: 300, width: 4, height: 2 });
      expect(arrays.map((a) => Array.from(a))).toEqual([
        [35, 41, 41, 35, 26, 29, 62, 44],
        [56, 69, 75, 71, 33, 35, 77, 62],
        [26, 37, 41, 38, 21, 22, 41, 34],
      ]);
    });
  });

  it('rgb1.tif: a user-defined "UTM Zone 18, Northern Hemisphere" on WGS 84 is EPSG:32618', async () => {
    await withSource(sharedData('geotiff-rasterio', 'rgb1.tif'), async (source) => {
      expect(source.description.crs).toBe('EPSG:32618');
      expect(source.description.geoTransform?.[1]).toBeCloseTo(300.0379, 3);
      const [red] = await source.readWindow(
        { col0: 0, row0: 0, width: 1, height: 1 },
        { bands: [0] },
      );
      expect(red).toHaveLength(1);
    });
  });

  it('cogeo.tif: EPSG:3857 COG, 0.597 m pixels, 6 overviews, YCbCr JPEG close to GDAL', async () => {
    await withSource(sharedData('geotiff-rasterio', 'cogeo.tif'), async (source) => {
      const { description } = source;
      expect(description.crs).toBe('EPSG:3857');
      expect(description.geoTransform?.[1]).toBeCloseTo(0.597164, 5);
      expect(description.layout).toMatchObject({
        tiled: true,
        compression: 'jpeg',
        overviewCount: 6,
        cloudOptimized: true,
      });
      const arrays = await source.readWindow({ col0: 512, row0: 512, width: 64, height: 64 });
      const gdalMeans = [133.6376953125, 141.637939453125, 147.803466796875];
      arrays.forEach((array, band) => {
        const mean = Array.from(array).reduce((a, b) => a + b, 0) / array.length;
        expect(Math.abs(mean - (gdalMeans[band] ?? 0))).toBeLessThan(1);
      });
      const [red, green, blue] = await source.readWindow({
        col0: 600,
        row0: 600,
        width: 4,
        height: 1,
      });
      const gdal = [
        [35, 40, 48, 51],
        [54, 59, 66, 69],
        [68, 73, 80, 83],
      ];
      [red, green, blue].forEach((array, band) => {
        Array.from(array ?? []).forEach((value, i) => {
          expect(Math.abs(value - (gdal[band]?.[i] ?? 0))).toBeLessThanOrEqual(16);
        });
      });
    });
  });

  it('tile_0_107.tif (Puerto Rico): EPSG:32619, DEFLATE tiles identical to GDAL', async () => {
    await withSource(
      sharedData('puerto-rico-maria', 'Pre_Event_Grids_In_TIFF', 'tile_0_107.tif'),
      async (source) => {
        expect(source.description.crs).toBe('EPSG:32619');
        const arrays = await source.readWindow({ col0: 300, row0: 260, width: 4, height: 2 });
        expect(arrays.map((a) => Array.from(a))).toEqual([
          [152, 144, 141, 141, 164, 152, 144, 140],
          [148, 140, 141, 147, 164, 148, 138, 137],
          [149, 137, 131, 132, 160, 144, 135, 133],
        ]);
      },
    );
  });

  it('665946_tile_920.tif (Open Cities): EPSG:4326, 4 bands, LZW striped', async () => {
    await withSource(
      sharedData('open-cities-ai', 'images', '665946_tile_920.tif'),
      async (source) => {
        expect(source.description).toMatchObject({
          crs: 'EPSG:4326',
          bandNames: ['red', 'green', 'blue', 'alpha'],
          layout: { tiled: false, compression: 'lzw' },
        });
        const arrays = await source.readWindow({ col0: 500, row0: 701, width: 4, height: 2 });
        expect(arrays.map((a) => Array.from(a))).toEqual([
          [112, 113, 111, 109, 112, 111, 110, 111],
          [97, 97, 95, 94, 96, 95, 94, 95],
          [71, 73, 71, 70, 69, 69, 69, 70],
          [255, 255, 255, 255, 255, 255, 255, 255],
        ]);
      },
    );
  });

  it('world.rgb.tif: EPSG:4326 global grid', async () => {
    await withSource(sharedData('geotiff-rasterio', 'world.rgb.tif'), async (source) => {
      expect(source.description).toMatchObject({
        crs: 'EPSG:4326',
        geoTransform: [-180, 0.703125, 0, 90, 0, -0.703125],
      });
      const [red] = await source.readWindow(
        { col0: 250, row0: 100, width: 4, height: 2 },
        { bands: [0] },
      );
      expect(Array.from(red ?? [])).toEqual([202, 200, 200, 204, 203, 200, 201, 203]);
    });
  });

  it('goes.tif: a clear UnknownCrsError for its user-defined geostationary CRS, with the --crs hint', async () => {
    const path = sharedData('geotiff-rasterio', 'goes.tif');
    await expect(openGeoTiff(path, LIMITS, crs)).rejects.toThrow(UnknownCrsError);
    await expect(openGeoTiff(path, LIMITS, crs)).rejects.toThrow(
      /goes\.tif.*user-defined.*--crs EPSG:n/,
    );
  });
});
