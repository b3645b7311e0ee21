import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CancelledError,
  CorruptFileError,
  NotFoundError,
  SitewatchError,
  TooLargeError,
  UnknownCrsError,
  UnsupportedError,
  ValidationError,
} from '../../core/errors.ts';
import type { RasterSource } from '../../core/raster/raster.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { openGeoTiff } from './geotiff-raster-source.ts';

const crs = new EpsgCrsRegistry();
const LIMITS = { maxPixels: 10_000_000 };
const fixture = (name: string): string => join(REPO_ROOT, 'fixtures', 'raster', name);
const temp = mkdtempSync(join(tmpdir(), 'sitewatch-geotiff-'));
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

/** The fixture formula of scripts/make-fixtures.sh: (r·7 + c·3 + b·50)·scale + offset. */
function pattern(band: number, row: number, col: number, scale = 1, offset = 0): number {
  return (row * 7 + col * 3 + band * 50) * scale + offset;
}

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

/** Rewrites the value of a SHORT/LONG entry (or its count) in IFD 0 of a classic little-endian TIFF. */
function patchEntry(
  bytes: Uint8Array,
  tag: number,
  field: 'value' | 'count',
  value: number,
): Uint8Array {
  const copy = Uint8Array.from(bytes);
  const view = new DataView(copy.buffer);
  const ifd = view.getUint32(4, true);
  const count = view.getUint16(ifd, true);
  for (let i = 0; i < count; i += 1) {
    const at = ifd + 2 + i * 12;
    if (view.getUint16(at, true) !== tag) continue;
    if (field === 'count') view.setUint32(at + 4, value, true);
    else if (view.getUint16(at + 2, true) === 3) view.setUint16(at + 8, value, true);
    else view.setUint32(at + 8, value, true);
    return copy;
  }
  throw new Error(`tag ${tag} not in IFD 0`);
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(temp, name);
  writeFileSync(path, bytes);
  return path;
}

