import { describe, expect, it } from 'vitest';
import type { PixelArray, PixelWindow, RasterSource } from '../../core/raster/raster.ts';
import { BlockCachedSource } from './block-cache.ts';
import { channelNormalisers, packTile, readTilePixels } from './tile-pixels.ts';
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
