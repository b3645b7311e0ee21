import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import type { PixelWindow } from '../raster/raster.ts';
import type { OrientedBox } from './detection.ts';
import { orientedBoxCorners } from './rotated-iou.ts';
import { flipBox, flipBoxes, flipPlanar, planTiles, toImagePixels } from './tiling.ts';

/** Checks that the tiles cover the window, stay inside the image and overlap enough. */
function checkPlan(
  tiles: PixelWindow[],
  image: { width: number; height: number },
  region: PixelWindow,
  overlap: number,
): void {
  const covered = new Uint8Array(image.width * image.height);
  for (const t of tiles) {
    expect(t.col0).toBeGreaterThanOrEqual(0);
    expect(t.row0).toBeGreaterThanOrEqual(0);
    expect(t.col0 + t.width).toBeLessThanOrEqual(image.width);
    expect(t.row0 + t.height).toBeLessThanOrEqual(image.height);
    for (let y = t.row0; y < t.row0 + t.height; y++)
      covered.fill(1, y * image.width + t.col0, y * image.width + t.col0 + t.width);
  }
  let uncovered = 0;
  for (let y = region.row0; y < region.row0 + region.height; y++) {
    for (let x = region.col0; x < region.col0 + region.width; x++)
      uncovered += 1 - covered[y * image.width + x]!;
  }
  expect(uncovered).toBe(0);
  const cols = [...new Set(tiles.map((t) => t.col0))].sort((a, b) => a - b);
  const rows = [...new Set(tiles.map((t) => t.row0))].sort((a, b) => a - b);
  const w = tiles[0]!.width;
  const h = tiles[0]!.height;
  for (let i = 1; i < cols.length; i++)
    expect(cols[i - 1]! + w - cols[i]!).toBeGreaterThanOrEqual(overlap);
  for (let i = 1; i < rows.length; i++)
    expect(rows[i - 1]! + h - rows[i]!).toBeGreaterThanOrEqual(overlap);
}

