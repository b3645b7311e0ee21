import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { rotationScaleAbout, translationAffine } from './affine.ts';
import { shiftImage } from './shift-image.ts';
import { sampleTexture } from './test-support.ts';
import { sampleBilinear, warpAffine } from './warp-affine.ts';

describe('warpAffine', () => {
  it('matches shiftImage for a translation (destination → source is a shift by −d)', () => {
    const src = Float64Array.from(sampleTexture(40, 30, { x: 0, y: 0 }, 3));
    for (const method of ['bilinear', 'cubic'] as const) {
      const warped = warpAffine(src, 40, 30, translationAffine(-1.3, 2.6), {
        method,
        fill: Number.NaN,
      });
      const shifted = shiftImage(src, 40, 30, 1.3, -2.6, method, Number.NaN);
      for (let i = 0; i < src.length; i++) {
        if (Number.isNaN(shifted[i])) expect(warped[i]).toBeNaN();
        else expect(warped[i]).toBeCloseTo(shifted[i]!, 9);
      }
    }
  });

  it('reproduces a linear function exactly under rotation and scale (bilinear)', () => {
    const f = (x: number, y: number): number => 2 + 0.5 * x - 3 * y;
    const src = Float32Array.from({ length: 50 * 40 }, (_, i) => f(i % 50, Math.floor(i / 50)));
    const map = rotationScaleAbout(0.1, 1.05, 25, 20);
    const out = warpAffine(src, 50, 40, map, {
      method: 'bilinear',
      fill: -1,
      outWidth: 30,
      outHeight: 20,
    });
    expect(out).toBeInstanceOf(Float32Array);
    expect(out.length).toBe(600);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 30; x++) {
        const u = map[0] * x + map[1] * y + map[2];
        const v = map[3] * x + map[4] * y + map[5];
        const inside = u >= 0 && v >= 0 && u <= 49 && v <= 39;
        expect(out[y * 30 + x]).toBeCloseTo(inside ? f(u, v) : -1, 3);
      }
    }
  });

  it('rejects a non-finite matrix and a bad output size', () => {
    const src = new Float64Array(16);
    expect(() =>
      warpAffine(src, 4, 4, [1, 0, Number.NaN, 0, 1, 0], { method: 'cubic', fill: 0 }),
    ).toThrow(/finite/);
    expect(() =>
      warpAffine(src, 4, 4, [1, 0, 0, 0, 1, 0], { method: 'cubic', fill: 0, outWidth: 0 }),
    ).toThrow(ValidationError);
  });
});

describe('sampleBilinear', () => {
  it('interpolates and never reads a tap of zero weight', () => {
    const src = [0, 10, Number.NaN, 20, 30, 40];
    expect(sampleBilinear(src, 3, 2, 0.5, 0.5)).toBe(15);
    expect(sampleBilinear(src, 3, 2, 1, 0)).toBe(10);
    expect(sampleBilinear(src, 3, 2, 1.5, 0)).toBeNaN();
  });
});
