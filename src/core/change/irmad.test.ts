import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { tileWindows } from '../raster/raster.ts';
import { cvaWindow } from './cva.ts';
import { createHistogramAccumulator } from './histogram.ts';
import type { IrmadWindow } from './irmad.ts';
import {
  chiSquareSurvival,
  createIrmadAccumulator,
  madWindow,
  maxRhoChange,
  runIrmad,
  solveIrmad,
} from './irmad.ts';
import { createConfusionAccumulator } from './metrics.ts';
import { cropBands, makeSyntheticPair } from './synthetic-pair.ts';
import { applyThreshold, otsuThresholdOf } from './threshold.ts';
import { computeValidMask } from './valid-mask.ts';

const CHANGES = [
  { col0: 20, row0: 30, width: 40, height: 30 },
  { col0: 150, row0: 100, width: 50, height: 60 },
  { col0: 60, row0: 180, width: 30, height: 40 },
];

function syntheticWindow(options: { gain?: number[]; offset?: number[]; seed?: number } = {}) {
  const pair = makeSyntheticPair({
    width: 256,
    height: 256,
    bandCount: 4,
    seed: options.seed ?? 7,
    changes: CHANGES,
    gain: options.gain ?? [1.3, 1.2, 0.8, 1.1],
    offset: options.offset ?? [50, -30, 100, 0],
    noiseStd: 30,
  });
  const valid = computeValidMask(pair.bandsA, pair.bandsB, 0, 0, new Uint8Array(256 * 256));
  return { pair, window: { bandsA: pair.bandsA, bandsB: pair.bandsB, valid } };
}

function madOf(params: ReturnType<typeof solveIrmad>, window: IrmadWindow, withMad = false) {
  const length = window.valid.length;
  const out = {
    chiSquare: new Float32Array(length),
    weights: new Float32Array(length),
    mad: Array.from({ length: withMad ? params.bandCount : 0 }, () => new Float32Array(length)),
  };
  madWindow(
    params,
    window.bandsA,
    window.bandsB,
    window.valid,
    withMad ? out : { chiSquare: out.chiSquare, weights: out.weights },
  );
  return out;
}

/** Change mask by Otsu on a log histogram of Z, and its F1 against the truth. */
function otsuF1(
  values: Float32Array,
  valid: Uint8Array,
  truth: Uint8Array,
  scale: 'log' | 'linear',
) {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const histogram = createHistogramAccumulator(
    scale === 'log'
      ? { binCount: 256, min: 1e-2, max: 1e5, scale }
      : { binCount: 256, min: 0, max: max || 1 },
  );
  histogram.add(values, valid);
  const mask = new Uint8Array(values.length);
  const changed = applyThreshold(values, valid, otsuThresholdOf(histogram.result()), mask);
  const confusion = createConfusionAccumulator();
  confusion.add(mask, truth, valid);
  return { changed, f1: confusion.result().f1, mask };
}

