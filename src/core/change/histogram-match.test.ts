import { describe, expect, it } from 'vitest';
import { createHistogramAccumulator } from './histogram.ts';
import { applyHistogramMatch, createHistogramMatch } from './histogram-match.ts';
import { makeSyntheticPair } from './synthetic-pair.ts';

describe('histogram matching', () => {
  function histogramOf(band: ArrayLike<number> & Iterable<number>, binCount = 512) {
    const h = createHistogramAccumulator({ binCount, min: 0, max: 8192 });
    h.add(Float64Array.from(band), null);
    return h.result();
  }

  it('maps a band onto itself as the identity, gaps between clusters included', () => {
    const { bandsA } = makeSyntheticPair({ width: 64, height: 64, bandCount: 1, seed: 8 });
    const histogram = histogramOf(bandsA[0]!);
    const matched = applyHistogramMatch(bandsA[0]!, createHistogramMatch(histogram, histogram));
    matched.forEach((v, p) => {
      expect(Math.abs(v - bandsA[0]![p]!)).toBeLessThan(1e-3);
    });
  });

  it('undoes a monotone radiometric change', () => {
    const { bandsA } = makeSyntheticPair({
      width: 64,
      height: 64,
      bandCount: 1,
      seed: 8,
      noiseStd: 40,
    });
    const a = bandsA[0]!;
    const b = Float64Array.from(a, (v) => 0.5 * v + 300);
    const matched = applyHistogramMatch(b, createHistogramMatch(histogramOf(a), histogramOf(b)), {
      nodata: -1,
    });
    let error = 0;
    matched.forEach((v, p) => (error += Math.abs(v - a[p]!)));
    expect(error / a.length).toBeLessThan(20);
  });

  it('is monotone, keeps nodata as NaN, and rejects empty histograms', () => {
    const h = histogramOf([10, 20, 30, 4000]);
    const match = createHistogramMatch(h, h);
    const out = applyHistogramMatch(Float32Array.from([5, 10, 100, 9000, Number.NaN, 7]), match, {
      nodata: 7,
    });
    expect(out[1]!).toBeGreaterThanOrEqual(out[0]!);
    expect(out[2]!).toBeGreaterThanOrEqual(out[1]!);
    expect(out[3]!).toBeGreaterThanOrEqual(out[2]!);
    expect(out[4]).toBeNaN();
    expect(out[5]).toBeNaN();
    expect(() => createHistogramMatch(h, histogramOf([]))).toThrow(/non-empty histograms/);
  });
});
