import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { fourierShift, shiftImage } from './shift-image.ts';
import { randomArray, sampleTexture } from './test-support.ts';

const W = 12;
const H = 10;
/** f(x, y) evaluated on the W × H grid. */
function grid(f: (x: number, y: number) => number, width = W, height = H): Float64Array {
  return Float64Array.from({ length: width * height }, (_, i) =>
    f(i % width, Math.floor(i / width)),
  );
}

describe('shiftImage', () => {
  it('moves content by +dx columns and +dy rows: out(x, y) = src(x − dx, y − dy)', () => {
    const src = grid((x, y) => 100 * y + x);
    const out = shiftImage(src, W, H, 2, -1, 'bilinear', -1);
    expect(out[3 * W + 5]).toBe(src[4 * W + 3]);
    // Columns 0–1 come from x < 0 and the last row from y = H: fill.
    expect(out[3 * W + 1]).toBe(-1);
    expect(out[(H - 1) * W + 6]).toBe(-1);
  });

  it('copies samples exactly for integer shifts, without spreading NaN', () => {
    const src = grid((x, y) => x * y + 1);
    src[4 * W + 4] = Number.NaN;
    for (const method of ['bilinear', 'cubic'] as const) {
      const out = shiftImage(src, W, H, 1, 2, method, 0);
      expect(Number.isNaN(out[6 * W + 5])).toBe(true);
      expect(out[6 * W + 6]).toBe(src[4 * W + 5]);
      expect(out[7 * W + 5]).toBe(src[5 * W + 4]);
    }
  });

  it('is exact on a linear ramp (bilinear) and a quadratic (cubic) away from the edges', () => {
    const ramp = (x: number, y: number): number => 3 + 2 * x - 5 * y;
    const quadratic = (x: number, y: number): number => 1 + x * x - 0.5 * x * y + 2 * y * y;
    const [dx, dy] = [0.3, -0.65];
    const bilinear = shiftImage(grid(ramp), W, H, dx, dy, 'bilinear', Number.NaN);
    const cubic = shiftImage(grid(quadratic), W, H, dx, dy, 'cubic', Number.NaN);
    for (let y = 2; y < H - 3; y++) {
      for (let x = 2; x < W - 3; x++) {
        expect(bilinear[y * W + x]).toBeCloseTo(ramp(x - dx, y - dy), 10);
        expect(cubic[y * W + x]).toBeCloseTo(quadratic(x - dx, y - dy), 10);
      }
    }
  });

  it('fills exactly the pixels whose source position is outside the image', () => {
    const out = shiftImage(new Float64Array(W * H).fill(1), W, H, 2.5, -0.5, 'cubic', 9);
    // Source column x − 2.5 ≥ 0 from x = 3; source row y + 0.5 ≤ H − 1 up to y = H − 2.
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= 3 && y <= H - 2;
        expect(out[y * W + x]).toBeCloseTo(inside ? 1 : 9, 12);
      }
    }
    expect(
      shiftImage(new Float64Array(W * H), W, H, 40, 0, 'bilinear', 5).every((v) => v === 5),
    ).toBe(true);
  });

  it('keeps the type of its input and writes into a reused output', () => {
    const src = sampleTexture(16, 16, { x: 0, y: 0 }, 1);
    const out = new Float32Array(src.length);
    const result = shiftImage(src, 16, 16, 0.5, 0.5, 'cubic', 0, out);
    expect(result).toBe(out);
    expect(result).toBeInstanceOf(Float32Array);
    expect(shiftImage(Float64Array.from(src), 16, 16, 0.5, 0.5, 'cubic', 0)).toBeInstanceOf(
      Float64Array,
    );
  });

  it('rejects bad input, naming it', () => {
    const src = new Float64Array(W * H);
    expect(() => shiftImage(src, W, H + 1, 0, 0, 'cubic', 0)).toThrow(ValidationError);
    expect(() => shiftImage(src, W, H, Number.NaN, 0, 'cubic', 0)).toThrow(
      /finite; got \(NaN, 0\)/,
    );
    expect(() => shiftImage(src, W, H, 1, 0, 'cubic', 0, src)).toThrow(/src itself/);
    expect(() => shiftImage(src, W, H, 1, 0, 'cubic', 0, new Float64Array(3))).toThrow(/got 3/);
  });
});

describe('fourierShift', () => {
  it('equals a cyclic roll for integer shifts', () => {
    const src = randomArray(16 * 8, 4);
    const out = fourierShift(src, 16, 8, 3, -2);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 16; x++) {
        const source = ((y + 2) % 8) * 16 + ((x - 3 + 16) % 16);
        expect(out[y * 16 + x]).toBeCloseTo(src[source]!, 9);
      }
    }
  });

  it('round-trips a sub-pixel shift and agrees with cubic shiftImage on a smooth image', () => {
    const smooth = Float64Array.from(
      { length: 64 * 64 },
      (_, i) =>
        Math.sin((2 * Math.PI * (i % 64)) / 32) + Math.cos((2 * Math.PI * Math.floor(i / 64)) / 16),
    );
    const back = fourierShift(fourierShift(smooth, 64, 64, 1.37, -0.61), 64, 64, -1.37, 0.61);
    for (let i = 0; i < smooth.length; i++) expect(back[i]).toBeCloseTo(smooth[i]!, 9);
    const fourier = fourierShift(smooth, 64, 64, 0.4, 0.3);
    const cubic = shiftImage(smooth, 64, 64, 0.4, 0.3, 'cubic', Number.NaN);
    for (let y = 4; y < 60; y++) {
      for (let x = 4; x < 60; x++) {
        expect(fourier[y * 64 + x]).toBeCloseTo(
          Math.sin((2 * Math.PI * (x - 0.4)) / 32) + Math.cos((2 * Math.PI * (y - 0.3)) / 16),
          9,
        );
        expect(Math.abs(fourier[y * 64 + x]! - cubic[y * 64 + x]!)).toBeLessThan(0.01);
      }
    }
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => fourierShift(new Float64Array(180 * 4), 180, 4, 1, 1)).toThrow(
      /power-of-two.*180 × 4/,
    );
    expect(() => fourierShift(new Float64Array(16), 4, 4, Number.POSITIVE_INFINITY, 1)).toThrow(
      ValidationError,
    );
  });
});
