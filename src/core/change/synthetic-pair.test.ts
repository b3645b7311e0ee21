import { describe, expect, it } from 'vitest';
import { cropBands, makeSyntheticPair, seededNormal } from './synthetic-pair.ts';
import { seededRandom } from '../random.ts';

describe('makeSyntheticPair', () => {
  it('is reproducible from its seed and marks exactly the change rectangles', () => {
    const options = {
      width: 40,
      height: 30,
      bandCount: 2,
      seed: 99,
      changes: [{ col0: 5, row0: 6, width: 10, height: 4 }],
    };
    const first = makeSyntheticPair(options);
    const second = makeSyntheticPair(options);
    expect(first.bandsB[1]).toEqual(second.bandsB[1]);
    expect(first.truth.reduce((s, v) => s + v, 0)).toBe(40);
    expect(first.truth[6 * 40 + 5]).toBe(1);
    expect(first.truth[10 * 40 + 5]).toBe(0);
    expect(makeSyntheticPair({ ...options, seed: 100 }).bandsA[0]).not.toEqual(first.bandsA[0]);
    expect(Math.min(...first.bandsA[0]!)).toBeGreaterThanOrEqual(1);
  });

  it('crops windows out of full bands', () => {
    const band = Uint16Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(cropBands([band], 4, { col0: 1, row0: 1, width: 2, height: 2 })[0]!)).toEqual(
      [5, 6, 9, 10],
    );
  });

  it('draws standard normal samples', () => {
    const normal = seededNormal(seededRandom(1));
    const samples = Array.from({ length: 20_000 }, normal);
    const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
    const variance = samples.reduce((s, v) => s + (v - mean) ** 2, 0) / samples.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