describe('openGeoTiff on the synthetic fixtures', () => {
  it('reads an RGB DEFLATE tiled EPSG:32618 file: description and tags', async () => {
    await withSource(fixture('rgb-uint8-deflate-tiled-32618.tif'), ({ description }) => {
      expect(description).toMatchObject({
        width: 64,
        height: 64,
        bandNames: ['red', 'green', 'blue'],
        dataType: 'uint8',
        nodata: null,
        crs: 'EPSG:32618',
        geoTransform: [500000, 10, 0, 4500000, 0, -10],
        layout: {
          tiled: true,
          blockWidth: 16,
          blockHeight: 16,
          compression: 'deflate',
          overviewCount: 0,
          cloudOptimized: false,
        },
      });
      expect(description.tags).toEqual({
        TIFFTAG_DATETIME: '2020:01:02 03:04:05',
        TIFFTAG_IMAGEDESCRIPTION: 'synthetic fixture',
        TIFFTAG_SOFTWARE: 'sitewatch make-fixtures',
        ACQUISITION_DATE: '2020-01-02T03:04:05Z',
        SENSOR_NAME: 'synthetic',
      });
    });
  });

  it('decodes a window across tile borders, in the requested band order', async () => {
    await withSource(fixture('rgb-uint8-deflate-tiled-32618.tif'), async (source) => {
      const window = { col0: 13, row0: 30, width: 7, height: 5 };
      const [blue, red, blueAgain] = await source.readWindow(window, { bands: [2, 0, 2] });
      expect(blue).toBeInstanceOf(Uint8Array);
      expect(blueAgain).not.toBe(blue);
      for (let r = 0; r < 5; r += 1) {
        for (let c = 0; c < 7; c += 1) {
          expect(red?.[r * 7 + c]).toBe(pattern(0, 30 + r, 13 + c) % 256);
          expect(blue?.[r * 7 + c]).toBe(pattern(2, 30 + r, 13 + c) % 256);
        }
      }
      expect(Array.from(blueAgain ?? [])).toEqual(Array.from(blue ?? []));
    });
  });

  it('reads uint16 LZW striped band-interleaved data with band names from GDAL descriptions', async () => {
    await withSource(fixture('uint16-4band-lzw-striped-4326.tif'), async (source) => {
      expect(source.description).toMatchObject({
        bandNames: ['blue', 'green', 'red', 'nir'],
        dataType: 'uint16',
        crs: 'EPSG:4326',
        layout: { tiled: false, blockWidth: 48, blockHeight: 8, compression: 'lzw' },
      });
      expect(source.description.geoTransform?.[0]).toBeCloseTo(2.35, 12);
      const arrays = await source.readWindow({ col0: 0, row0: 0, width: 48, height: 40 });
      expect(arrays).toHaveLength(4);
      arrays.forEach((array, band) => {
        expect(array).toBeInstanceOf(Uint16Array);
        expect(array[39 * 48 + 47]).toBe(pattern(band, 39, 47, 100) % 65536);
        expect(array[17 * 48 + 5]).toBe(pattern(band, 17, 5, 100) % 65536);
      });
    });
  });

  it('reads big-endian int16 PackBits with nodata and shifts pixel-is-point by half a pixel', async () => {
    await withSource(fixture('int16-packbits-nodata-3857.tif'), async (source) => {
      expect(source.description).toMatchObject({
        dataType: 'int16',
        nodata: -9999,
        crs: 'EPSG:3857',
      });
      // GDAL reports this origin; the tiepoint in the file is the centre of the first pixel.
      expect(source.description.geoTransform).toEqual([-8238000, 30, 0, 4970000, 0, -30]);
      const [band] = await source.readWindow({ col0: 2, row0: 2, width: 4, height: 4 });
      expect(band).toBeInstanceOf(Int16Array);
      expect(band?.[0]).toBe(-9999);
      expect(band?.[3]).toBe(pattern(0, 2, 5, 10, -500));
      expect(band?.[15]).toBe(pattern(0, 5, 5, 10, -500));
    });
  });

  it('reads float32 ZSTD BigTIFF with NaN nodata in EPSG:27700', async () => {
    await withSource(fixture('float32-zstd-27700.tif'), async (source) => {
      expect(source.description).toMatchObject({ dataType: 'float32', crs: 'EPSG:27700' });
      expect(source.description.nodata).toBeNaN();
      const [band] = await source.readWindow({ col0: 10, row0: 10, width: 3, height: 1 });
      expect(band).toBeInstanceOf(Float32Array);
      expect(band?.[0]).toBeNaN();
      expect(band?.[1]).toBe(pattern(0, 10, 11, 0.125));
      expect(band?.[2]).toBe(pattern(0, 10, 12, 0.125));
    });
  });

  it('reads a YCbCr JPEG COG as RGB and recognises it as cloud-optimised', async () => {
    await withSource(fixture('cog-jpeg-3857.tif'), async (source) => {
      expect(source.description).toMatchObject({
        bandNames: ['red', 'green', 'blue'],
        crs: 'EPSG:3857',
        layout: { tiled: true, compression: 'jpeg', overviewCount: 2, cloudOptimized: true },
      });
      const arrays = await source.readWindow({ col0: 0, row0: 0, width: 64, height: 64 });
      const expected = [
        (r: number) => r * 4,
        (_: number, c: number) => c * 4,
        (r: number, c: number) => (r + c) * 2,
      ];
      arrays.forEach((array, band) => {
        let sum = 0;
        array.forEach(
          (value, i) =>
            (sum += Math.abs(value - (expected[band]?.(Math.floor(i / 64), i % 64) ?? 0))),
        );
        expect(sum / array.length, `band ${band}`).toBeLessThan(3);
      });
    });
  });

  it('reads a rotated grid from ModelTransformation', async () => {
    await withSource(fixture('rotated-32618.tif'), ({ description }) => {
      expect(description.crs).toBe('EPSG:32618');
      expect(description.geoTransform).toEqual([500000, 10, 2, 4500000, 2, -10]);
    });
  });

  it('reports a TIFF without georeferencing as pixel-only', async () => {
    await withSource(fixture('pixel-only.tif'), ({ description }) => {
      expect(description.crs).toBeNull();
      expect(description.geoTransform).toBeNull();
      expect(description.bandNames).toEqual(['b1']);
    });
  });
});

