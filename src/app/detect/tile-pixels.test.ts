import { describe, expect, it } from 'vitest';
import type { PixelArray, PixelWindow, RasterSource } from '../../core/raster/raster.ts';
import { BlockCachedSource } from './block-cache.ts';
import {
  channelNormalisers,
  packTile,
  readTileIntoInput,
  readTilePixels,
  sourceWindowOf,
} from './tile-pixels.ts';
import type { ModelDescriptor } from '../../core/detect/detection.ts';

/** An in-memory single-band float32 raster with value f(col, row), counting its reads. */
function memorySource(
  width: number,
  height: number,
  f: (col: number, row: number) => number,
  options: { nodata?: number | null; block?: number } = {},
): RasterSource & { reads: number } {
  const data = new Float32Array(width * height);
  for (let r = 0; r < height; r += 1)
    for (let c = 0; c < width; c += 1) data[r * width + c] = f(c, r);
  const block = options.block ?? 0;
  const source = {
    reads: 0,
    description: {
      width,
      height,
      bandNames: ['gray'],
      bandNativeGsdMeters: [null],
      dataType: 'float32' as const,
      nodata: options.nodata ?? null,
      crs: null,
      geoTransform: null,
      layout: {
        tiled: block > 0,
        blockWidth: block || width,
        blockHeight: block || 1,
        compression: 'none',
        overviewCount: 0,
        cloudOptimized: false,
      },
      tags: {},
    },
    readWindow(w: PixelWindow): Promise<PixelArray[]> {
      source.reads += 1;
      const out = new Float32Array(w.width * w.height);
      for (let r = 0; r < w.height; r += 1) {
        out.set(
          data.subarray((w.row0 + r) * width + w.col0, (w.row0 + r) * width + w.col0 + w.width),
          r * w.width,
        );
      }
      return Promise.resolve([out]);
    },
    close: () => Promise.resolve(),
  };
  return source;
}

