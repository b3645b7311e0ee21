import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { seededRandom } from '../random.ts';
import { minimumErrorThreshold } from './minimum-error-threshold.ts';
import { otsuThreshold } from './otsu-threshold.ts';

/** Expected counts of a Gaussian mixture on bins [min + i·width, …), scaled to `total`. */
function mixtureHistogram(
  components: readonly { weight: number; mean: number; sd: number }[],
  min: number,
  width: number,
  bins: number,
  total = 1e6,
): Float64Array {
  const out = new Float64Array(bins);
  for (let i = 0; i < bins; i++) {
    const x = min + (i + 0.5) * width;
    for (const c of components) {
      const z = (x - c.mean) / c.sd;
      out[i] =
        (out[i] ?? 0) +
        (total * c.weight * width * Math.exp(-0.5 * z * z)) / (c.sd * Math.sqrt(2 * Math.PI));
    }
  }
  return out;
}

/** Where w0·N(m0, s0) = w1·N(m1, s1) between the means (bisection): the Bayes boundary. */
function bayesBoundary(
  a: { weight: number; mean: number; sd: number },
  b: { weight: number; mean: number; sd: number },
): number {
  const log = (c: typeof a, x: number) =>
    Math.log(c.weight / c.sd) - 0.5 * ((x - c.mean) / c.sd) ** 2;
  let low = a.mean;
  let high = b.mean;
  for (let i = 0; i < 100; i++) {
    const middle = 0.5 * (low + high);
    if (log(a, middle) > log(b, middle)) low = middle;
    else high = middle;
  }
  return 0.5 * (low + high);
}

describe('minimumErrorThreshold', () => {
  it('finds the Bayes boundary of a narrow dominant class next to a small wide one, where Otsu drifts', () => {
    const noChange = { weight: 0.95, mean: -2, sd: 0.4 };
    const change = { weight: 0.05, mean: 1.5, sd: 1.2 };
    const histogram = mixtureHistogram([noChange, change], -5, 0.02, 500);
    const bayes = bayesBoundary(noChange, change);
    const ki = minimumErrorThreshold(histogram, -5, 0.02);
    const otsu = otsuThreshold(histogram, -5, 0.02);
    expect(Math.abs(ki - bayes)).toBeLessThan(0.1);
    expect(Math.abs(otsu - bayes)).toBeGreaterThan(3 * Math.abs(ki - bayes));
  });

  it('is the brute-force minimum of J over the bin boundaries', () => {
    const random = seededRandom(7);
    const histogram = Float64Array.from({ length: 40 }, () => Math.floor(random() * 50));
    const t = minimumErrorThreshold(histogram, 0, 1);
    const criterion = (k: number) => {
      const part = (from: number, to: number) => {
        let n = 0;
        let s = 0;
        let q = 0;
        for (let i = from; i < to; i++) {
          const c = histogram[i] ?? 0;
          n += c;
          s += c * (i + 0.5);
          q += c * (i + 0.5) ** 2;
        }
        return { n, variance: Math.max(1 / 12, q / n - (s / n) ** 2) };
      };
      const a = part(0, k);
      const b = part(k, histogram.length);
      const total = a.n + b.n;
      const p0 = a.n / total;
      const p1 = b.n / total;
      return (
        p0 * Math.log(a.variance) +
        p1 * Math.log(b.variance) -
        2 * (p0 * Math.log(p0) + p1 * Math.log(p1))
      );
    };
    const best = criterion(t);
    for (let k = 1; k < histogram.length; k++) {
      const j = criterion(k);
      if (Number.isFinite(j)) expect(best).toBeLessThanOrEqual(j + 1e-12);
    }
  });

  it('does not depend on the number of pixels, and moves with the axis', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 20; trial++) {
      const histogram = Float64Array.from({ length: 64 }, () => Math.floor(random() * 100));
      const scaled = histogram.map((c) => c * 17);
      const t = minimumErrorThreshold(histogram, 0, 0.5);
      expect(minimumErrorThreshold(scaled, 0, 0.5)).toBe(t);
      expect(minimumErrorThreshold(histogram, 3, 0.5)).toBeCloseTo(t + 3, 12);
    }
  });

  it('returns Infinity when nothing can be separated, and rejects bad input naming it', () => {
    expect(minimumErrorThreshold(Float64Array.from([0, 7, 0]), 0, 1)).toBe(Infinity);
    expect(minimumErrorThreshold(new Float64Array(4), 0, 1)).toBe(Infinity);
    expect(() => minimumErrorThreshold(Float64Array.from([1, -2]), 0, 1)).toThrow(
      /bin 1 has count -2/,
    );
    expect(() => minimumErrorThreshold(Float64Array.from([1, 1]), 0, 0)).toThrow(ValidationError);
  });
});
