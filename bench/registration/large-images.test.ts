import { describe, expect, it } from 'vitest';
import { estimateTranslation } from '../../src/core/coregister/phase-correlation.ts';
import { randomArray } from '../../src/core/coregister/test-support.ts';
import { upsample2x } from './large-images.ts';

describe('upsample2x', () => {
  it('keeps a linear ramp nearly linear with half the slope, centres aligned', () => {
    const width = 32;
    const src = Float32Array.from({ length: width * 3 }, (_, i) => i % width);
    const out = upsample2x(src, width, 3);
    // out(X) = src((X + ½)/2 − ½) where the 6 taps stay inside the image (Lanczos-3 is not
    // exactly linear-preserving: within 0.03, alternating between even and odd X)
    for (let x = 6; x < 2 * width - 6; x++) {
      expect(Math.abs((out[2 * width + x] ?? 0) - ((x + 0.5) / 2 - 0.5))).toBeLessThan(0.03);
    }
  });

  it('doubles the shift between two images', () => {
    const big = 160;
    const side = 128;
    // smooth texture: seeded noise, box-blurred along rows then columns
    const noise = randomArray(big * big, 11);
    const blurred = new Float64Array(big * big);
    for (let y = 0; y < big; y++) {
      for (let x = 0; x < big; x++) {
        let sum = 0;
        for (let k = -2; k <= 2; k++)
          sum += noise[y * big + Math.min(big - 1, Math.max(0, x + k))] ?? 0;
        blurred[y * big + x] = sum;
      }
    }
    const crop = (col0: number, row0: number) =>
      Float32Array.from({ length: side * side }, (_, i) => {
        const x = col0 + (i % side);
        const y = row0 + Math.floor(i / side);
        let sum = 0;
        for (let k = -2; k <= 2; k++)
          sum += blurred[Math.min(big - 1, Math.max(0, y + k)) * big + x] ?? 0;
        return sum;
      });
    // reference(x, y) = moving(x − 3, y + 2): the shift carrying moving onto reference is (3, −2)
    const a = upsample2x(crop(16, 16), side, side);
    const b = upsample2x(crop(19, 14), side, side);
    // after upsampling, twice that
    const estimate = estimateTranslation(a, b, 2 * side, 2 * side);
    expect(estimate.dx).toBeCloseTo(6, 1);
    expect(estimate.dy).toBeCloseTo(-4, 1);
  });
});
