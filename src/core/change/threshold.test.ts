import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createHistogramAccumulator } from './histogram.ts';
import { seededNormal } from './synthetic-pair.ts';
import {
  applyThreshold,
  chiSquareProbabilityThreshold,
  chiSquareQuantile,
  hysteresisLevelsOf,
  mixtureThreshold,
  otsuThreshold,
  otsuThresholdAbove,
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

describe('otsuThresholdAbove and hysteresisLevelsOf', () => {
  /** Log- and linear-axis histograms of `values` (all valid). */
  function histograms(values: Float32Array) {
    let max = 0;
    let min = Infinity;
    for (const v of values) {
      if (v > max) max = v;
      if (v > 0 && v < min) min = v;
    }
    const log = createHistogramAccumulator({ binCount: 2048, min, max, scale: 'log' });
    const linear = createHistogramAccumulator({ binCount: 2048, min: 0, max });
    log.add(values, null);
    linear.add(values, null);
    return { log: log.result(), linear: linear.result() };
  }

  /** 94 % χ²(4)-like no-change, 5 % change spread over 30–3000 and 1 % strong (10 000). */
  function sample(seed: number): Float32Array {
    const random = seededRandom(seed);
    const normal = seededNormal(random);
    return Float32Array.from({ length: 40_000 }, () => {
      const u = random();
      if (u < 0.01) return 10_000 * Math.exp(0.1 * normal());
      if (u < 0.06) return 30 * 100 ** random();
      let z = 0;
      for (let k = 0; k < 4; k++) z += normal() ** 2;
      return z;
    });
  }

  it('splits the values above a level, never returning less than the level', () => {
    const { log } = histograms(sample(1));
    const above = otsuThresholdAbove(log, 30);
    expect(above).toBeGreaterThan(30);
    expect(above).toBeLessThan(10_000);
    expect(otsuThresholdAbove(log, 1e9)).toBe(1e9);
    expect(otsuThresholdAbove(log, Infinity)).toBe(Infinity);
  });

  it('IR-MAD: grow between the no-change and change populations, never below the no-change level', () => {
    const { log, linear } = histograms(sample(2));
    const levels = hysteresisLevelsOf({ statistic: 'irmad', log, linear, noChangeLevel: 13.28 });
    expect(levels.grow).toBeGreaterThan(13.28);
    expect(levels.grow).toBeLessThan(100);
    expect(levels.seed).toBeGreaterThanOrEqual(levels.grow);
    const high = hysteresisLevelsOf({ statistic: 'irmad', log, linear, noChangeLevel: 500 });
    expect(high.grow).toBe(500);
  });

  it('CVA: seed at Otsu, grow down to the no-change edge but never above the seed', () => {
    const { log, linear } = histograms(sample(3).map(Math.sqrt));
    const levels = hysteresisLevelsOf({ statistic: 'cva', log, linear, noChangeLevel: 3.64 });
    expect(levels.seed).toBe(otsuThresholdOf(linear));
    expect(levels.grow).toBeGreaterThanOrEqual(3.64);
    expect(levels.grow).toBeLessThan(Math.sqrt(100));
    expect(levels.grow).toBeLessThanOrEqual(levels.seed);
    const capped = hysteresisLevelsOf({ statistic: 'cva', log, linear, noChangeLevel: 1e6 });
    expect(capped.grow).toBe(capped.seed);
  });

  it('is Infinity for both levels when nothing can be separated', () => {
    const flat = createHistogramAccumulator({ binCount: 8, min: 1, max: 2, scale: 'log' });
    flat.add(Float32Array.from([1.5, 1.5]), null);
    const linear = createHistogramAccumulator({ binCount: 8, min: 0, max: 2 });
    linear.add(Float32Array.from([1.5, 1.5]), null);
    for (const statistic of ['irmad', 'cva'] as const) {
      const levels = hysteresisLevelsOf({
        statistic,
        log: flat.result(),
        linear: linear.result(),
        noChangeLevel: 1,
      });
      expect(levels.grow).toBe(Infinity);
      expect(levels.seed).toBe(Infinity);
    }
  });

  it('resolves the minimum-error kind on a histogram', () => {
    const { log } = histograms(sample(4));
    const t = resolveThreshold({ kind: 'minimum-error' }, log);
    expect(t).toBeGreaterThan(10);
    expect(t).toBeLessThan(10_000);
  });
});
