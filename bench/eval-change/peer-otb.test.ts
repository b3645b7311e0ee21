import { describe, expect, it } from 'vitest';
import { seededNormal } from '../../src/core/change/synthetic-pair.ts';
import { chiSquareOfMad, maskAbove, otsuOnLog } from './peer-otb.ts';
import { seededRandom } from '../../src/core/random.ts';

describe('chiSquareOfMad', () => {
  it('sums squared standardised MAD bands and propagates NaN', () => {
    const z = chiSquareOfMad([
      Float32Array.from([1, -1, 1, -1, Number.NaN]),
      Float32Array.from([2, 2, -2, -2, 0]),
    ]);
    // band 1: mean 0, σ² 1; band 2: mean 0, σ² 3.2 over 5 values → 4 / 3.2 = 1.25
    expect(Array.from(z.subarray(0, 4))).toEqual([2.25, 2.25, 2.25, 2.25]);
    expect(z[4]).toBeNaN();
  });
});

describe('otsuOnLog and maskAbove', () => {
  it('separates two log-normal populations', () => {
    const normal = seededNormal(seededRandom(3));
    const values = Float32Array.from({ length: 4000 }, (_, i) =>
      Math.exp((i < 3000 ? 0 : 4) + 0.5 * normal()),
    );
    const threshold = otsuOnLog(values);
    expect(Math.log(threshold)).toBeGreaterThan(1);
    expect(Math.log(threshold)).toBeLessThan(3);
    const mask = maskAbove(values, threshold);
    const changed = mask.reduce((a, b) => a + b, 0);
    expect(Math.abs(changed - 1000)).toBeLessThan(30);
    expect(maskAbove(Float32Array.from([Number.NaN, 5]), 1)).toEqual(Uint8Array.from([0, 1]));
  });

  it('returns Infinity when there is nothing to separate', () => {
    expect(otsuOnLog(Float32Array.from([2, 2, 2]))).toBe(Infinity);
  });
});