describe('readTilePixels', () => {
  it('copies at scale 1, marking nodata invalid', async () => {
    const source = memorySource(8, 8, (c, r) => (c === 2 && r === 1 ? -1 : c + 10 * r), {
      nodata: -1,
    });
    const p = await readTilePixels(source, [0], { col0: 1, row0: 0, width: 3, height: 2 }, 1);
    expect(Array.from(p.planes[0]!)).toEqual([1, 2, 3, 11, NaN, 13]);
    expect(Array.from(p.valid)).toEqual([1, 1, 1, 1, 0, 1]);
    expect(p.validCount).toBe(5);
  });

  it('averages the source pixels under each grid pixel when downsampling by 2', async () => {
    const source = memorySource(8, 8, (c, r) => c + 10 * r);
    const p = await readTilePixels(source, [0], { col0: 1, row0: 1, width: 2, height: 2 }, 2);
    // Grid pixel (1, 1) covers source columns 2–3 and rows 2–3: mean (22 + 23 + 32 + 33) / 4.
    expect(Array.from(p.planes[0]!)).toEqual([27.5, 29.5, 47.5, 49.5]);
  });

  it('interpolates a linear ramp exactly when upsampling (bilinear)', async () => {
    const source = memorySource(8, 8, (c, r) => 2 * c + 3 * r);
    const p = await readTilePixels(source, [0], { col0: 4, row0: 4, width: 4, height: 4 }, 0.5);
    // Grid pixel (i, j) has its centre at source position ((i + 0.5) / 2, (j + 0.5) / 2), i.e. a
    // pixel-centre coordinate of (i + 0.5) / 2 − 0.5 where the ramp is 2x + 3y.
    p.planes[0]!.forEach((v, k) => {
      const i = 4 + (k % 4);
      const j = 4 + Math.floor(k / 4);
      expect(v).toBeCloseTo(2 * ((i + 0.5) / 2 - 0.5) + 3 * ((j + 0.5) / 2 - 0.5), 5);
    });
  });

  it('packs a tile smaller than the model input, padding with the normalised band mean', () => {
    const descriptor = {
      bands: ['gray'],
      normalisation: { scale: 0.5, mean: [1], std: [2], stretch: 'none' },
    } as unknown as ModelDescriptor;
    const [n] = channelNormalisers(descriptor, [
      { min: 0, max: 10, mean: 4, stdDev: 1, validCount: 1 },
    ]);
    const input = new Float32Array(2 * 3 * 3).fill(99);
    packTile(
      {
        tile: { col0: 0, row0: 0, width: 2, height: 1 },
        planes: [Float32Array.of(6, NaN)],
        valid: Uint8Array.of(1, 0),
        validCount: 1,
      },
      [n!],
      input,
      1,
      3,
      3,
    );
    // (6 · 0.5 − 1) / 2 = 1; fill = (4 · 0.5 − 1) / 2 = 0.5; slot 0 untouched.
    expect(Array.from(input.subarray(9))).toEqual([1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(input[0]).toBe(99);
  });
});

/** Irregular values with scattered nodata (-1), so every resampling path sees both. */
function noisySource(width: number, height: number): RasterSource & { reads: number } {
  const value = (c: number, r: number): number => ((c * 7919 + r * 104729) % 1000) / 7;
  return memorySource(width, height, (c, r) => ((c * r) % 23 === 3 ? -1 : value(c, r)), {
    nodata: -1,
  });
}

describe('readTileIntoInput', () => {
  const descriptor = {
    bands: ['red', 'green', 'blue'],
    normalisation: {
      scale: 1 / 255,
      mean: [0.1, 0.2, 0.3],
      std: [0.5, 0.6, 0.7],
      stretch: 'percentile',
    },
  } as unknown as ModelDescriptor;
  const stats = { min: 0, max: 140, mean: 70, stdDev: 30, validCount: 1 };
  const normalisers = channelNormalisers(descriptor, [stats, stats, undefined]);
  const cases = [
    { scale: 1, tile: { col0: 3, row0: 2, width: 20, height: 16 } },
    { scale: 0.8, tile: { col0: 10, row0: 5, width: 24, height: 24 } },
    { scale: 0.5, tile: { col0: 90, row0: 70, width: 24, height: 24 } },
    { scale: 2.5, tile: { col0: 4, row0: 3, width: 20, height: 24 } },
  ];
  for (const { scale, tile } of cases) {
    it(`writes what readTilePixels then packTile write, bit for bit (scale ${scale})`, async () => {
      const source = noisySource(60, 50);
      const bands = [0, 0, 0];
      const pixels = await readTilePixels(source, bands, tile, scale);
      const expected = new Float32Array(2 * 3 * 24 * 24).fill(7);
      packTile(pixels, normalisers, expected, 1, 24, 24);
      const input = new Float32Array(2 * 3 * 24 * 24).fill(7);
      const target = { normalisers, input, slot: 1, inputWidth: 24, inputHeight: 24 };
      const scratch = new Float32Array(24 * 24).fill(5);
      const mask = await readTileIntoInput(source, bands, tile, scale, { ...target, scratch });
      expect(mask.validCount).toBe(pixels.validCount);
      expect(mask.validCount).toBeGreaterThan(0);
      expect(mask.validCount).toBeLessThan(tile.width * tile.height);
      expect(Array.from(mask.valid)).toEqual(Array.from(pixels.valid));
      expect(new Uint8Array(input.buffer)).toEqual(new Uint8Array(expected.buffer));
    });
  }

  it('fills a tile beyond the raster with the fill values, all invalid', async () => {
    const input = new Float32Array(3 * 4 * 4);
    const target = { normalisers, input, slot: 0, inputWidth: 4, inputHeight: 4 };
    const tile = { col0: 100, row0: 100, width: 4, height: 4 };
    const mask = await readTileIntoInput(noisySource(60, 50), [0, 0, 0], tile, 1, {
      ...target,
      scratch: new Float32Array(16),
    });
    expect(mask.validCount).toBe(0);
    expect(Array.from(input.subarray(32))).toEqual(
      new Array<number>(16).fill(Math.fround(normalisers[2]!.fill)),
    );
  });
});

describe('bilinear resampling', () => {
  it('equals interpolating the four taps of every pixel, NaN beside nodata', async () => {
    const width = 40;
    const height = 30;
    const source = noisySource(width, height);
    const [all] = await source.readWindow({ col0: 0, row0: 0, width, height });
    const tile = { col0: 5, row0: 4, width: 30, height: 25 };
    const scale = 0.8;
    const p = await readTilePixels(source, [0], tile, scale);
    const sw = sourceWindowOf(tile, scale, width, height)!;
    const clampCol = (x: number): number => Math.min(sw.col0 + sw.width - 1, Math.max(sw.col0, x));
    const clampRow = (y: number): number => Math.min(sw.row0 + sw.height - 1, Math.max(sw.row0, y));
    let nodataPixels = 0;
    for (let j = 0; j < tile.height; j += 1) {
      for (let i = 0; i < tile.width; i += 1) {
        const x = (tile.col0 + i + 0.5) * scale - 0.5;
        const y = (tile.row0 + j + 0.5) * scale - 0.5;
        const tx = Math.fround(x - Math.floor(x));
        const ty = Math.fround(y - Math.floor(y));
        const at = (c: number, r: number): number => all![clampRow(r) * width + clampCol(c)]!;
        const [a, b, c, d] = [
          at(Math.floor(x), Math.floor(y)),
          at(Math.floor(x) + 1, Math.floor(y)),
          at(Math.floor(x), Math.floor(y) + 1),
          at(Math.floor(x) + 1, Math.floor(y) + 1),
        ];
        const top = a + (b - a) * tx;
        const bottom = c + (d - c) * tx;
        const want = [a, b, c, d].includes(-1) ? NaN : Math.fround(top + (bottom - top) * ty);
        if (Number.isNaN(want)) nodataPixels += 1;
        expect(p.planes[0]![j * tile.width + i]).toBe(want);
      }
    }
    expect(nodataPixels).toBeGreaterThan(0);
  });
});

describe('BlockCachedSource', () => {
  it('returns the same windows as the source across block edges, decoding each block once', async () => {
    const source = memorySource(150, 130, (c, r) => c * 1000 + r, { block: 64 });
    const cached = new BlockCachedSource(source, [0], 16);
    const windows = [
      { col0: 0, row0: 0, width: 70, height: 70 },
      { col0: 60, row0: 60, width: 90, height: 70 },
      { col0: 63, row0: 63, width: 2, height: 2 },
      { col0: 149, row0: 129, width: 1, height: 1 },
    ];
    for (const w of windows) {
      const [expected] = await memorySource(150, 130, (c, r) => c * 1000 + r).readWindow(w);
      const [got] = await cached.readWindow(w);
      expect(Array.from(got!)).toEqual(Array.from(expected!));
    }
    // 3 × 3 blocks of 64 px cover 150 × 130; each read once.
    expect(source.reads).toBe(9);
  });
});