describe('planTiles', () => {
  it('covers the image with model-sized tiles, the last flush with the edge', () => {
    const tiles = planTiles({
      width: 1000,
      height: 700,
      tileWidth: 256,
      tileHeight: 256,
      overlapPx: 32,
    });
    expect(tiles.every((t) => t.width === 256 && t.height === 256)).toBe(true);
    expect(Math.max(...tiles.map((t) => t.col0 + t.width))).toBe(1000);
    expect(Math.max(...tiles.map((t) => t.row0 + t.height))).toBe(700);
    expect(tiles[0]).toEqual({ col0: 0, row0: 0, width: 256, height: 256 });
    // ceil((1000 − 256) / 224) + 1 = 5 columns, ceil((700 − 256) / 224) + 1 = 3 rows.
    expect(tiles).toHaveLength(15);
    checkPlan(
      tiles,
      { width: 1000, height: 700 },
      { col0: 0, row0: 0, width: 1000, height: 700 },
      32,
    );
  });

  it('covers any region with at least the overlap (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 8, max: 96 }),
        fc.integer({ min: 0, max: 7 }),
        fc.tuple(
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        (width, height, tile, overlap, [a, b, c, d]) => {
          const col0 = Math.floor(a * (width - 1));
          const row0 = Math.floor(b * (height - 1));
          const region = {
            col0,
            row0,
            width: 1 + Math.floor(c * (width - col0 - 1)),
            height: 1 + Math.floor(d * (height - row0 - 1)),
          };
          const tiles = planTiles({
            width,
            height,
            tileWidth: tile,
            tileHeight: tile,
            overlapPx: overlap,
            region,
          });
          checkPlan(tiles, { width, height }, region, overlap);
          // Smaller than the model input only where the image is.
          for (const t of tiles) {
            expect(t.width).toBe(Math.min(tile, width));
            expect(t.height).toBe(Math.min(tile, height));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives one image-sized tile when the image is smaller than the model input', () => {
    expect(
      planTiles({ width: 100, height: 50, tileWidth: 256, tileHeight: 256, overlapPx: 16 }),
    ).toEqual([{ col0: 0, row0: 0, width: 100, height: 50 }]);
  });

  it('clips the region to the image and drops tiles the filter refuses', () => {
    const region = { col0: 900, row0: -50, width: 500, height: 200 };
    const tiles = planTiles({
      width: 1000,
      height: 1000,
      tileWidth: 128,
      tileHeight: 128,
      overlapPx: 0,
      region,
    });
    expect(tiles).toEqual([
      { col0: 872, row0: 0, width: 128, height: 128 },
      { col0: 872, row0: 22, width: 128, height: 128 },
    ]);
    const kept = planTiles({
      width: 1000,
      height: 1000,
      tileWidth: 128,
      tileHeight: 128,
      overlapPx: 0,
      region,
      keep: (t) => t.row0 === 0,
    });
    expect(kept).toEqual([{ col0: 872, row0: 0, width: 128, height: 128 }]);
  });

  it('rejects an overlap as large as the tile, bad sizes and a region outside', () => {
    expect(() =>
      planTiles({ width: 10, height: 10, tileWidth: 8, tileHeight: 8, overlapPx: 8 }),
    ).toThrow(/overlapPx 8 must be smaller/);
    expect(() =>
      planTiles({ width: 10.5, height: 10, tileWidth: 8, tileHeight: 8, overlapPx: 0 }),
    ).toThrow(ValidationError);
    expect(() =>
      planTiles({
        width: 10,
        height: 10,
        tileWidth: 8,
        tileHeight: 8,
        overlapPx: 0,
        region: { col0: 20, row0: 0, width: 5, height: 5 },
      }),
    ).toThrow(/does not overlap the 10×10 image/);
  });
});

describe('toImagePixels', () => {
  it('offsets by the tile and scales to source pixels', () => {
    const box = { cx: 10, cy: 20, width: 8, height: 4, angleRad: 0.4 };
    expect(toImagePixels(box, { col0: 100, row0: 50, width: 64, height: 64 }, 2)).toEqual({
      cx: 220,
      cy: 140,
      width: 16,
      height: 8,
      angleRad: 0.4,
    });
    expect(() => toImagePixels(box, { col0: 0, row0: 0, width: 1, height: 1 }, 0)).toThrow(
      ValidationError,
    );
  });
});

describe('flips', () => {
  const sortPoints = (points: [number, number][]) =>
    points
      .map(([x, y]) => [Number(x.toFixed(6)), Number(y.toFixed(6))] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const box: OrientedBox = { cx: 12, cy: 7, width: 9, height: 3, angleRad: 0.5 };

  it.each(['horizontal', 'vertical', 'both'] as const)(
    'mirrors the corners for a %s flip',
    (flip) => {
      const w = 32;
      const h = 20;
      const mirrored = orientedBoxCorners(box).map(([x, y]): [number, number] => [
        flip === 'vertical' ? x : w - x,
        flip === 'horizontal' ? y : h - y,
      ]);
      const flipped = flipBox(box, flip, w, h);
      expect(sortPoints(orientedBoxCorners(flipped))).toEqual(sortPoints(mirrored));
      expect(flipped.angleRad).toBeGreaterThanOrEqual(-Math.PI / 2);
      expect(flipped.angleRad).toBeLessThan(Math.PI / 2);
      const back = flipBox(flipped, flip, w, h);
      expect(back.cx).toBeCloseTo(box.cx, 12);
      expect(back.angleRad).toBeCloseTo(box.angleRad, 12);
      expect(
        flipBoxes([{ box, classIndex: 2, className: 'ship', score: 0.4 }], flip, w, h),
      ).toEqual([{ box: flipped, classIndex: 2, className: 'ship', score: 0.4 }]);
    },
  );

  it('flips planar tiles pixel by pixel, consistently with flipBox', () => {
    // 2 channels, 3 × 2 pixels.
    const data = Float32Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]);
    expect([...flipPlanar(data, 2, 3, 2, 'horizontal')]).toEqual([
      3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40,
    ]);
    expect([...flipPlanar(data, 2, 3, 2, 'vertical')]).toEqual([
      4, 5, 6, 1, 2, 3, 40, 50, 60, 10, 20, 30,
    ]);
    expect([...flipPlanar(data, 2, 3, 2, 'both')]).toEqual([
      6, 5, 4, 3, 2, 1, 60, 50, 40, 30, 20, 10,
    ]);
    // The centre of pixel (0, 0) lands on pixel (2, 0)'s centre.
    const pixel = flipBox(
      { cx: 0.5, cy: 0.5, width: 1, height: 1, angleRad: 0 },
      'horizontal',
      3,
      2,
    );
    expect(pixel.cx).toBe(2.5);
    expect(() => flipPlanar(data, 3, 3, 2, 'both')).toThrow(/needs 18 values, got 12/);
  });
});
