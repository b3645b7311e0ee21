import { join } from 'node:path';
import fc from 'fast-check';
import { fromFile } from 'geotiff';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { TooLargeError, ValidationError } from '../errors.ts';
import { estimateTranslation } from './phase-correlation.ts';
import { fourierShift, shiftImage } from './shift-image.ts';
import { cropImage, perturbRadiometry, sampleTexture } from './test-support.ts';
import { seededRandom } from '../random.ts';

const PARIS_B04 = join(
  REPO_ROOT,
  'examples/imagery/paris-bercy/2016-11-30/S2A_20161130_T31UDQ_paris-bercy_B04.tif',
);

/** Sentinel-2 B04 (red, 10 m) over Paris-Bercy: 180 × 180 uint16, freely licensed sample. */
async function readParisRed(): Promise<{ data: Float64Array; width: number; height: number }> {
  const image = await (await fromFile(PARIS_B04)).getImage();
  const [band] = (await image.readRasters()) as unknown as [Uint16Array];
  return { data: Float64Array.from(band), width: image.getWidth(), height: image.getHeight() };
}

/** A Gaussian blob of radius σ = 3 px centred at (cx, cy) on a 64 × 64 image. */
function blob(cx: number, cy: number): Float64Array {
  return Float64Array.from({ length: 64 * 64 }, (_, i) => {
    const x = i % 64;
    const y = Math.floor(i / 64);
    return 100 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 18);
  });
}

describe('estimateTranslation: sign convention and basics', () => {
  it('returns the shift carrying moving onto reference: a feature at c in moving is at c + d in reference', () => {
    // No apodisation: the blobs vanish at the borders, and a window would weigh them unequally.
    const moving = blob(20, 30);
    const reference = blob(23.4, 28.1);
    const estimate = estimateTranslation(reference, moving, 64, 64, { window: 'none' });
    expect(estimate.dx).toBeCloseTo(3.4, 1);
    expect(estimate.dy).toBeCloseTo(-1.9, 1);
  });

  it('agrees with shiftImage: shifting moving by the estimate lands it on reference', () => {
    const moving = sampleTexture(128, 128, { x: 0, y: 0 }, 5);
    const reference = shiftImage(moving, 128, 128, 5, -3, 'bilinear', Number.NaN);
    const estimate = estimateTranslation(reference, moving, 128, 128, { upsampleFactor: 10 });
    expect([estimate.dx, estimate.dy]).toEqual([5, -3]);
  });

  it('gives (0, 0) with confidence near 1 for an image against itself', () => {
    const image = sampleTexture(96, 80, { x: 0, y: 0 }, 9);
    const estimate = estimateTranslation(image, image, 96, 80);
    expect(estimate.dx).toBe(0);
    expect(estimate.dy).toBe(0);
    expect(estimate.confidence).toBeGreaterThan(0.99);
    expect(estimate.peakHeight).toBeCloseTo(1, 6);
  });

  it('recovers sub-pixel shifts of a synthetic texture on a non-power-of-two size', () => {
    const random = seededRandom(21);
    for (let k = 0; k < 5; k++) {
      const [dx, dy] = [-12 + 24 * random(), -12 + 24 * random()];
      const reference = sampleTexture(200, 150, { x: 0, y: 0 }, k);
      const moving = sampleTexture(200, 150, { x: dx, y: dy }, k);
      const estimate = estimateTranslation(reference, moving, 200, 150);
      expect(Math.hypot(estimate.dx - dx, estimate.dy - dy)).toBeLessThan(0.05);
      expect(estimate.confidence).toBeGreaterThan(0.8);
    }
  });

  it('quantises to 1/upsampleFactor and to whole pixels at factor 1', () => {
    const reference = sampleTexture(128, 128, { x: 0, y: 0 }, 2);
    const moving = sampleTexture(128, 128, { x: 2.37, y: -1.61 }, 2);
    const integer = estimateTranslation(reference, moving, 128, 128, { upsampleFactor: 1 });
    expect([integer.dx, integer.dy]).toEqual([2, -2]);
    const twentieth = estimateTranslation(reference, moving, 128, 128, { upsampleFactor: 20 });
    expect(Math.abs(twentieth.dx * 20 - Math.round(twentieth.dx * 20))).toBeLessThan(1e-9);
    expect(twentieth.dx).toBeCloseTo(2.35, 5);
  });

  it('accepts Float32Array input and gives the same estimate', () => {
    const reference = sampleTexture(64, 64, { x: 0, y: 0 }, 4);
    const moving = sampleTexture(64, 64, { x: 1.3, y: 0.4 }, 4);
    const single = estimateTranslation(reference, moving, 64, 64);
    const double = estimateTranslation(
      Float64Array.from(reference),
      Float64Array.from(moving),
      64,
      64,
    );
    expect(single).toEqual(double);
  });
});

