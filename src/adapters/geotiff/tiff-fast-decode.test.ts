/**
 * The fast decode path (tiff-block-decoder.ts) against the fixture formula (the values GDAL
 * wrote) and, byte for byte, against the general geotiff.js path, on one thread and in the pool.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CancelledError,
  CorruptFileError,
  SitewatchError,
  ValidationError,
} from '../../core/errors.ts';
import type { PixelArray, PixelWindow, RasterSource } from '../../core/raster/raster.ts';
import { REPO_ROOT, describeShared, sharedData } from '../../testing/shared-data.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { FileByteSource } from './file-byte-source.ts';
import { openGeoTiff, type OpenGeoTiffOptions } from './geotiff-raster-source.ts';
import { TiffDecodePool } from './tiff-decode-pool.ts';
import { IfdValues, readImageInfo } from './tiff-image-info.ts';
import { readTiffStructure } from './tiff-structure.ts';
import { TAG } from './tiff-tags.ts';

const crs = new EpsgCrsRegistry();
const LIMITS = { maxPixels: 10_000_000 };
const decodeDir = join(REPO_ROOT, 'fixtures', 'raster', 'decode');
const fixture = (name: string): string => join(decodeDir, `${name}.tif`);
const temp = mkdtempSync(join(tmpdir(), 'sitewatch-fast-decode-'));
const pool = new TiffDecodePool(2);
afterAll(async () => {
  await pool.close();
  rmSync(temp, { recursive: true, force: true });
});

/** How scripts/make-fixtures.sh (section 11) made each file: (r·7 + c·3 + b·50)·scale + offset. */
interface Recipe {
  readonly dataType: string;
  readonly bands: number;
  readonly scale: number;
  readonly offset: number;
  /** NaN at (band 0, 3, 4), +inf at (band 0, 20, 30), −inf at (last band, 28, 36). */
  readonly specials: boolean;
  /** Why geotiff.js (the general path) cannot be the reference for this file. */
  readonly generalPathWrong?: string;
  /** Files left to the general path (see fastTiffImage). */
  readonly generalPathOnly?: true;
}
const RECIPES: Readonly<Record<string, Recipe>> = {
  'uint8-3band-deflate-pred2-tiled': {
    dataType: 'uint8',
    bands: 3,
    scale: 1,
    offset: 0,
    specials: false,
  },
  'uint16-4band-deflate-pred2-striped-planar': {
    dataType: 'uint16',
    bands: 4,
    scale: 997,
    offset: 0,
    specials: false,
  },
  'int16-2band-deflate-pred2-tiled-bigendian': {
    dataType: 'int16',
    bands: 2,
    scale: 331,
    offset: -20000,
    specials: false,
    generalPathWrong:
      'geotiff.js 3.0.5 undoes predictor 2 on the big-endian bytes (GDAL and libtiff swap first)',
  },
  'int32-deflate-pred2-striped': {
    dataType: 'int32',
    bands: 1,
    scale: 100003,
    offset: -(2 ** 30),
    specials: false,
  },
  'float32-2band-deflate-pred3-tiled': {
    dataType: 'float32',
    bands: 2,
    scale: 0.37,
    offset: -50,
    specials: true,
  },
  'float32-2band-deflate-pred3-striped-planar-bigendian': {
    dataType: 'float32',
    bands: 2,
    scale: 0.37,
    offset: -50,
    specials: true,
    generalPathOnly: true,
  },
  'float64-deflate-pred3-tiled': {
    dataType: 'float64',
    bands: 1,
    scale: 0.001,
    offset: 1e10,
    specials: true,
  },
  'uint16-2band-deflate-tiled': {
    dataType: 'uint16',
    bands: 2,
    scale: 997,
    offset: 0,
    specials: false,
  },
  'uint16-3band-none-striped-bigendian': {
    dataType: 'uint16',
    bands: 3,
    scale: 997,
    offset: 0,
    specials: false,
  },
  'float32-2band-none-tiled-planar': {
    dataType: 'float32',
    bands: 2,
    scale: 0.37,
    offset: -50,
    specials: true,
  },
};
const WIDTH = 37;
const HEIGHT = 29;
const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  uint8: [0, 255],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  int32: [-(2 ** 31), 2 ** 31 - 1],
};

