import { describe, expect, it } from 'vitest';
import { randomArray } from '../coregister/test-support.ts';
import { ValidationError } from '../errors.ts';
import { fft, fft2d, isPowerOfTwo, nextPowerOfTwo } from './fft.ts';

/** Naive O(N²) DFT with the same sign and scaling conventions as {@link fft}. */
function naiveDft(
  re: Float64Array,
  im: Float64Array,
  inverse: boolean,
): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (sign * 2 * Math.PI * ((k * t) % n)) / n;
      sr += re[t]! * Math.cos(angle) - im[t]! * Math.sin(angle);
      si += re[t]! * Math.sin(angle) + im[t]! * Math.cos(angle);
    }
    outRe[k] = inverse ? sr / n : sr;
    outIm[k] = inverse ? si / n : si;
  }
  return [outRe, outIm];
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('fft', () => {
  for (const n of [1, 2, 4, 8, 64, 256]) {
    it(`matches a naive DFT for N = ${n}, forward and inverse`, () => {
      for (const inverse of [false, true]) {
        const re = randomArray(n, 11 + n);
        const im = randomArray(n, 97 + n);
        const [expectedRe, expectedIm] = naiveDft(re, im, inverse);
        fft(re, im, inverse);
        expect(maxAbsDiff(re, expectedRe)).toBeLessThan(1e-9);
        expect(maxAbsDiff(im, expectedIm)).toBeLessThan(1e-9);
      }
    });
  }

  it('satisfies Parseval: Σ|x|² = Σ|X|² / N', () => {
    const n = 1024;
    const re = randomArray(n, 5);
    const im = randomArray(n, 6);
    let energy = 0;
    for (let i = 0; i < n; i++) energy += re[i]! ** 2 + im[i]! ** 2;
    fft(re, im);
    let spectral = 0;
    for (let i = 0; i < n; i++) spectral += re[i]! ** 2 + im[i]! ** 2;
    expect(spectral / n).toBeCloseTo(energy, 9);
  });

  it('round-trips forward then inverse', () => {
    const re = randomArray(4096, 1);
    const im = randomArray(4096, 2);
    const [re0, im0] = [re.slice(), im.slice()];
    fft(re, im);
    fft(re, im, true);
    expect(maxAbsDiff(re, re0)).toBeLessThan(1e-12);
    expect(maxAbsDiff(im, im0)).toBeLessThan(1e-12);
  });

  it('puts a unit impulse at t = 1 on the unit circle e^(−2πik/N)', () => {
    const re = new Float64Array(8);
    const im = new Float64Array(8);
    re[1] = 1;
    fft(re, im);
    expect(re[2]).toBeCloseTo(0, 15);
    expect(im[2]).toBeCloseTo(-1, 15);
  });

  it('rejects sizes that are not powers of two, naming the size', () => {
    expect(() => {
      fft(new Float64Array(12), new Float64Array(12));
    }).toThrow(ValidationError);
    expect(() => {
      fft(new Float64Array(12), new Float64Array(12));
    }).toThrow(/power of two.*12/);
    expect(() => {
      fft(new Float64Array(8), new Float64Array(4));
    }).toThrow(/8 samples.*8 and 4/);
  });
});

describe('fft2d', () => {
  it('matches rows-then-columns naive DFTs on a non-square array', () => {
    const [width, height] = [16, 8];
    const re = randomArray(width * height, 3);
    const im = randomArray(width * height, 4);
    const expectedRe = re.slice();
    const expectedIm = im.slice();
    for (let y = 0; y < height; y++) {
      const [r, i] = naiveDft(
        expectedRe.slice(y * width, (y + 1) * width),
        expectedIm.slice(y * width, (y + 1) * width),
        false,
      );
      expectedRe.set(r, y * width);
      expectedIm.set(i, y * width);
    }
    for (let x = 0; x < width; x++) {
      const colRe = Float64Array.from({ length: height }, (_, y) => expectedRe[y * width + x]!);
      const colIm = Float64Array.from({ length: height }, (_, y) => expectedIm[y * width + x]!);
      const [r, i] = naiveDft(colRe, colIm, false);
      for (let y = 0; y < height; y++) {
        expectedRe[y * width + x] = r[y]!;
        expectedIm[y * width + x] = i[y]!;
      }
    }
    fft2d(re, im, width, height);
    expect(maxAbsDiff(re, expectedRe)).toBeLessThan(1e-9);
    expect(maxAbsDiff(im, expectedIm)).toBeLessThan(1e-9);
  });

  it('round-trips and keeps Parseval on 128 × 32', () => {
    const re = randomArray(128 * 32, 8);
    const im = randomArray(128 * 32, 9);
    const re0 = re.slice();
    let energy = 0;
    for (let i = 0; i < re.length; i++) energy += re[i]! ** 2 + im[i]! ** 2;
    fft2d(re, im, 128, 32);
    let spectral = 0;
    for (let i = 0; i < re.length; i++) spectral += re[i]! ** 2 + im[i]! ** 2;
    expect(spectral / re.length).toBeCloseTo(energy, 8);
    fft2d(re, im, 128, 32, true);
    expect(maxAbsDiff(re, re0)).toBeLessThan(1e-12);
  });

  it('rejects a width that is not a power of two and a wrong array length', () => {
    expect(() => {
      fft2d(new Float64Array(180 * 4), new Float64Array(180 * 4), 180, 4);
    }).toThrow(/width must be a power of two.*180/);
    expect(() => {
      fft2d(new Float64Array(10), new Float64Array(10), 4, 4);
    }).toThrow(ValidationError);
  });
});

describe('power-of-two helpers', () => {
  it('recognise and round up sizes', () => {
    expect([1, 2, 1024].map(isPowerOfTwo)).toEqual([true, true, true]);
    expect([0, 3, 6, 1.5, -4].map(isPowerOfTwo)).toEqual([false, false, false, false, false]);
    expect([1, 3, 180, 512, 513].map(nextPowerOfTwo)).toEqual([1, 4, 256, 512, 1024]);
    expect(() => nextPowerOfTwo(0)).toThrow(ValidationError);
  });
});