describe('openGeoTiff CRS failures', () => {
  it('names the file and the unknown EPSG code', async () => {
    const path = fixture('unknown-epsg.tif');
    await expect(openGeoTiff(path, LIMITS, crs)).rejects.toThrow(UnknownCrsError);
    await expect(openGeoTiff(path, LIMITS, crs)).rejects.toThrow(/unknown-epsg\.tif.*EPSG:60000/);
  });

  it('hints at --crs for a user-defined CRS, and uses the fallback when given', async () => {
    const path = fixture('user-defined-crs.tif');
    await expect(openGeoTiff(path, LIMITS, crs)).rejects.toThrow(/user-defined.*--crs EPSG:n/);
    const source = await openGeoTiff(path, LIMITS, crs, { crsFallback: 'epsg:32618' });
    expect(source.description.crs).toBe('EPSG:32618');
    await source.close();
    await expect(openGeoTiff(path, LIMITS, crs, { crsFallback: 'EPSG:99999' })).rejects.toThrow(
      /--crs.*EPSG:99999/,
    );
  });

  it('keeps a known CRS from the file over the fallback', async () => {
    const source = await openGeoTiff(fixture('rgb-uint8-deflate-tiled-32618.tif'), LIMITS, crs, {
      crsFallback: 'EPSG:4326',
    });
    expect(source.description.crs).toBe('EPSG:32618');
    await source.close();
  });
});

describe('openGeoTiff safety checks before decoding', () => {
  const rgbBytes = readFileSync(fixture('rgb-uint8-deflate-tiled-32618.tif'));
  const pixelOnly = readFileSync(fixture('pixel-only.tif'));

  it('refuses rasters above the pixel limit, naming both dimensions and the limit', async () => {
    await expect(
      openGeoTiff(fixture('rgb-uint8-deflate-tiled-32618.tif'), { maxPixels: 4000 }, crs),
    ).rejects.toThrow(TooLargeError);
    await expect(
      openGeoTiff(fixture('rgb-uint8-deflate-tiled-32618.tif'), { maxPixels: 4000 }, crs),
    ).rejects.toThrow(/64 × 64.*4000/);
  });

  it('rejects empty files, wrong magic bytes and missing files', async () => {
    await expect(
      openGeoTiff(writeTemp('empty.tif', new Uint8Array(0)), LIMITS, crs),
    ).rejects.toThrow(/empty/);
    const png = readFileSync(fixture('rgb-32618.png'));
    await expect(openGeoTiff(writeTemp('png.tif', png), LIMITS, crs)).rejects.toThrow(
      /89 50 4e 47/,
    );
    await expect(openGeoTiff(join(temp, 'absent.tif'), LIMITS, crs)).rejects.toThrow(NotFoundError);
  });

  it('reports a truncated file by the block that passes the end', async () => {
    const path = writeTemp(
      'truncated.tif',
      rgbBytes.subarray(0, Math.floor(rgbBytes.length * 0.6)),
    );
    await expect(openGeoTiff(path, LIMITS, crs)).rejects.toThrow(CorruptFileError);
    await expect(openGeoTiff(path, LIMITS, crs)).rejects.toThrow(
      /truncated: tile \d+ ends at byte \d+ but the file has \d+ bytes/,
    );
  });

  it('rejects a cyclic IFD chain and absurd tag counts', async () => {
    const view = new DataView(pixelOnly.buffer, pixelOnly.byteOffset);
    const ifd = view.getUint32(4, true);
    const entries = view.getUint16(ifd, true);
    const cyclic = Uint8Array.from(pixelOnly);
    new DataView(cyclic.buffer).setUint32(ifd + 2 + entries * 12, ifd, true);
    await expect(openGeoTiff(writeTemp('cyclic.tif', cyclic), LIMITS, crs)).rejects.toThrow(
      /loops back/,
    );
    const absurd = patchEntry(pixelOnly, 273, 'count', 0x7fffffff);
    await expect(openGeoTiff(writeTemp('absurd.tif', absurd), LIMITS, crs)).rejects.toThrow(
      CorruptFileError,
    );
  });

  it('names unsupported sample types and compressions', async () => {
    const twelveBit = patchEntry(pixelOnly, 258, 'value', 12);
    await expect(openGeoTiff(writeTemp('12bit.tif', twelveBit), LIMITS, crs)).rejects.toThrow(
      UnsupportedError,
    );
    await expect(openGeoTiff(writeTemp('12bit.tif', twelveBit), LIMITS, crs)).rejects.toThrow(
      /12-bit unsigned integer/,
    );
    const jpeg2000 = patchEntry(pixelOnly, 259, 'value', 34712);
    await expect(openGeoTiff(writeTemp('j2k.tif', jpeg2000), LIMITS, crs)).rejects.toThrow(
      /34712 \(JPEG 2000\)/,
    );
  });

  it('wraps decoder failures in CorruptFileError naming the file and keeping the cause', async () => {
    const corrupt = Uint8Array.from(rgbBytes);
    const view = new DataView(corrupt.buffer);
    // Overwrite the compressed bytes of every tile with garbage; the structure stays valid.
    const ifd = view.getUint32(4, true);
    const entries = view.getUint16(ifd, true);
    let offsetsAt = 0;
    for (let i = 0; i < entries; i += 1) {
      if (view.getUint16(ifd + 2 + i * 12, true) === 324)
        offsetsAt = view.getUint32(ifd + 2 + i * 12 + 8, true);
    }
    const firstTile = view.getUint32(offsetsAt, true);
    corrupt.fill(0xff, firstTile, firstTile + 200);
    const source = await openGeoTiff(writeTemp('garbage.tif', corrupt), LIMITS, crs);
    const error: unknown = await source
      .readWindow({ col0: 0, row0: 0, width: 16, height: 16 })
      .catch((e: unknown) => e);
    await source.close();
    expect(error).toBeInstanceOf(CorruptFileError);
    expect((error as Error).message).toMatch(/garbage\.tif/);
    expect((error as Error).cause).toBeDefined();
  });
});