function expectedValue(recipe: Recipe, band: number, row: number, col: number): number {
  if (recipe.specials) {
    if (band === 0 && row === 3 && col === 4) return Number.NaN;
    if (band === 0 && row === 20 && col === 30) return Number.POSITIVE_INFINITY;
    if (band === recipe.bands - 1 && row === 28 && col === 36) return Number.NEGATIVE_INFINITY;
  }
  const value = (row * 7 + col * 3 + band * 50) * recipe.scale + recipe.offset;
  const range = INT_RANGES[recipe.dataType];
  if (range === undefined) return recipe.dataType === 'float32' ? Math.fround(value) : value;
  const span = range[1] - range[0] + 1;
  return ((((value - range[0]) % span) + span) % span) + range[0];
}

async function withSource<T>(
  path: string,
  options: OpenGeoTiffOptions,
  body: (source: RasterSource) => Promise<T>,
): Promise<T> {
  const source = await openGeoTiff(path, LIMITS, crs, options);
  try {
    return await body(source);
  } finally {
    await source.close();
  }
}

const FAST: OpenGeoTiffOptions = { decodeThreads: 1 };
const POOLED: OpenGeoTiffOptions = { decodePool: pool, poolMinWindowPixels: 1 };
const GENERAL: OpenGeoTiffOptions = { fastDecode: false };

function bytesOf(array: PixelArray): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

async function read(
  path: string,
  options: OpenGeoTiffOptions,
  window: PixelWindow,
  bands?: readonly number[],
): Promise<PixelArray[]> {
  return withSource(path, options, (source) =>
    source.readWindow(window, bands === undefined ? {} : { bands }),
  );
}

const FULL: PixelWindow = { col0: 0, row0: 0, width: WIDTH, height: HEIGHT };
/** Windows inside one block, across block borders, in the partial edge blocks, single pixels. */
const WINDOWS: readonly PixelWindow[] = [
  { col0: 3, row0: 2, width: 20, height: 17 },
  { col0: 15, row0: 4, width: 2, height: 2 },
  { col0: 17, row0: 6, width: 9, height: 3 },
  { col0: 30, row0: 25, width: 7, height: 4 },
  { col0: 0, row0: 28, width: 37, height: 1 },
  { col0: 36, row0: 0, width: 1, height: 29 },
  { col0: 20, row0: 20, width: 1, height: 1 },
];

const names = readdirSync(decodeDir)
  .filter((f) => f.endsWith('.tif'))
  .map((f) => f.replace(/\.tif$/, ''))
  .sort();

describe('fast GeoTIFF decode on the decode fixtures', () => {
  it('has a recipe for every fixture file', () => {
    expect(names).toEqual(Object.keys(RECIPES).sort());
  });

  describe.each(names)('%s', (name) => {
    const recipe = RECIPES[name];
    if (recipe === undefined) throw new Error(`no recipe for ${name}`);
    const path = fixture(name);

    it('decodes the whole image to the values GDAL wrote', async () => {
      const arrays = await read(path, FAST, FULL);
      expect(arrays).toHaveLength(recipe.bands);
      arrays.forEach((array, band) => {
        expect(array.constructor.name.toLowerCase()).toBe(`${recipe.dataType}array`);
        for (let row = 0; row < HEIGHT; row += 1) {
          for (let col = 0; col < WIDTH; col += 1) {
            const value = array[row * WIDTH + col];
            const want = expectedValue(recipe, band, row, col);
            if (Number.isNaN(want)) expect(value, `b${band} r${row} c${col}`).toBeNaN();
            else if (value !== want) expect(value, `b${band} r${row} c${col}`).toBe(want);
          }
        }
      });
    });

    it.skipIf(recipe.generalPathWrong !== undefined)(
      `gives windows byte-identical to geotiff.js, in any band order${recipe.generalPathWrong === undefined ? '' : ` (skipped: ${recipe.generalPathWrong})`}`,
      async () => {
        const bandOrders: (readonly number[] | undefined)[] = [
          undefined,
          [recipe.bands - 1],
          Array.from({ length: recipe.bands }, (_, i) => recipe.bands - 1 - i),
          [0, 0],
        ];
        for (const window of [FULL, ...WINDOWS]) {
          for (const bands of bandOrders) {
            const fast = await read(path, FAST, window, bands);
            const general = await read(path, GENERAL, window, bands);
            expect(fast.length).toBe(general.length);
            fast.forEach((array, i) => {
              const other = general[i];
              if (other === undefined) throw new Error('missing band');
              expect(array.constructor).toBe(other.constructor);
              expect(
                bytesOf(array).equals(bytesOf(other)),
                `${JSON.stringify(window)} bands ${JSON.stringify(bands)} slot ${i}`,
              ).toBe(true);
            });
          }
        }
      },
    );

    it('gives the same bytes from the worker pool as on one thread', async () => {
      for (const window of [FULL, WINDOWS[0] ?? FULL, WINDOWS[3] ?? FULL]) {
        const single = await read(path, FAST, window);
        const pooled = await read(path, POOLED, window);
        pooled.forEach((array, i) => {
          // The pool writes into shared memory: this proves the pool, not this thread, decoded.
          expect(array.buffer instanceof SharedArrayBuffer).toBe(recipe.generalPathOnly !== true);
          const other = single[i];
          if (other === undefined) throw new Error('missing band');
          expect(bytesOf(array).equals(bytesOf(other)), JSON.stringify(window)).toBe(true);
        });
      }
    });
  });
});