describe('estimateTranslation: missing data, flat and unrelated images', () => {
  it('ignores NaN, ±Infinity and nodata samples (replaced by the mean)', () => {
    const reference = Float64Array.from(sampleTexture(128, 128, { x: 0, y: 0 }, 8));
    const moving = Float64Array.from(sampleTexture(128, 128, { x: -3.25, y: 2.5 }, 8));
    const random = seededRandom(3);
    for (let i = 0; i < reference.length; i++) {
      if (random() < 0.03) reference[i] = Number.NaN;
      if (random() < 0.03) moving[i] = -9999;
    }
    moving[5] = Number.POSITIVE_INFINITY;
    const estimate = estimateTranslation(reference, moving, 128, 128, { nodata: -9999 });
    expect(Math.hypot(estimate.dx + 3.25, estimate.dy - 2.5)).toBeLessThan(0.1);
    expect(Number.isFinite(estimate.confidence)).toBe(true);
  });

  it('returns confidence 0 and no NaN for constant, all-NaN and all-nodata images', () => {
    const texture = sampleTexture(32, 32, { x: 0, y: 0 }, 1);
    const constant = new Float32Array(32 * 32).fill(0.1);
    const empty = new Float32Array(32 * 32).fill(Number.NaN);
    const nodata = new Float32Array(32 * 32).fill(7);
    for (const [a, b] of [
      [constant, texture],
      [texture, constant],
      [empty, texture],
      [constant, constant],
    ] as const) {
      expect(estimateTranslation(a, b, 32, 32)).toEqual({
        dx: 0,
        dy: 0,
        peakHeight: 0,
        peakRatio: 0,
        confidence: 0,
      });
    }
    expect(estimateTranslation(nodata, texture, 32, 32, { nodata: 7 }).confidence).toBe(0);
  });

  it('gives low confidence for unrelated images', () => {
    const a = sampleTexture(128, 128, { x: 0, y: 0 }, 100, [2, 1]);
    const b = sampleTexture(128, 128, { x: 0, y: 0 }, 200, [2, 1]);
    const estimate = estimateTranslation(a, b, 128, 128);
    expect(estimate.confidence).toBeLessThan(0.3);
    expect(estimate.peakHeight).toBeLessThan(0.2);
  });

  it('is unchanged by extreme magnitudes (no overflow or underflow)', () => {
    const texture = sampleTexture(64, 64, { x: 0, y: 0 }, 6);
    const moving = sampleTexture(64, 64, { x: 1.5, y: -2.25 }, 6);
    const plain = estimateTranslation(texture, moving, 64, 64);
    for (const factor of [1e36, 1e-30]) {
      const scaled = estimateTranslation(
        texture.map((v) => v * factor),
        moving.map((v) => v * factor),
        64,
        64,
      );
      expect(scaled.dx).toBe(plain.dx);
      expect(scaled.dy).toBe(plain.dy);
      expect(scaled.confidence).toBeCloseTo(plain.confidence, 6);
    }
  });
});

describe('estimateTranslation: validation', () => {
  const image = new Float64Array(64);
  it('names bad sizes, lengths and options', () => {
    expect(() => estimateTranslation(image, image, 8, 9)).toThrow(
      /expected 8 × 9 = 72 samples; got 64/,
    );
    expect(() => estimateTranslation(image, new Float64Array(16), 8, 8)).toThrow(ValidationError);
    expect(() => estimateTranslation(new Float64Array(6), new Float64Array(6), 3, 2)).toThrow(
      /≥ 4 px; got 3 × 2/,
    );
    expect(() => estimateTranslation(image, image, 8, 8, { upsampleFactor: 2.5 })).toThrow(
      /upsampleFactor.*2\.5/,
    );
    expect(() => estimateTranslation(image, image, 8, 8, { lowPassCyclesPerPx: 0.9 })).toThrow(
      /lowPassCyclesPerPx.*0\.9/,
    );
  });

  it('refuses FFTs above maxFftPixels with TooLargeError', () => {
    const big = new Float32Array(300 * 300);
    expect(() => estimateTranslation(big, big, 300, 300, { maxFftPixels: 256 * 256 })).toThrow(
      TooLargeError,
    );
  });
});

describe('estimateTranslation on a real image (Sentinel-2 B04, Paris-Bercy)', () => {
  let paris: { data: Float64Array; width: number; height: number };
  beforeAll(async () => {
    paris = await readParisRed();
  });

  it('gives (0, 0) with confidence near 1 for the image against itself', () => {
    const estimate = estimateTranslation(paris.data, paris.data, paris.width, paris.height);
    expect([estimate.dx, estimate.dy]).toEqual([0, 0]);
    expect(estimate.confidence).toBeGreaterThan(0.99);
  });

  it('recovers random sub-pixel shifts within 0.05 px despite gain, offset and 1 % noise', () => {
    const size = 128;
    const base = cropImage(paris.data, paris.width, {
      col0: 26,
      row0: 26,
      width: size,
      height: size,
    });
    const errors: number[] = [];
    fc.assert(
      fc.property(
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (dx, dy, noiseSeed) => {
          const shifted = fourierShift(base, size, size, dx, dy);
          const reference = perturbRadiometry(shifted, {
            gain: 1.1,
            offset: 20,
            noiseFraction: 0.01,
            seed: noiseSeed,
          });
          const estimate = estimateTranslation(reference, base, size, size);
          const error = Math.hypot(estimate.dx - dx, estimate.dy - dy);
          errors.push(error);
          return error <= 0.05 && estimate.confidence > 0.5;
        },
      ),
      { seed: 20_240_611, numRuns: 60 },
    );
    expect(errors.reduce((a, b) => a + b, 0) / errors.length).toBeLessThan(0.025);
  });

  it('recovers cubic-resampled (non-cyclic) shifts of the full 180 × 180 image within 0.06 px', () => {
    const random = seededRandom(77);
    for (let k = 0; k < 8; k++) {
      const [dx, dy] = [-6 + 12 * random(), -6 + 12 * random()];
      const window = { col0: 10, row0: 10, width: 160, height: 150 };
      const shifted = shiftImage(
        paris.data,
        paris.width,
        paris.height,
        dx,
        dy,
        'cubic',
        Number.NaN,
      );
      const reference = perturbRadiometry(cropImage(shifted, paris.width, window), {
        gain: 1.1,
        offset: 20,
        noiseFraction: 0.01,
        seed: k,
      });
      const moving = cropImage(paris.data, paris.width, window);
      const estimate = estimateTranslation(reference, moving, window.width, window.height);
      expect(Math.hypot(estimate.dx - dx, estimate.dy - dy)).toBeLessThan(0.06);
    }
  });
});