describe('IR-MAD on hand-computed data', () => {
  it('reduces to standardised differences for one band', () => {
    const a = Float64Array.from([1, 2, 3, 4, 5]);
    const b = Float64Array.from([2, 1, 4, 3, 6]);
    const valid = new Uint8Array(5).fill(1);
    const accumulator = createIrmadAccumulator(1);
    accumulator.add([a], [b], null, valid);
    const params = solveIrmad(accumulator.moments());
    // Means 3 and 3.2; population variances 2 and 2.96; covariance 10 / 5 = 2.
    const rho = 2 / Math.sqrt(2 * 2.96);
    expect(params.rho[0]).toBeCloseTo(rho, 12);
    expect(params.a[0]).toBeCloseTo(1 / Math.sqrt(2), 12);
    expect(params.b[0]).toBeCloseTo(1 / Math.sqrt(2.96), 12);
    expect(params.madVariance[0]).toBeCloseTo(2 * (1 - rho), 12);
    const out = madOf(params, { bandsA: [a], bandsB: [b], valid }, true);
    for (let p = 0; p < 5; p++) {
      const mad = (a[p]! - 3) / Math.sqrt(2) - (b[p]! - 3.2) / Math.sqrt(2.96);
      expect(out.mad[0]![p]).toBeCloseTo(mad, 6);
      expect(out.chiSquare[p]).toBeCloseTo((mad * mad) / (2 * (1 - rho)), 5);
      // One degree of freedom: w = P(χ²₁ > Z).
      expect(Math.abs(out.weights[p]! - chiSquareSurvival(out.chiSquare[p]!, 1))).toBeLessThan(
        3e-7,
      );
    }
  });

  it('weights the covariance as a direct weighted computation does', () => {
    const a = [Float64Array.from([1, 4, 2, 8, 5, 7]), Float64Array.from([3, 3, 9, 1, 2, 6])];
    const b = [Float64Array.from([2, 5, 2, 9, 4, 8]), Float64Array.from([1, 4, 8, 2, 3, 5])];
    const w = Float32Array.from([1, 0.5, 0.25, 1, 0.75, 0.5]);
    const valid = Uint8Array.from([1, 1, 1, 1, 1, 0]);
    const accumulator = createIrmadAccumulator(2);
    accumulator.add(a, b, w, valid);
    const moments = accumulator.moments();
    const z = [...a, ...b];
    const weightOf = (p: number) => (valid[p] ? w[p]! : 0);
    const total = [0, 1, 2, 3, 4, 5].reduce((s, p) => s + weightOf(p), 0);
    expect(moments.totalWeight).toBeCloseTo(total, 6);
    expect(moments.pixelCount).toBe(5);
    const mean = z.map((band) => band.reduce((s, v, p) => s + weightOf(p) * v, 0) / total);
    for (let j = 0; j < 4; j++) {
      expect(moments.mean[j]).toBeCloseTo(mean[j]!, 12);
      for (let k = 0; k < 4; k++) {
        let expected = 0;
        for (let p = 0; p < 6; p++)
          expected += weightOf(p) * (z[j]![p]! - mean[j]!) * (z[k]![p]! - mean[k]!);
        expect(moments.comoment[j * 4 + k]).toBeCloseTo(expected, 9);
      }
    }
  });
});

describe('solveIrmad', () => {
  it('gives canonical variates: unit variance, uncorrelated, corr(Uₖ, Vₖ) = ρₖ increasing', () => {
    const { window } = syntheticWindow();
    const accumulator = createIrmadAccumulator(4);
    accumulator.add(window.bandsA, window.bandsB, null, window.valid);
    const params = solveIrmad(accumulator.moments());
    const n = 4;
    const length = window.valid.length;
    const u = Array.from({ length: n }, () => new Float64Array(length));
    const v = Array.from({ length: n }, () => new Float64Array(length));
    for (let k = 0; k < n; k++) {
      for (let p = 0; p < length; p++) {
        for (let j = 0; j < n; j++) {
          u[k]![p] = u[k]![p]! + params.a[k * n + j]! * (window.bandsA[j]![p]! - params.meanA[j]!);
          v[k]![p] = v[k]![p]! + params.b[k * n + j]! * (window.bandsB[j]![p]! - params.meanB[j]!);
        }
      }
    }
    const cov = (x: Float64Array, y: Float64Array) =>
      x.reduce((s, xi, p) => s + xi * y[p]!, 0) / length;
    for (let k = 0; k < n; k++) {
      if (k > 0) expect(params.rho[k]!).toBeGreaterThanOrEqual(params.rho[k - 1]!);
      expect(cov(u[k]!, u[k]!)).toBeCloseTo(1, 9);
      expect(cov(v[k]!, v[k]!)).toBeCloseTo(1, 9);
      expect(cov(u[k]!, v[k]!)).toBeCloseTo(params.rho[k]!, 9);
      expect(params.madVariance[k]).toBeCloseTo(2 * (1 - params.rho[k]!), 9);
      for (let l = 0; l < k; l++) {
        expect(Math.abs(cov(u[k]!, u[l]!))).toBeLessThan(1e-9);
        expect(Math.abs(cov(u[k]!, v[l]!))).toBeLessThan(1e-9);
      }
      // Sign convention: Σⱼ cov(Aⱼ, Uₖ) ≥ 0.
      const loading = window.bandsA.reduce(
        (sum, band, j) =>
          sum +
          cov(
            Float64Array.from(band, (x) => x - params.meanA[j]!),
            u[k]!,
          ),
        0,
      );
      expect(loading).toBeGreaterThan(0);
    }
  });

  it('accepts ridge regularisation and rejects λ outside [0, 1)', () => {
    const { window } = syntheticWindow();
    const accumulator = createIrmadAccumulator(4);
    accumulator.add(window.bandsA, window.bandsB, null, window.valid);
    const plain = solveIrmad(accumulator.moments());
    const ridge = solveIrmad(accumulator.moments(), { regularisation: 0.3 });
    expect(ridge.regularisation).toBe(0.3);
    expect(maxRhoChange(plain.rho, ridge.rho)).toBeGreaterThan(1e-4);
    expect(() => solveIrmad(accumulator.moments(), { regularisation: 1 })).toThrow(
      /\[0, 1\), got 1/,
    );
  });

  it('rejects a constant band and an empty accumulation', () => {
    const constant = new Uint16Array(16).fill(7);
    const varying = Uint16Array.from({ length: 16 }, (_, i) => (i * 7) % 11);
    const valid = new Uint8Array(16).fill(1);
    const accumulator = createIrmadAccumulator(2);
    accumulator.add([constant, varying], [varying, varying.map((x) => x * 3 + 1)], null, valid);
    expect(() => solveIrmad(accumulator.moments())).toThrow(/not positive definite/);
    expect(() => solveIrmad(createIrmadAccumulator(2).moments())).toThrow(ValidationError);
  });
});