/** Byte ranges of the tiles of a fixture, from our own structure walk. */
async function blockTable(path: string) {
  const source = await FileByteSource.open(path);
  try {
    const structure = await readTiffStructure(source);
    const ifd = structure.ifds[0];
    if (ifd === undefined) throw new Error('no IFD');
    const info = await readImageInfo(new IfdValues(source, structure, ifd), LIMITS);
    const counts = ifd.entries.get(info.tiled ? TAG.TileByteCounts : TAG.StripByteCounts);
    const compression = ifd.entries.get(TAG.Compression);
    if (counts === undefined || compression === undefined) throw new Error('tags missing');
    return { info, counts, compression };
  } finally {
    await source.close();
  }
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(temp, name);
  writeFileSync(path, bytes);
  return path;
}

describe('fast GeoTIFF decode of damaged or unusual files', () => {
  const base = fixture('uint8-3band-deflate-pred2-tiled');

  it('reads compression 32946 (old-style DEFLATE) as DEFLATE', async () => {
    const { compression } = await blockTable(base);
    const bytes = Uint8Array.from(readFileSync(base));
    new DataView(bytes.buffer).setUint16(compression.valueOffset, 32946, true);
    const path = writeTemp('deflate-32946.tif', bytes);
    const patched = await read(path, FAST, FULL);
    const original = await read(base, GENERAL, FULL);
    patched.forEach((array, i) => {
      const other = original[i];
      if (other === undefined) throw new Error('missing band');
      expect(bytesOf(array).equals(bytesOf(other))).toBe(true);
    });
  });

  it('names the file and tile of a corrupt DEFLATE stream, on one thread and in the pool', async () => {
    const { info } = await blockTable(base);
    const bytes = Uint8Array.from(readFileSync(base));
    const offset = info.blockOffsets[3] ?? 0;
    bytes.fill(0xff, offset, offset + (info.blockByteCounts[3] ?? 0));
    const path = writeTemp('corrupt-tile.tif', bytes);
    for (const options of [FAST, POOLED]) {
      const error = await read(path, options, FULL).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptFileError);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toMatch(/tile 3 is corrupt/);
    }
    // Windows that do not touch tile 3 still read.
    const [band] = await read(path, FAST, { col0: 0, row0: 0, width: 16, height: 16 }, [1]);
    expect(band?.[5 * 16 + 5]).toBe(
      expectedValue(RECIPES['uint8-3band-deflate-pred2-tiled']!, 1, 5, 5),
    );
  });

  it('names the tile whose stored bytes stop short of its pixels', async () => {
    const { counts } = await blockTable(base);
    const bytes = Uint8Array.from(readFileSync(base));
    const view = new DataView(bytes.buffer);
    const at = counts.valueOffset + 2 * (counts.type === 3 ? 2 : 4);
    if (counts.type === 3) view.setUint16(at, 20, true);
    else view.setUint32(at, 20, true);
    const path = writeTemp('short-tile.tif', bytes);
    for (const options of [FAST, POOLED]) {
      const error = await read(path, options, FULL).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptFileError);
      expect((error as Error).message).toMatch(
        /tile 2 is truncated or corrupt: it holds \d+ bytes of the 768 expected/,
      );
    }
  });

  it('stops with CancelledError when the signal is aborted, on one thread and in the pool', async () => {
    for (const options of [FAST, POOLED]) {
      await withSource(base, options, async (source) => {
        const controller = new AbortController();
        controller.abort();
        await expect(source.readWindow(FULL, { signal: controller.signal })).rejects.toBeInstanceOf(
          CancelledError,
        );
      });
    }
  });

  it('a closed pool refuses work and a pool size must be 1..64', async () => {
    const own = new TiffDecodePool(1);
    await withSource(base, { decodePool: own, poolMinWindowPixels: 1 }, async (source) => {
      const [first] = await source.readWindow(FULL, { bands: [0] });
      expect(first?.buffer).toBeInstanceOf(SharedArrayBuffer);
      await own.close();
      const error = await source.readWindow(FULL).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SitewatchError);
      expect((error as SitewatchError).code).toBe('IO');
    });
    expect(() => new TiffDecodePool(0)).toThrow(ValidationError);
    expect(() => new TiffDecodePool(1.5)).toThrow(ValidationError);
  });
});

