import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { tileWindows } from '../raster/raster.ts';
import { createCvaStatsAccumulator, cvaWindow } from './cva.ts';
import { cropBands, makeSyntheticPair } from './synthetic-pair.ts';
import { computeValidMask } from './valid-mask.ts';

function outputs(length: number) {
  return {
    magnitude: new Float32Array(length),
    direction: new Float32Array(length),
    valid: new Uint8Array(length),
  };
}

describe('computeValidMask', () => {
  it('clears pixels with nodata or NaN in any band of either image', () => {
    const a = [Float32Array.from([1, -9, 3, Number.NaN]), Float32Array.from([1, 2, 3, 4])];
    const b = [Uint16Array.from([5, 5, 5, 5]), Uint16Array.from([5, 5, 0, 5])];
    expect(Array.from(computeValidMask(a, b, -9, 0, new Uint8Array(4)))).toEqual([1, 0, 0, 0]);
    expect(Array.from(computeValidMask(a, b, null, null, new Uint8Array(4)))).toEqual([1, 1, 1, 0]);
  });

  it('rejects mismatched band counts and lengths', () => {
    const band = new Uint8Array(4);
    expect(() => computeValidMask([band], [band, band], null, null, new Uint8Array(4))).toThrow(
      /same non-zero band count, got 1 and 2/,
    );
    expect(() =>
      computeValidMask([band], [new Uint8Array(3)], null, null, new Uint8Array(4)),
    ).toThrow(ValidationError);
  });
});

describe('cvaWindow', () => {
  it('computes magnitude and angle of hand-made change vectors', () => {
    // Pixel 0: d = (3, 4); pixel 1: d = (0, −2); pixel 2: no change; pixel 3: d = (−1, 0).
    const a = [Uint8Array.from([10, 10, 7, 5]), Uint8Array.from([10, 10, 7, 5])];
    const b = [Uint8Array.from([13, 10, 7, 4]), Uint8Array.from([14, 8, 7, 5])];
    const out = outputs(4);
    cvaWindow(a, b, null, null, out);
    expect(Array.from(out.magnitude)).toEqual([5, 2, 0, 1]);
    expect(out.direction[0]).toBeCloseTo(Math.atan2(4, 3), 6);
    expect(out.direction[1]).toBeCloseTo(-Math.PI / 2, 6);
    expect(out.direction[2]).toBe(0);
    expect(out.direction[3]).toBeCloseTo(Math.PI, 6);
  });

  it('reports the dominant band with the sign of its change', () => {
    const a = [
      Float32Array.from([0, 0, 0]),
      Float32Array.from([0, 0, 0]),
      Float32Array.from([0, 0, 0]),
    ];
    const b = [
      Float32Array.from([1, 0, -5]),
      Float32Array.from([-3, 0, 1]),
      Float32Array.from([2, 0, 4]),
    ];
    const out = outputs(3);
    cvaWindow(a, b, null, null, out, { directionMode: 'dominant-band' });
    expect(Array.from(out.direction)).toEqual([-2, 0, -1]);
    expect(out.magnitude[0]).toBeCloseTo(Math.sqrt(14), 6);
  });

  it('gives angle 0 or π for a single band', () => {
    const out = outputs(2);
    cvaWindow([Int16Array.from([5, 5])], [Int16Array.from([7, 1])], null, null, out);
    expect(Array.from(out.magnitude)).toEqual([2, 4]);
    expect(out.direction[0]).toBe(0);
    expect(out.direction[1]).toBeCloseTo(Math.PI, 6);
  });

  it('never reports change at nodata pixels of either image', () => {
    const a = [Uint16Array.from([0, 100, 100]), Uint16Array.from([100, 100, 100])];
    const b = [Uint16Array.from([900, 900, 100]), Uint16Array.from([900, 0, 100])];
    const out = outputs(3);
    cvaWindow(a, b, 0, 0, out);
    expect(Array.from(out.valid)).toEqual([0, 0, 1]);
    expect(out.magnitude[0]).toBeNaN();
    expect(out.magnitude[1]).toBeNaN();
    expect(out.direction[0]).toBeNaN();
    expect(out.magnitude[2]).toBe(0);
  });

  it('cancels a global gain and offset with per-image standardisation', () => {
    const pair = makeSyntheticPair({ width: 32, height: 32, bandCount: 3, seed: 5, noiseStd: 0 });
    const bandsB = pair.bandsA.map((band) => Float64Array.from(band, (v) => 1.7 * v + 40));
    const valid = computeValidMask(pair.bandsA, bandsB, null, null, new Uint8Array(1024));
    const stats = createCvaStatsAccumulator(3);
    stats.add(pair.bandsA, bandsB, valid);
    const raw = outputs(1024);
    cvaWindow(pair.bandsA, bandsB, null, null, raw);
    const standardised = outputs(1024);
    cvaWindow(pair.bandsA, bandsB, null, null, standardised, {
      standardisation: { mode: 'per-image', statistics: stats.result() },
    });
    expect(Math.min(...raw.magnitude)).toBeGreaterThan(100);
    expect(Math.max(...standardised.magnitude)).toBeLessThan(1e-5);
  });

  it('rejects standardisation by a zero standard deviation, and bad output sizes', () => {
    const band = Uint8Array.from([3, 3]);
    const stats = createCvaStatsAccumulator(1);
    stats.add([band], [band], Uint8Array.from([1, 1]));
    expect(() => {
      cvaWindow([band], [band], null, null, outputs(2), {
        standardisation: { mode: 'difference', statistics: stats.result() },
      });
    }).toThrow(/stdDifference of band 0 is 0/);
    expect(() => {
      cvaWindow([band], [band], null, null, outputs(3));
    }).toThrow(ValidationError);
  });
});

