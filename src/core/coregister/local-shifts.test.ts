import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { rotationScaleAbout } from './affine.ts';
import { estimateLocalShifts, summariseResiduals } from './local-shifts.ts';
import { sampleTexture } from './test-support.ts';
import { warpAffine } from './warp-affine.ts';

const SIZE = 256;
const reference = sampleTexture(SIZE, SIZE, { x: 0, y: 0 }, 31);

describe('estimateLocalShifts', () => {
  it('finds the same shift on every tile of a translated pair; residual ≈ 0 against it', () => {
    const moving = sampleTexture(SIZE, SIZE, { x: -2.3, y: 1.2 }, 31);
    const global = { dx: -2.3, dy: 1.2 };
    const result = estimateLocalShifts(reference, moving, SIZE, SIZE, { tileSize: 64, global });
    expect(result.tiles).toHaveLength(16);
    expect(result.tiles.map((t) => [t.col0, t.row0]).slice(0, 5)).toEqual([
      [0, 0],
      [64, 0],
      [128, 0],
      [192, 0],
      [0, 64],
    ]);
    for (const tile of result.tiles) {
      expect(tile.size).toBe(64);
      expect(Math.hypot(tile.dx - global.dx, tile.dy - global.dy)).toBeLessThan(0.1);
    }
    expect(result.residual.count).toBe(16);
    expect(result.residual.medianPx!).toBeLessThan(0.05);
    const againstZero = estimateLocalShifts(reference, moving, SIZE, SIZE, { tileSize: 64 });
    expect(Math.abs(againstZero.residual.medianPx! - Math.hypot(2.3, 1.2))).toBeLessThan(0.1);
  });

  it('measures what a translation leaves behind: a 1 % scale gives shifts growing from the centre', () => {
    const scale = 1.01;
    const centre = (SIZE - 1) / 2;
    const moving = warpAffine(reference, SIZE, SIZE, rotationScaleAbout(0, scale, centre, centre), {
      method: 'cubic',
      fill: Number.NaN,
    });
    const result = estimateLocalShifts(reference, moving, SIZE, SIZE, { tileSize: 64, step: 32 });
    expect(result.tiles).toHaveLength(49);
    for (const tile of result.tiles) {
      // reference(p) ≈ moving(p − d) with moving(m) = reference(c + s(m − c)): d = (p − c)(1 − 1/s).
      const expectedDx = (tile.col0 + 31.5 - centre) * (1 - 1 / scale);
      const expectedDy = (tile.row0 + 31.5 - centre) * (1 - 1 / scale);
      expect(Math.hypot(tile.dx - expectedDx, tile.dy - expectedDy)).toBeLessThan(0.1);
    }
    expect(result.residual.p90Px!).toBeGreaterThan(0.8);
    expect(result.residual.medianPx!).toBeLessThan(result.residual.p90Px!);
  });

  it('offsets moving tiles by the global shift so large shifts still correlate', () => {
    const moving = sampleTexture(SIZE, SIZE, { x: 27.4, y: -30.6 }, 31);
    const global = { dx: 27, dy: -31 };
    const result = estimateLocalShifts(reference, moving, SIZE, SIZE, {
      tileSize: 64,
      global,
      minConfidence: 0.5,
    });
    // Tiles whose moving counterpart had to be clamped inside the image overlap less; the
    // nine interior ones must all be confident and right.
    expect(result.residual.count).toBeGreaterThanOrEqual(9);
    for (const tile of result.tiles.filter((t) => t.confidence >= 0.5)) {
      expect(Math.hypot(tile.dx - 27.4, tile.dy + 30.6)).toBeLessThan(0.1);
    }
    expect(Math.abs(result.residual.medianPx! - Math.hypot(0.4, 0.4))).toBeLessThan(0.05);
  });

  it('leaves tiles without data out of the residual but still reports them', () => {
    const moving = Float32Array.from(sampleTexture(SIZE, SIZE, { x: 0.5, y: 0 }, 31));
    for (let y = 0; y < 64; y++) moving.fill(Number.NaN, y * SIZE, y * SIZE + 64);
    const result = estimateLocalShifts(reference, moving, SIZE, SIZE, {
      tileSize: 64,
      minConfidence: 0.5,
    });
    expect(result.tiles).toHaveLength(16);
    expect(result.tiles[0]!.confidence).toBe(0);
    expect(result.residual.count).toBe(15);
    expect(result.residual.medianPx!).toBeCloseTo(0.5, 1);
  });

  it('rejects tiles that do not fit and bad steps', () => {
    expect(() => estimateLocalShifts(reference, reference, SIZE, SIZE, { tileSize: 300 })).toThrow(
      /tileSize must be an integer in \[8, 256\].*got 300/,
    );
    expect(() =>
      estimateLocalShifts(reference, reference, SIZE, SIZE, { tileSize: 64, step: 0 }),
    ).toThrow(ValidationError);
    expect(() =>
      estimateLocalShifts(reference, reference, SIZE, SIZE, {
        tileSize: 64,
        global: { dx: Number.NaN, dy: 0 },
      }),
    ).toThrow(/global shift must be finite/);
  });
});

describe('summariseResiduals', () => {
  it('gives the median and 90th percentile in pixels, ignoring non-finite values', () => {
    expect(summariseResiduals([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, Number.NaN])).toEqual({
      medianPx: 5.5,
      p90Px: expect.closeTo(9.1, 12) as number,
      count: 10,
    });
    expect(summariseResiduals([])).toEqual({ medianPx: null, p90Px: null, count: 0 });
  });
});