describe('the shared decode pool', () => {
  it('never keeps a process alive: a script that reads through it and closes nothing exits', () => {
    const script = join(temp, 'no-close.mts');
    const module = pathToFileURL(join(REPO_ROOT, 'src/adapters/geotiff/geotiff-raster-source.ts'));
    const registry = pathToFileURL(join(REPO_ROOT, 'src/adapters/crs/epsg-crs-registry.ts'));
    writeFileSync(
      script,
      `import { openGeoTiff } from ${JSON.stringify(module.href)};\n` +
        `import { EpsgCrsRegistry } from ${JSON.stringify(registry.href)};\n` +
        `const source = await openGeoTiff(${JSON.stringify(fixture('uint16-2band-deflate-tiled'))},\n` +
        `  { maxPixels: 1e6 }, new EpsgCrsRegistry(), { decodeThreads: 2, poolMinWindowPixels: 1 });\n` +
        `const [band] = await source.readWindow({ col0: 0, row0: 0, width: 37, height: 29 });\n` +
        `console.log(band.buffer.constructor.name, band[37 * 29 - 1]);\n`,
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect(result.stderr).toBe('');
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    const last = expectedValue(RECIPES['uint16-2band-deflate-tiled']!, 0, 28, 36);
    expect(result.stdout.trim()).toBe(`SharedArrayBuffer ${last}`);
  });
});

describeShared('fast GeoTIFF decode on real uncompressed GeoTIFFs', () => {
  it.each([
    ['RGB.byte.tif', 'striped, pixel-interleaved'],
    ['rgb1_fake_nir_epsg3857.tif', 'striped, band-interleaved'],
    ['shade.tif', 'tiled 256 × 256'],
  ])('%s (%s) is byte-identical to geotiff.js, on one thread and in the pool', async (file) => {
    const path = sharedData('geotiff-rasterio', file);
    const { width, height } = await withSource(path, FAST, (s) => Promise.resolve(s.description));
    const windows = [
      { col0: 0, row0: 0, width, height },
      {
        col0: 101,
        row0: 57,
        width: Math.min(300, width - 101),
        height: Math.min(211, height - 57),
      },
    ];
    for (const window of windows) {
      const general = await read(path, GENERAL, window);
      for (const options of [FAST, POOLED]) {
        const fast = await read(path, options, window);
        fast.forEach((array, i) => {
          const other = general[i];
          if (other === undefined) throw new Error('missing band');
          expect(bytesOf(array).equals(bytesOf(other)), `${file} ${JSON.stringify(window)}`).toBe(
            true,
          );
        });
      }
    }
  });
});
