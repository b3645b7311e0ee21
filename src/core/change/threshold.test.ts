import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createHistogramAccumulator } from './histogram.ts';
import { seededNormal } from './synthetic-pair.ts';
import {
  applyThreshold,
  chiSquareProbabilityThreshold,
  chiSquareQuantile,
  mixtureThreshold,
  otsuThreshold,
  otsuThresholdOf,
  resolveThreshold,
} from './threshold.ts';
import { seededRandom } from '../random.ts';

describe('otsuThreshold', () => {
  it('splits a hand-made bimodal histogram in the middle of the gap', () => {
    // Classes in bins 0–1 and 6–7; bins 2–5 empty: any boundary from 2 to 6 ties, the middle is 4.
    const histogram = Float64Array.from([5, 5, 0, 0, 0, 0, 5, 5]);
    expect(otsuThreshold(histogram, 10, 0.5)).toBe(10 + 4 * 0.5);
  });

  it('maximises the between-class variance (checked by brute force)', () => {
    const histogram = Float64Array.from([1, 4, 9, 6, 2, 1, 0, 3, 7, 3]);
    const t = otsuThreshold(histogram, 0, 1);
    const between = (k: number) => {
      let w0 = 0;
      let s0 = 0;
      let total = 0;
      let sum = 0;
      histogram.forEach((c, i) => {
        total += c;
        sum += c * i;
        if (i < k) {
          w0 += c;
          s0 += c * i;
        }
      });
      const w1 = total - w0;
      return w0 * w1 * (s0 / w0 - (sum - s0) / w1) ** 2;
    };
    for (let k = 1; k < histogram.length; k++)
      expect(between(t)).toBeGreaterThanOrEqual(between(k));
  });

  it('returns Infinity when nothing can be separated', () => {
    expect(otsuThreshold(Float64Array.from([0, 7, 0]), 0, 1)).toBe(Infinity);
    expect(otsuThreshold(new Float64Array(5), 0, 1)).toBe(Infinity);
  });

  it('rejects negative counts and non-positive widths', () => {
    expect(() => otsuThreshold(Float64Array.from([1, -1]), 0, 1)).toThrow(/bin 1 has count -1/);
    expect(() => otsuThreshold(Float64Array.from([1, 1]), 0, 0)).toThrow(ValidationError);
  });

  it('works in value units on a log histogram', () => {
    const histogram = createHistogramAccumulator({
      binCount: 50,
      min: 0.01,
      max: 1e4,
      scale: 'log',
    });
    histogram.add(Float32Array.from([0.5, 0.6, 0.8, 1, 1.2, 900, 1000, 1100]), null);
    const t = otsuThresholdOf(histogram.result());
    expect(t).toBeGreaterThan(1.2);
    expect(t).toBeLessThan(900);
  });
});

describe('mixtureThreshold', () => {
  function bimodal(
    seed: number,
    weight0: number,
    mean0: number,
    std0: number,
    mean1: number,
    std1: number,
  ) {
    const uniform = seededRandom(seed);
    const normal = seededNormal(uniform);
    const values = Float64Array.from({ length: 50_000 }, () =>
      uniform() < weight0 ? mean0 + std0 * normal() : mean1 + std1 * normal(),
    );
    const histogram = createHistogramAccumulator({ binCount: 200, min: -10, max: 30 });
    histogram.add(values, null);
    return histogram.result();
  }

  it('recovers the components of a sampled two-Gaussian mixture', () => {
    const histogram = bimodal(3, 0.9, 0, 1, 10, 3);
    const fit = mixtureThreshold(histogram.counts, histogram.axisMin, histogram.axisWidth);
    expect(fit.converged).toBe(true);
    expect(fit.fellBackToOtsu).toBe(false);
    const [low, high] = fit.components;
    expect(low.weight).toBeCloseTo(0.9, 2);
    expect(low.mean).toBeCloseTo(0, 1);
    expect(low.stdDev).toBeCloseTo(1, 1);
    expect(high.mean).toBeCloseTo(10, 0);
    expect(high.stdDev).toBeCloseTo(3, 0);
    // Crossing of 0.9 N(0, 1) and 0.1 N(10, 3): root of 8.851 − 1.111x − 0.4444x² = 0, x ≈ 3.38.
    expect(fit.threshold).toBeCloseTo(3.38, 1);
  });

  it('returns Infinity for a single-valued histogram', () => {
    const fit = mixtureThreshold(Float64Array.from([0, 9, 0]), 0, 1);
    expect(fit.threshold).toBe(Infinity);
    expect(fit.fellBackToOtsu).toBe(true);
  });
});

describe('resolveThreshold and applyThreshold', () => {
  const histogram = (() => {
    const h = createHistogramAccumulator({ binCount: 10, min: 0, max: 10 });
    h.add(Float32Array.from([1, 1, 1, 2, 8, 9]), null);
    return h.result();
  })();

  it('resolves each method, the user override included', () => {
    expect(resolveThreshold({ kind: 'fixed', value: 4.5 }, null)).toBe(4.5);
    expect(resolveThreshold({ kind: 'otsu' }, histogram)).toBe(otsuThresholdOf(histogram));
    expect(
      resolveThreshold({ kind: 'chi-square-probability', probability: 0.95 }, null, 4),
    ).toBeCloseTo(9.487729036781154, 10);
    const mixture = resolveThreshold({ kind: 'mixture' }, histogram);
    expect(mixture).toBeGreaterThan(2);
    expect(mixture).toBeLessThan(8);
    expect(() => resolveThreshold({ kind: 'otsu' }, null)).toThrow(/needs a histogram/);
    expect(() =>
      resolveThreshold({ kind: 'chi-square-probability', probability: 0.9 }, null),
    ).toThrow(/band count/);
  });

  it('thresholds at change probability p: P_χ²(Z; n) ≥ p exactly where Z ≥ the quantile', () => {
    expect(chiSquareProbabilityThreshold(0.99, 3)).toBe(chiSquareQuantile(0.99, 3));
  });

  it('marks valid values at or above the threshold, never NaN or invalid pixels', () => {
    const out = new Uint8Array(5);
    const changed = applyThreshold(
      Float32Array.from([1, 5, 7, Number.NaN, 9]),
      Uint8Array.from([1, 1, 1, 1, 0]),
      5,
      out,
    );
    expect(Array.from(out)).toEqual([0, 1, 1, 0, 0]);
    expect(changed).toBe(2);
    expect(() => applyThreshold(new Float32Array(2), null, 1, new Uint8Array(3))).toThrow(
      ValidationError,
    );
  });
});
