import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/change/synthetic-pair.ts';
import { boxMean } from './box-mean.ts';

function bruteForce(
  values: Float32Array,
  valid: Uint8Array,
  width: number,
  height: number,
  r: number,
): number[] {
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let count = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) {
          const v = values[yy * width + xx]!;
          if (valid[yy * width + xx] !== 0 && Number.isFinite(v)) {
            sum += v;
            count++;
          }
        }
      }
      out.push(valid[y * width + x] !== 0 && count > 0 ? sum / count : Number.NaN);
    }
  }
  return out;
}

describe('boxMean', () => {
  it('equals the brute-force mean over valid finite neighbours (seeded random images)', () => {
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const [width, height, radius] = [9 + seed, 7, seed];
      const values = Float32Array.from({ length: width * height }, () =>
        random() < 0.05 ? Number.NaN : random() * 10,
      );
      const valid = Uint8Array.from({ length: width * height }, () => (random() < 0.2 ? 0 : 1));
      const got = Array.from(boxMean(values, valid, width, height, radius));
      const want = bruteForce(values, valid, width, height, radius);
      got.forEach((v, p) => {
        if (Number.isNaN(want[p]!)) expect(v, `seed ${seed} pixel ${p}`).toBeNaN();
        else expect(v, `seed ${seed} pixel ${p}`).toBeCloseTo(want[p]!, 4);
      });
    }
  });

  it('rejects a negative or fractional radius and mismatched sizes', () => {
    const values = new Float32Array(4);
    const valid = new Uint8Array(4).fill(1);
    expect(() => boxMean(values, valid, 2, 2, -1)).toThrow(/radius/);
    expect(() => boxMean(values, valid, 2, 2, 0.5)).toThrow(/radius/);
    expect(() => boxMean(values, valid, 3, 2, 1)).toThrow(/expected 3×2/);
  });
});
