import { describe, expect, it } from 'vitest';
import { DEFAULT_CHANGE_CONFIG, type CombinedChangeConfig } from '../../core/change/defaults.ts';

import { ValidationError } from '../../core/errors.ts';
import { combinedChangeInPlace, combinedChangeMask } from '../../core/change/combined-change.ts';
import { combinedChangeMap, combinedGridConfig, type CombinedStatistics } from './combined-map.ts';
import { seededRandom } from '../../core/random.ts';

const W = 40;
const H = 30;

/** CVA magnitude from `cva(c, r)`, a flat χ² (so the IR-MAD branch calls nothing), all valid. */
function statistics(
  cva: (c: number, r: number) => number,
  gsdMeters: number | null,
  invalid: (c: number, r: number) => boolean = () => false,
): CombinedStatistics {
  const cvaMagnitude = new Float32Array(W * H);
  const chiSquare = new Float32Array(W * H);
  const valid = new Uint8Array(W * H);
  for (let r = 0; r < H; r += 1) {
    for (let c = 0; c < W; c += 1) {
      const p = r * W + c;
      const ok = !invalid(c, r);
      valid[p] = ok ? 1 : 0;
      cvaMagnitude[p] = ok ? cva(c, r) : Number.NaN;
      chiSquare[p] = ok ? 3 : Number.NaN;
    }
  }
  return { cvaMagnitude, chiSquare, valid, width: W, height: H, bandCount: 3, gsdMeters };
}

const RAW: CombinedChangeConfig = { ...DEFAULT_CHANGE_CONFIG, morphologyRadiusPx: 0 };

describe('combinedChangeInPlace', () => {
  it.each([0.5, 2, 10])(
    'gives combinedChangeMask’s mask and level bit for bit (GSD %s m), the smoothed CVA in place',
    (gsdMeters) => {
      const random = seededRandom(17);
      const length = W * H;
      const valid = Uint8Array.from({ length }, () => (random() < 0.9 ? 1 : 0));
      const cva = Float32Array.from({ length }, (_, p) =>
        valid[p] === 1
          ? random() * 2.5 * (p % W >= 10 && p % W < 25 && p > 8 * W ? 2 : 1)
          : Number.NaN,
      );
      const chi = Float32Array.from({ length }, (_, p) =>
        valid[p] === 1 ? -Math.log(1 - random()) * 8 : Number.NaN,
      );
      const input = { valid, width: W, height: H, bandCount: 4, gsdMeters };
      const core = combinedChangeMask(
        { ...input, cvaMagnitude: cva, chiSquare: chi },
        DEFAULT_CHANGE_CONFIG,
      );
      const planes = { cvaMagnitude: cva.slice(), chiSquare: chi.slice() };
      const lean = combinedChangeInPlace({ ...input, ...planes }, DEFAULT_CHANGE_CONFIG);
      expect(lean.radiusPx).toBe(core.radiusPx);
      expect(lean.chiSquareThreshold).toBe(core.chiSquareThreshold);
      expect(lean.mask).toEqual(core.mask);
      const ones = core.mask.reduce((sum, v) => sum + v, 0);
      expect(ones).toBeGreaterThan(0);
      expect(ones).toBeLessThan(valid.reduce((sum, v) => sum + v, 0));
      for (let p = 0; p < length; p += 1) {
        if (valid[p] === 0) expect(Number.isNaN(planes.cvaMagnitude[p])).toBe(true);
      }
    },
  );
});