describe('IR-MAD streaming', () => {
  it('gives the same moments and parameters over 4 windows as over the whole image', () => {
    const { pair, window } = syntheticWindow();
    const weights = Float32Array.from({ length: 256 * 256 }, (_, p) => ((p * 37) % 100) / 100);
    const whole = createIrmadAccumulator(4);
    whole.add(window.bandsA, window.bandsB, weights, window.valid);
    const split = createIrmadAccumulator(4);
    for (const w of tileWindows(256, 256, 128, 128)) {
      const [validW, weightsW] = [
        cropBands([window.valid], 256, w)[0]!,
        cropBands([weights], 256, w)[0]!,
      ];
      split.add(cropBands(pair.bandsA, 256, w), cropBands(pair.bandsB, 256, w), weightsW, validW);
    }
    const [a, b] = [whole.moments(), split.moments()];
    expect(b.pixelCount).toBe(a.pixelCount);
    expect(Math.abs(b.totalWeight - a.totalWeight) / a.totalWeight).toBeLessThan(1e-12);
    a.mean.forEach((v, j) => {
      expect(Math.abs(b.mean[j]! - v) / Math.abs(v)).toBeLessThan(1e-12);
    });
    const scale = Math.max(...a.comoment.map(Math.abs));
    a.comoment.forEach((v, j) => {
      expect(Math.abs(b.comoment[j]! - v) / scale).toBeLessThan(1e-12);
    });
    const [pa, pb] = [solveIrmad(a), solveIrmad(b)];
    pa.rho.forEach((v, k) => {
      expect(Math.abs(pb.rho[k]! - v) / v).toBeLessThan(1e-9);
    });
    pa.a.forEach((v, k) => {
      expect(Math.abs(pb.a[k]! - v)).toBeLessThan(1e-9 * Math.max(...pa.a.map(Math.abs)));
    });
  });

  it('merges moments accumulated separately (e.g. by workers)', () => {
    const { pair, window } = syntheticWindow();
    const whole = createIrmadAccumulator(4);
    whole.add(window.bandsA, window.bandsB, null, window.valid);
    const [top, bottom] = tileWindows(256, 256, 256, 128);
    const parts = [top!, bottom!].map((w) => {
      const accumulator = createIrmadAccumulator(4);
      accumulator.add(
        cropBands(pair.bandsA, 256, w),
        cropBands(pair.bandsB, 256, w),
        null,
        cropBands([window.valid], 256, w)[0]!,
      );
      return accumulator.moments();
    });
    const merged = createIrmadAccumulator(4);
    for (const part of parts) merged.addMoments(part);
    const scale = Math.max(...whole.moments().comoment.map(Math.abs));
    whole.moments().comoment.forEach((v, j) => {
      expect(Math.abs(merged.moments().comoment[j]! - v) / scale).toBeLessThan(1e-12);
    });
  });

  it('is not fooled by a large offset (float64 sums centred per chunk)', () => {
    const a = Float64Array.from({ length: 5000 }, (_, i) => 1e9 + (i % 7));
    const b = Float64Array.from({ length: 5000 }, (_, i) => 1e9 + (i % 7) + ((i * 13) % 5));
    const accumulator = createIrmadAccumulator(1);
    accumulator.add([a], [b], null, new Uint8Array(5000).fill(1));
    const moments = accumulator.moments();
    const mean = a.reduce((s, v) => s + (v - 1e9), 0) / 5000;
    const variance = a.reduce((s, v) => s + (v - 1e9 - mean) ** 2, 0) / 5000;
    expect(moments.comoment[0]! / 5000).toBeCloseTo(variance, 9);
  });
});

