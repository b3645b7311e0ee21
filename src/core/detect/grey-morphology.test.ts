import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blackTopHat, dilateGrey, erodeGrey, whiteTopHat } from './grey-morphology.ts';

/** Brute-force extreme over the clipped (2r+1)² square. */
function reference(
  image: Float32Array,
  w: number,
  h: number,
  r: number,
  pick: (a: number, b: number) => number,
): Float32Array {
  const out = new Float32Array(image.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = image[y * w + x]!;
      for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++)
          v = pick(v, image[yy * w + xx]!);
      }
      out[y * w + x] = v;
    }
  }
  return out;
}

describe('grey morphology', () => {
  it('erodes and dilates like the brute-force definition, borders and large radii included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (w, h, r, seed) => {
          const image = new Float32Array(w * h);
          let s = seed;
          for (let i = 0; i < image.length; i++) {
            s = (s * 69069 + 1) % 4294967296;
            image[i] = (s % 1000) / 10;
          }
          expect([...erodeGrey(image, w, h, r)]).toEqual([...reference(image, w, h, r, Math.min)]);
          expect([...dilateGrey(image, w, h, r)]).toEqual([...reference(image, w, h, r, Math.max)]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps narrow bright and dark details in the top-hats, not wide ones', () => {
    const w = 20;
    const h = 20;
    const image = new Float32Array(w * h).fill(10);
    image[5 * w + 5] = 50; // bright dot
    image[15 * w + 15] = 0; // dark dot
    for (let y = 0; y < 10; y++) for (let x = 10; x < 20; x++) image[y * w + x] = 30; // wide plateau
    const white = whiteTopHat(image, w, h, 1);
    const black = blackTopHat(image, w, h, 1);
    expect(white[5 * w + 5]).toBe(40);
    expect(white[5 * w + 15]).toBe(0);
    expect(black[15 * w + 15]).toBe(10);
    expect(Math.min(...white, ...black)).toBe(0);
    expect(white.reduce((a, b) => a + b, 0)).toBe(40);
  });

  it('rejects a size mismatch and a bad radius', () => {
    expect(() => erodeGrey(new Float32Array(5), 2, 2, 1)).toThrow(/2×2 = 4 values, got 5/);
    expect(() => dilateGrey(new Float32Array(4), 2, 2, 1.5)).toThrow(/radius/);
  });
});