describe('createCvaStatsAccumulator', () => {
  it('matches hand-computed statistics and ignores invalid pixels', () => {
    const stats = createCvaStatsAccumulator(1);
    stats.add(
      [Float32Array.from([1, 2, 3, 99])],
      [Float32Array.from([2, 2, 5, 0])],
      Uint8Array.from([1, 1, 1, 0]),
    );
    const result = stats.result();
    expect(result.pixelCount).toBe(3);
    expect(result.meanA[0]).toBeCloseTo(2, 14);
    expect(result.stdA[0]).toBeCloseTo(Math.sqrt(2 / 3), 14);
    expect(result.meanB[0]).toBeCloseTo(3, 14);
    expect(result.meanDifference[0]).toBeCloseTo(1, 14);
    // Differences 1, 0, 2: variance 2/3.
    expect(result.stdDifference[0]).toBeCloseTo(Math.sqrt(2 / 3), 14);
  });

  it('gives the same result over 4 windows as over the whole image (1e-9 relative)', () => {
    const pair = makeSyntheticPair({
      width: 64,
      height: 48,
      bandCount: 4,
      seed: 9,
      gain: [1.2, 1, 1, 0.9],
    });
    const valid = computeValidMask(pair.bandsA, pair.bandsB, null, null, new Uint8Array(64 * 48));
    const whole = createCvaStatsAccumulator(4);
    whole.add(pair.bandsA, pair.bandsB, valid);
    const split = createCvaStatsAccumulator(4);
    for (const window of tileWindows(64, 48, 32, 24)) {
      const [validWindow] = cropBands([valid], 64, window);
      split.add(
        cropBands(pair.bandsA, 64, window),
        cropBands(pair.bandsB, 64, window),
        validWindow!,
      );
    }
    const [w, s] = [whole.result(), split.result()];
    for (const key of [
      'meanA',
      'stdA',
      'meanB',
      'stdB',
      'meanDifference',
      'stdDifference',
    ] as const) {
      w[key].forEach((value, j) => {
        expect(Math.abs(s[key][j]! - value)).toBeLessThanOrEqual(1e-9 * Math.abs(value));
      });
    }
  });
});
