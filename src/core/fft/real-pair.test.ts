import { describe, expect, it } from 'vitest';
import { randomArray } from '../coregister/test-support.ts';
import { ValidationError } from '../errors.ts';
import { fft2d } from './fft.ts';
import { fft2dRealPair } from './real-pair.ts';

function spectrum(real: Float64Array, width: number, height: number): [Float64Array, Float64Array] {
  const re = real.slice();
  const im = new Float64Array(real.length);
  fft2d(re, im, width, height);
  return [re, im];
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('fft2dRealPair', () => {
  for (const [width, height] of [
    [1, 1],
    [2, 4],
    [32, 16],
    [64, 64],
  ] as const) {
    it(`equals two separate complex FFTs on ${width} × ${height}`, () => {
      const a = randomArray(width * height, width + 1);
      const b = randomArray(width * height, height + 7);
      const [aRe, aIm] = spectrum(a, width, height);
      const [bRe, bIm] = spectrum(b, width, height);
      const pair = fft2dRealPair(a, b, width, height);
      expect(maxAbsDiff(pair.aRe, aRe)).toBeLessThan(1e-9);
      expect(maxAbsDiff(pair.aIm, aIm)).toBeLessThan(1e-9);
      expect(maxAbsDiff(pair.bRe, bRe)).toBeLessThan(1e-9);
      expect(maxAbsDiff(pair.bIm, bIm)).toBeLessThan(1e-9);
    });
  }

  it('leaves its inputs untouched and rejects mismatched lengths', () => {
    const a = randomArray(16, 1);
    const copy = a.slice();
    fft2dRealPair(a, a, 4, 4);
    expect(a).toEqual(copy);
    expect(() => fft2dRealPair(a, new Float64Array(8), 4, 4)).toThrow(ValidationError);
  });
});
