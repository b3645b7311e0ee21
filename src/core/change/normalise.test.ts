import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { tileWindows } from '../raster/raster.ts';
import { madWindow, runIrmad } from './irmad.ts';
import {
  applyNormalisation,
  createNormalisationAccumulator,
  orthogonalRegression,
} from './normalise.ts';
import { cropBands, makeSyntheticPair } from './synthetic-pair.ts';
import { computeValidMask } from './valid-mask.ts';

const GAIN = [1.3, 1.2, 0.8, 1.1];
const OFFSET = [50, -30, 100, 0];

describe('orthogonalRegression', () => {
  it('fits the hand-computed total least squares line', () => {
    // x = 0, 1, 2; y = 0, 1, 3: sxx = 2, syy = 14/3, sxy = 3.
    const fit = orthogonalRegression({
      count: 3,
      meanX: 1,
      meanY: 4 / 3,
      sxx: 2,
      syy: 14 / 3,
      sxy: 3,
    });
    const spread = 14 / 3 - 2;
    const gain = (spread + Math.sqrt(spread * spread + 36)) / 6;
    expect(fit?.gain).toBeCloseTo(gain, 14);
    expect(fit?.offset).toBeCloseTo(4 / 3 - gain, 14);
    expect(
      orthogonalRegression({ count: 3, meanX: 0, meanY: 0, sxx: 1, syy: 1, sxy: -1 }),
    ).toBeNull();
  });
});

describe('relative normalisation', () => {
  it('is the identity when an image is normalised against itself', () => {
    const pair = makeSyntheticPair({ width: 64, height: 64, bandCount: 4, seed: 2 });
    const valid = new Uint8Array(64 * 64).fill(1);
    const accumulator = createNormalisationAccumulator(4);
    accumulator.add(pair.bandsA, pair.bandsA, null, valid);
    const params = accumulator.result();
    params.gain.forEach((g) => {
      expect(g).toBeCloseTo(1, 12);
    });
    params.offset.forEach((o) => {
      expect(Math.abs(o)).toBeLessThan(1e-8);
    });
    params.correlation.forEach((r) => {
      expect(r).toBeCloseTo(1, 12);
    });
    const normalised = applyNormalisation(pair.bandsA, params);
    normalised.forEach((band, j) => {
      band.forEach((v, p) => {
        expect(Math.abs(v - pair.bandsA[j]![p]!)).toBeLessThan(1e-3);
      });
    });
  });

  it('recovers a synthetic gain and offset from IR-MAD no-change pixels', () => {
    const pair = makeSyntheticPair({
      width: 256,
      height: 256,
      bandCount: 4,
      seed: 7,
      changes: [
        { col0: 20, row0: 30, width: 40, height: 30 },
        { col0: 150, row0: 100, width: 50, height: 60 },
      ],
      gain: GAIN,
      offset: OFFSET,
      noiseStd: 10,
    });
    const valid = computeValidMask(pair.bandsA, pair.bandsB, 0, 0, new Uint8Array(256 * 256));
    const window = { bandsA: pair.bandsA, bandsB: pair.bandsB, valid };
    const { parameters } = runIrmad(() => [window], { iterations: 5 });
    const chiSquare = new Float32Array(256 * 256);
    const weights = new Float32Array(256 * 256);
    madWindow(parameters, pair.bandsA, pair.bandsB, valid, { chiSquare, weights });
    const accumulator = createNormalisationAccumulator(4, { minNoChangeProbability: 0.95 });
    accumulator.add(pair.bandsA, pair.bandsB, weights, valid);
    const params = accumulator.result();
    let invariantChanged = 0;
    for (let p = 0; p < weights.length; p++)
      if (weights[p]! > 0.95 && pair.truth[p]) invariantChanged++;
    expect(invariantChanged).toBe(0);
    // B = g·A + o, so B → A is A = B / g − o / g.
    GAIN.forEach((g, j) => {
      expect(Math.abs(params.gain[j]! - 1 / g)).toBeLessThan(2e-3);
      expect(Math.abs(params.offset[j]! + OFFSET[j]! / g)).toBeLessThan(5);
    });
    const normalised = applyNormalisation(pair.bandsB, params, { nodata: 0 });
    let error = 0;
    let count = 0;
    for (let p = 0; p < valid.length; p++) {
      if (pair.truth[p] || !valid[p]) continue;
      error += Math.abs(normalised[0]![p]! - pair.bandsA[0]![p]!);
      count++;
    }
    // Mean absolute residual of no-change pixels ≈ noise level (√2 · 10 · √(2/π) ≈ 11).
    expect(error / count).toBeLessThan(15);
  });

  it('does not depend on the window split', () => {
    const pair = makeSyntheticPair({
      width: 64,
      height: 64,
      bandCount: 2,
      seed: 4,
      gain: [2, 0.5],
    });
    const valid = new Uint8Array(64 * 64).fill(1);
    const probability = Float32Array.from({ length: 64 * 64 }, (_, p) =>
      p % 3 === 0 ? 0.5 : 0.99,
    );
    const whole = createNormalisationAccumulator(2);
    whole.add(pair.bandsA, pair.bandsB, probability, valid);
    const split = createNormalisationAccumulator(2);
    for (const w of tileWindows(64, 64, 32, 32)) {
      split.add(
        cropBands(pair.bandsA, 64, w),
        cropBands(pair.bandsB, 64, w),
        cropBands([probability], 64, w)[0]!,
        cropBands([valid], 64, w)[0]!,
      );
    }
    const [a, b] = [whole.result(), split.result()];
    expect(b.pixelCount).toBe(a.pixelCount);
    a.gain.forEach((g, j) => {
      expect(Math.abs(b.gain[j]! - g) / g).toBeLessThan(1e-9);
    });
  });

  it('keeps nodata as NaN and reuses output arrays', () => {
    const params = {
      bandCount: 1,
      gain: Float64Array.of(2),
      offset: Float64Array.of(1),
      correlation: Float64Array.of(1),
      pixelCount: 2,
    };
    const out = [new Float32Array(3)];
    const result = applyNormalisation([Int16Array.from([0, -9999, 5])], params, {
      nodata: -9999,
      out,
    });
    expect(result[0]).toBe(out[0]);
    expect(Array.from(result[0]!)).toEqual([1, Number.NaN, 11]);
  });

  it('names the problem when it cannot fit', () => {
    const accumulator = createNormalisationAccumulator(1);
    accumulator.add(
      [Uint8Array.from([1, 2])],
      [Uint8Array.from([1, 2])],
      Float32Array.from([0.1, 0.2]),
      Uint8Array.from([1, 1]),
    );
    expect(() => accumulator.result()).toThrow(/at least 2 invariant pixels .* got 0/);
    const inverted = createNormalisationAccumulator(1);
    inverted.add(
      [Uint8Array.from([1, 2, 3])],
      [Uint8Array.from([3, 2, 1])],
      null,
      Uint8Array.from([1, 1, 1]),
    );
    expect(() => inverted.result()).toThrow(/band 0 has covariance -0.666/);
    expect(() => createNormalisationAccumulator(1, { minNoChangeProbability: 1 })).toThrow(
      ValidationError,
    );
  });
});
