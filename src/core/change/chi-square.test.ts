import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  chiSquareCdf,
  chiSquareQuantile,
  chiSquareSurvival,
  chiSquareSurvivalFast,
  logGamma,
} from './chi-square.ts';

// Reference values from scipy.stats.chi2 (cdf, sf, ppf), scipy 1.17.
const CDF_CASES: [x: number, k: number, cdf: number, sf: number][] = [
  [9.4877, 4, 0.9499994004587653, 0.050000599541234675],
  [22.362, 13, 0.9499995404212462, 0.050000459578753736],
  [1, 1, 0.6826894921370859, 0.31731050786291115],
  [0.001, 3, 8.40791905804616e-6, 0.9999915920809419],
  [50, 3, 0.9999999999201082, 7.989179244951495e-11],
  [100, 13, 0.9999999999999983, 1.659026080708587e-15],
  [3, 2.5, 0.6941503705541809, 0.30584962944581906],
  [0.5, 7, 0.000553518609575035, 0.9994464813904249],
  [30, 10, 0.9991433587892247, 0.000856641210775301],
  [1e-6, 1, 0.0007978844278221254, 0.9992021155721779],
  [200, 50, 1, 7.857610724654791e-20],
];

const QUANTILE_CASES: [p: number, k: number, x: number][] = [
  [0.95, 4, 9.487729036781154],
  [0.95, 13, 22.362032494826934],
  [0.99, 3, 11.344866730144373],
  [0.5, 1, 0.454936423119572],
  [1e-6, 2, 2.0000010000006676e-6],
  [0.999999, 8, 42.70091392647789],
  [0.95, 1, 3.841458820694124],
];

describe('chiSquareCdf', () => {
  it.each(CDF_CASES)('cdf(%d; k=%d) matches scipy to 1e-10', (x, k, cdf, sf) => {
    expect(Math.abs(chiSquareCdf(x, k) - cdf)).toBeLessThan(1e-10);
    expect(Math.abs(chiSquareSurvival(x, k) - sf)).toBeLessThan(1e-10);
  });

  it('gives 0.95 at the tabulated 95 % points for k = 4 and k = 13', () => {
    expect(chiSquareCdf(9.4877, 4)).toBeCloseTo(0.95, 5);
    expect(chiSquareCdf(22.362, 13)).toBeCloseTo(0.95, 5);
  });

  it('keeps relative accuracy in the far upper tail', () => {
    for (const [x, k, , sf] of CDF_CASES) {
      if (sf < 1e-3) expect(Math.abs(chiSquareSurvival(x, k) - sf) / sf).toBeLessThan(1e-9);
    }
  });

  it('equals the closed form 1 − e^(−x/2) for k = 2', () => {
    for (const x of [1e-8, 0.3, 2, 7.5, 40]) {
      expect(chiSquareCdf(x, 2)).toBeCloseTo(-Math.expm1(-x / 2), 14);
    }
  });

  it('handles the ends and rejects bad degrees of freedom', () => {
    expect(chiSquareCdf(0, 3)).toBe(0);
    expect(chiSquareCdf(-1, 3)).toBe(0);
    expect(chiSquareCdf(Infinity, 3)).toBe(1);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareCdf(Number.NaN, 3)).toBeNaN();
    expect(() => chiSquareCdf(1, 0)).toThrow(ValidationError);
    expect(() => chiSquareCdf(1, Number.NaN)).toThrow(/degrees of freedom/);
  });
});

describe('logGamma', () => {
  it('matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13);
  });
});

describe('chiSquareSurvivalFast', () => {
  it('agrees with the accurate survival function for integer k', () => {
    for (let k = 1; k <= 16; k++) {
      for (const x of [0, 1e-6, 0.01, 0.5, 1, 3, 7, 15, 30, 80]) {
        const tolerance = k % 2 === 0 ? 1e-13 : 2e-7;
        expect(Math.abs(chiSquareSurvivalFast(x, k) - chiSquareSurvival(x, k))).toBeLessThan(
          tolerance,
        );
      }
    }
  });

  it('maps NaN to NaN and non-positive values to 1', () => {
    expect(chiSquareSurvivalFast(Number.NaN, 4)).toBeNaN();
    expect(chiSquareSurvivalFast(-2, 4)).toBe(1);
  });
});

describe('chiSquareQuantile', () => {
  it.each(QUANTILE_CASES)('quantile(%d; k=%d) matches scipy', (p, k, x) => {
    expect(Math.abs(chiSquareQuantile(p, k) - x) / x).toBeLessThan(1e-10);
  });

  it('inverts the cdf', () => {
    for (const k of [1, 2, 3.5, 6, 40]) {
      for (const p of [1e-9, 0.01, 0.5, 0.9, 0.999999]) {
        expect(chiSquareCdf(chiSquareQuantile(p, k), k)).toBeCloseTo(p, 12);
      }
    }
  });

  it('handles the ends and rejects probabilities outside [0, 1]', () => {
    expect(chiSquareQuantile(0, 4)).toBe(0);
    expect(chiSquareQuantile(1, 4)).toBe(Infinity);
    expect(() => chiSquareQuantile(1.5, 4)).toThrow(/\[0, 1\], got 1.5/);
    expect(() => chiSquareQuantile(0.5, -1)).toThrow(ValidationError);
  });
});