describe('readWindow argument checks, cancellation and closing', () => {
  it('rejects windows outside the raster and unknown bands', async () => {
    await withSource(fixture('pixel-only.tif'), async (source) => {
      await expect(source.readWindow({ col0: 10, row0: 0, width: 7, height: 1 })).rejects.toThrow(
        ValidationError,
      );
      await expect(source.readWindow({ col0: 0, row0: 0, width: 0, height: 1 })).rejects.toThrow(
        /not inside the 16 × 16/,
      );
      await expect(
        source.readWindow({ col0: 0, row0: 0, width: 1, height: 1 }, { bands: [1] }),
      ).rejects.toThrow(/band index 1/);
    });
  });

  it('throws CancelledError for an aborted signal', async () => {
    await withSource(fixture('rgb-uint8-deflate-tiled-32618.tif'), async (source) => {
      const controller = new AbortController();
      controller.abort();
      await expect(
        source.readWindow(
          { col0: 0, row0: 0, width: 64, height: 64 },
          { signal: controller.signal },
        ),
      ).rejects.toThrow(CancelledError);
    });
  });

  it.runIf(existsSync('/proc/self/fd'))(
    'leaves no file handle open after close() or a failed open',
    async () => {
      const before = readdirSync('/proc/self/fd').length;
      const source = await openGeoTiff(fixture('cog-jpeg-3857.tif'), LIMITS, crs);
      await source.readWindow({ col0: 0, row0: 0, width: 8, height: 8 });
      await source.close();
      await source.close();
      await expect(source.readWindow({ col0: 0, row0: 0, width: 8, height: 8 })).rejects.toThrow(
        SitewatchError,
      );
      await expect(openGeoTiff(fixture('rgb-32618.png'), LIMITS, crs)).rejects.toThrow(
        CorruptFileError,
      );
      await expect(openGeoTiff(fixture('unknown-epsg.tif'), LIMITS, crs)).rejects.toThrow(
        UnknownCrsError,
      );
      expect(readdirSync('/proc/self/fd').length).toBe(before);
    },
  );
});
