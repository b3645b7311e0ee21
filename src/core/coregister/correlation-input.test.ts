import { describe, expect, it } from 'vitest';
import {
  checkImage,
  dataStats,
  hannWeights,
  isFlat,
  prepareForCorrelation,
} from './correlation-input.ts';

describe('correlation input', () => {
  it('computes Hann weights that are symmetric, positive and peak at the centre', () => {
    const w = hannWeights(8);
    expect(w[0]).toBeGreaterThan(0);
    for (let i = 0; i < 8; i++) expect(w[i]).toBeCloseTo(w[7 - i]!, 15);
    expect(Math.max(...w)).toBe(w[3]);
  });

  it('fills missing samples with the mean, centres, windows and zero-pads', () => {
    const image = new Float64Array([1, Number.NaN, 3, -5]);
    const stats = dataStats(image, -5);
    expect(stats).toEqual({ mean: 2, min: 1, max: 3, count: 2 });
    const out = prepareForCorrelation(
      image,
      2,
      2,
      { width: 4, height: 4 },
      { window: 'none', nodata: -5, mean: 2 },
    );
    expect(Array.from(out.subarray(0, 4))).toEqual([-1, 0, 0, 0]);
    expect(Array.from(out.subarray(4, 8))).toEqual([1, 0, 0, 0]);
    expect(out.subarray(8).every((v) => v === 0)).toBe(true);
  });

  it('calls an image flat when empty or constant to 1e-12', () => {
    expect(isFlat(dataStats(new Float64Array([2, 2, 2]), null))).toBe(true);
    expect(isFlat(dataStats(new Float64Array([Number.NaN]), null))).toBe(true);
    expect(isFlat(dataStats(new Float64Array([2, 2.001]), null))).toBe(false);
  });

  it('names the expected and actual sizes', () => {
    expect(() => {
      checkImage(new Float32Array(5), 2, 2, 'thing', 1);
    }).toThrow(/thing: expected 2 × 2 = 4 samples; got 5/);
  });
});
