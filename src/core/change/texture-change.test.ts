import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { makeSyntheticPair } from './synthetic-pair.ts';
import { bandStandardDeviations, edgeStrength, textureChange } from './texture-change.ts';

describe('bandStandardDeviations', () => {
  it('is the population std over valid finite pixels', () => {
    const band = Float32Array.from([1, 3, 100, Number.NaN]);
    const valid = Uint8Array.from([1, 1, 0, 1]);
    expect(bandStandardDeviations([band], valid)[0]).toBeCloseTo(1, 12);
  });
});

describe('edgeStrength', () => {
  it('is zero on a flat image, positive on an edge, NaN on the border', () => {
    const width = 6;
    const height = 5;
    const band = new Float32Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 3; x < width; x++) band[y * width + x] = 10;
    const edges = edgeStrength([band], null, width, height);
    expect(edges[0]).toBeNaN();
    expect(edges[2 * width + 1]).toBe(0);
    expect(edges[2 * width + 2]).toBeGreaterThan(0);
    expect(edges[2 * width + 3]).toBeGreaterThan(0);
    const flat = edgeStrength([new Float32Array(width * height).fill(4)], null, width, height);
    expect(flat[2 * width + 2]).toBe(0);
  });

  it('does not change when a band is scaled by a gain and offset', () => {
    const pair = makeSyntheticPair({ width: 40, height: 30, bandCount: 2, seed: 3 });
    const a = edgeStrength(pair.bandsA, null, 40, 30);
    const scaled = pair.bandsA.map((b) => Float32Array.from(b, (v) => 2.5 * v + 40));
    const b = edgeStrength(scaled, null, 40, 30);
    for (let p = 0; p < a.length; p++) {
      if (Number.isNaN(a[p] ?? 0)) expect(b[p]).toBeNaN();
      else expect(b[p]).toBeCloseTo(a[p] ?? 0, 4);
    }
  });

  it('rejects mismatched sizes', () => {
    expect(() => edgeStrength([new Float32Array(5)], null, 2, 2)).toThrow(ValidationError);
    expect(() => edgeStrength([], null, 2, 2)).toThrow(/no band/);
  });
});

describe('textureChange', () => {
  it('is zero for identical dates', () => {
    const pair = makeSyntheticPair({ width: 32, height: 32, bandCount: 3, seed: 5 });
    const change = textureChange(pair.bandsA, pair.bandsA, null, 32, 32);
    for (const v of change) if (!Number.isNaN(v)) expect(v).toBe(0);
  });

  it('is larger inside a new textured structure than in the unchanged rest', () => {
    const width = 64;
    const height = 64;
    const pair = makeSyntheticPair({ width, height, bandCount: 3, seed: 9, noiseStd: 5 });
    const bandsB = pair.bandsB.map((band) => Float32Array.from(band));
    // A "building": a bright 12 × 12 block with a dark 4-pixel courtyard, new on date B.
    for (const band of bandsB) {
      for (let y = 20; y < 32; y++) {
        for (let x = 30; x < 42; x++) {
          band[y * width + x] = y >= 24 && y < 28 && x >= 34 && x < 38 ? 100 : 4000;
        }
      }
    }
    const change = textureChange(pair.bandsA, bandsB, null, width, height);
    let inside = 0;
    let insideN = 0;
    let outside = 0;
    let outsideN = 0;
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1; x < width - 1; x++) {
        const v = change[y * width + x] ?? 0;
        if (y >= 19 && y <= 32 && x >= 29 && x <= 42) {
          inside += v;
          insideN++;
        } else if (y < 15 || y > 36 || x < 25 || x > 46) {
          outside += v;
          outsideN++;
        }
      }
    }
    expect(inside / insideN).toBeGreaterThan(5 * (outside / outsideN));
  });

  it('rejects dates with different band counts', () => {
    const band = new Float32Array(9);
    expect(() => textureChange([band], [band, band], null, 3, 3)).toThrow(/1 and 2 bands/);
  });
});
