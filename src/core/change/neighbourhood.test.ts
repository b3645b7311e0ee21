import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { neighbourhoodMean, neighbourhoodRadiusPx } from './neighbourhood.ts';
import { seededRandom } from '../random.ts';

/** Direct (2r + 1)² mean over valid finite pixels, for comparison. */
function bruteMean(
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
      let n = 0;
      for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
        for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) {
          const q = yy * width + xx;
          if (valid[q] !== 0 && Number.isFinite(values[q] ?? Number.NaN)) {
            sum += values[q] ?? 0;
            n++;
          }
        }
      }
      out.push(valid[y * width + x] !== 0 && n > 0 ? sum / n : Number.NaN);
    }
  }
  return out;
}

describe('neighbourhoodRadiusPx', () => {
  it('converts a ground radius to pixels at the GSD', () => {
    expect(neighbourhoodRadiusPx(2, 0.5)).toBe(4);
    expect(neighbourhoodRadiusPx(2, 1.5)).toBe(1);
    expect(neighbourhoodRadiusPx(2, 10)).toBe(0);
    expect(neighbourhoodRadiusPx(0, 0.3)).toBe(0);
  });

  it('rejects a negative radius or a non-positive GSD, naming the value', () => {
    expect(() => neighbourhoodRadiusPx(-1, 1)).toThrow(/got -1/);
    expect(() => neighbourhoodRadiusPx(1, 0)).toThrow(ValidationError);
  });
});

describe('neighbourhoodMean', () => {
  it('equals the direct windowed mean over valid pixels, NaN where invalid', () => {
    const width = 13;
    const height = 9;
    const random = seededRandom(7);
    const values = Float32Array.from({ length: width * height }, () => random() * 10);
    const valid = Uint8Array.from({ length: width * height }, () => (random() < 0.8 ? 1 : 0));
    values[20] = Number.NaN;
    for (const r of [0, 1, 2, 5]) {
      const got = Array.from(neighbourhoodMean(values, valid, width, height, r));
      const want = bruteMean(values, valid, width, height, r);
      got.forEach((v, p) => {
        if (Number.isNaN(want[p] ?? 0)) expect(v).toBeNaN();
        else expect(v).toBeCloseTo(want[p] ?? 0, 4);
      });
    }
  });

  it('leaves a constant field unchanged and spreads an isolated spike', () => {
    const flat = new Float32Array(25).fill(3);
    expect(Array.from(neighbourhoodMean(flat, null, 5, 5, 2))).toEqual(Array(25).fill(3));
    const spike = new Float32Array(25);
    spike[12] = 9;
    const smoothed = neighbourhoodMean(spike, null, 5, 5, 1);
    expect(smoothed[12]).toBeCloseTo(1, 6);
    expect(smoothed[6]).toBeCloseTo(1, 6);
    expect(smoothed[0]).toBe(0);
  });

  it('rejects bad sizes, radii and aliasing', () => {
    const v = new Float32Array(6);
    expect(() => neighbourhoodMean(v, null, 4, 2, 1)).toThrow(/4×2/);
    expect(() => neighbourhoodMean(v, null, 3, 2, 1.5)).toThrow(/got 1.5/);
    expect(() => neighbourhoodMean(v, null, 3, 2, 1, v)).toThrow(ValidationError);
  });
});