describe('runIrmad on a synthetic pair', () => {
  it('finds the changed rectangles with Otsu (F1 > 0.9) where CVA without normalisation does worse', () => {
    const { pair, window } = syntheticWindow();
    const result = runIrmad(() => [window], { iterations: 5 });
    expect(result.rhoHistory).toHaveLength(result.iterations);
    const out = madOf(result.parameters, window);
    const irmad = otsuF1(out.chiSquare, window.valid, pair.truth, 'log');
    const magnitude = new Float32Array(256 * 256);
    cvaWindow(pair.bandsA, pair.bandsB, 0, 0, { magnitude, valid: new Uint8Array(256 * 256) });
    const cva = otsuF1(magnitude, window.valid, pair.truth, 'linear');
    expect(irmad.f1).toBeGreaterThan(0.9);
    expect(cva.f1).toBeLessThan(irmad.f1 - 0.1);
  });

  it('reports no change at all for identical images', () => {
    const { pair } = syntheticWindow();
    const valid = computeValidMask(pair.bandsA, pair.bandsA, 0, 0, new Uint8Array(256 * 256));
    const window = { bandsA: pair.bandsA, bandsB: pair.bandsA, valid };
    const result = runIrmad(() => [window], { iterations: 5 });
    expect(result.parameters.rho.every((r) => r > 1 - 1e-9)).toBe(true);
    const out = madOf(result.parameters, window);
    expect(Math.max(...out.chiSquare)).toBeLessThan(1e-6);
    expect(otsuF1(out.chiSquare, valid, new Uint8Array(256 * 256), 'log').changed).toBe(0);
  });

  it('never counts nodata pixels as change', () => {
    const { pair } = syntheticWindow();
    // Nodata (0) in A over half of the first change rectangle, in B over a stripe.
    for (let y = 30; y < 60; y++) for (let x = 20; x < 40; x++) pair.bandsA[1]![y * 256 + x] = 0;
    for (let y = 0; y < 256; y++) for (let x = 150; x < 160; x++) pair.bandsB[3]![y * 256 + x] = 0;
    const valid = computeValidMask(pair.bandsA, pair.bandsB, 0, 0, new Uint8Array(256 * 256));
    const window = { bandsA: pair.bandsA, bandsB: pair.bandsB, valid };
    const out = madOf(runIrmad(() => [window], { iterations: 5 }).parameters, window);
    const { mask } = otsuF1(out.chiSquare, valid, pair.truth, 'log');
    let invalid = 0;
    for (let p = 0; p < valid.length; p++) {
      if (valid[p] === 1) continue;
      invalid++;
      expect(mask[p]).toBe(0);
      expect(out.weights[p]).toBe(0);
      expect(out.chiSquare[p]).toBeNaN();
    }
    expect(invalid).toBe(20 * 30 + 10 * 256);
  });

  it('stops when ρ settles and validates its options', () => {
    const { window } = syntheticWindow();
    const loose = runIrmad(() => [window], { iterations: 50, tolerance: 0.05 });
    expect(loose.converged).toBe(true);
    expect(loose.iterations).toBeLessThan(50);
    const once = runIrmad(() => [window], { iterations: 1 });
    expect(once.converged).toBe(false);
    expect(() => runIrmad(() => [window], { iterations: 0 })).toThrow(/positive integer, got 0/);
    expect(() => runIrmad(() => [], { iterations: 2 })).toThrow(/no window/);
  });
});