describe('combinedChangeMap', () => {
  it('uses the radius in metres on georeferenced grids and none on pixel-only ones', () => {
    expect(combinedGridConfig(DEFAULT_CHANGE_CONFIG, 0.5).config.neighbourhoodRadiusMeters).toBe(4);
    const flat = () => 0.5;
    expect(combinedChangeMap(statistics(flat, 0.5), RAW, 1).neighbourhoodRadiusPx).toBe(8);
    expect(combinedChangeMap(statistics(flat, 2), RAW, 1).neighbourhoodRadiusPx).toBe(2);
    expect(combinedChangeMap(statistics(flat, null), RAW, 1).neighbourhoodRadiusPx).toBe(0);
  });

  it('writes the smoothed CVA mean square over its level: ≥ 1 exactly where that branch calls change', () => {
    const random = seededRandom(5);
    const noise = Float32Array.from({ length: W * H }, (_, p) => ((p % W) / 13) * (0.5 + random()));
    const input = statistics(
      (c, r) => noise[r * W + c] ?? 0,
      1,
      (c, r) => c < 2 && r < 3,
    );
    const cva = input.cvaMagnitude.slice();
    const map = combinedChangeMap(input, RAW, 1);
    expect(map.magnitude).toBe(input.cvaMagnitude);
    // The χ² plane is flat: its level is above it, so only the CVA branch can call change.
    expect(map.chiSquareThreshold).toBeGreaterThan(3);
    let changed = 0;
    for (let r = 0; r < H; r += 1) {
      for (let c = 0; c < W; c += 1) {
        const p = r * W + c;
        if (input.valid[p] === 0) {
          expect(map.mask[p]).toBe(0);
          expect(Number.isNaN(map.magnitude[p])).toBe(true);
          continue;
        }
        let sum = 0;
        let count = 0;
        for (let j = Math.max(0, r - 4); j <= Math.min(H - 1, r + 4); j += 1) {
          for (let i = Math.max(0, c - 4); i <= Math.min(W - 1, c + 4); i += 1) {
            if (input.valid[j * W + i] === 0) continue;
            const m = cva[j * W + i] ?? 0;
            sum += (m * m) / 3;
            count += 1;
          }
        }
        const expected = sum / count / DEFAULT_CHANGE_CONFIG.cvaMeanSquareThreshold;
        expect(map.magnitude[p]).toBeCloseTo(expected, 4);
        expect(map.mask[p]).toBe((map.magnitude[p] ?? 0) >= 1 ? 1 : 0);
        changed += map.mask[p] ?? 0;
      }
    }
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(W * H - 6);
    // Pixel-only: no neighbourhood, the pixel's own mean square over the level.
    const plain = statistics(
      (c, r) => noise[r * W + c] ?? 0,
      null,
      (c, r) => c < 2 && r < 3,
    );
    const own = combinedChangeMap(plain, RAW, 1);
    for (let p = 0; p < W * H; p += 1) {
      const m = noise[p] ?? 0;
      if (plain.valid[p] === 0) expect(Number.isNaN(own.magnitude[p])).toBe(true);
      else expect(own.magnitude[p]).toBeCloseTo((m * m) / 3 / 1.25, 5);
      expect(own.mask[p]).toBe((own.magnitude[p] ?? 0) >= 1 ? 1 : 0);
    }
  });

  it('cleans up: opening removes a lone pixel, the mapping unit a small block', () => {
    const spot = (c: number, r: number) =>
      (c === 5 && r === 5) || (c >= 20 && c < 24 && r >= 10 && r < 14) ? 10 : 0;
    const opened = combinedChangeMap(statistics(spot, null), DEFAULT_CHANGE_CONFIG, 1).mask;
    expect(opened[5 * W + 5]).toBe(0);
    expect(opened.reduce((s, v) => s + v, 0)).toBe(16);
    const dropped = combinedChangeMap(statistics(spot, null), DEFAULT_CHANGE_CONFIG, 17).mask;
    expect(dropped.every((v) => v === 0)).toBe(true);
  });

  it('finds no change when the CVA magnitude is 0 and χ² is flat', () => {
    const map = combinedChangeMap(
      statistics(() => 0, 0.5),
      DEFAULT_CHANGE_CONFIG,
      1,
    );
    expect(map.mask.every((v) => v === 0)).toBe(true);
    expect(map.magnitude.every((v) => v === 0)).toBe(true);
  });

  it('turns the IR-MAD branch off when χ² is rounding noise (B a linear function of A)', () => {
    const random = seededRandom(9);
    const input = statistics(() => 0, 0.5);
    for (let p = 0; p < input.chiSquare.length; p += 1) input.chiSquare[p] = random() * 1e-18;
    const map = combinedChangeMap(input, DEFAULT_CHANGE_CONFIG, 1);
    expect(map.chiSquareThreshold).toBe(Number.POSITIVE_INFINITY);
    expect(map.mask.every((v) => v === 0)).toBe(true);
    // The same noise at the χ²(3) scale is not degenerate: the branch calls its outliers.
    const scaled = statistics(() => 0, null);
    for (let p = 0; p < scaled.chiSquare.length; p += 1) scaled.chiSquare[p] = random() ** 8 * 40;
    const live = combinedChangeMap(scaled, RAW, 1);
    expect(Number.isFinite(live.chiSquareThreshold)).toBe(true);
    expect(live.mask.some((v) => v === 1)).toBe(true);
  });

  it('refuses a CVA level ≤ 0 and planes of the wrong size', () => {
    const input = statistics(() => 1, 1);
    expect(() =>
      combinedChangeMap(input, { ...DEFAULT_CHANGE_CONFIG, cvaMeanSquareThreshold: 0 }, 1),
    ).toThrow(/CVA mean-square level must be > 0, got 0/);
    expect(() =>
      combinedChangeMap({ ...input, chiSquare: new Float32Array(3) }, DEFAULT_CHANGE_CONFIG, 1),
    ).toThrow(ValidationError);
  });
});
