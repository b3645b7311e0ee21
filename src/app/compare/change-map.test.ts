import { describe, expect, it } from 'vitest';
import { seededNormal } from '../../core/change/synthetic-pair.ts';
import { chiSquareQuantile } from '../../core/change/threshold.ts';
import { seededRandom } from '../../core/random.ts';
import type { Grid } from '../../core/grid/grid.ts';
import type { ChangeField } from './change-field.ts';
import { changePolygons, chooseThreshold, cleanChangeMask, zoneChanges } from './change-map.ts';

const W = 12;
const H = 10;
const grid: Grid = {
  crs: 'EPSG:4326',
  geoTransform: [0, 0.001, 0, 0.01, 0, -0.001],
  width: W,
  height: H,
};

function field(
  fill: (col: number, row: number) => number,
  invalid?: (c: number, r: number) => boolean,
): ChangeField {
  const magnitude = new Float32Array(W * H);
  const valid = new Uint8Array(W * H);
  let validPixels = 0;
  for (let r = 0; r < H; r += 1) {
    for (let c = 0; c < W; c += 1) {
      const ok = invalid?.(c, r) !== true;
      valid[r * W + c] = ok ? 1 : 0;
      magnitude[r * W + c] = ok ? fill(c, r) : Number.NaN;
      if (ok) validPixels += 1;
    }
  }
  return { magnitude, valid, validPixels, irmadIterations: null, chiSquare: null };
}

/**
 * A 96×96 field: χ²(4)-distributed no-change Z (times `scale`; its square root, a CVA-like
 * magnitude, with `asMagnitude`), and change where `change` gives a level (log-normal around
 * it, 15 %).
 */
function noisyField(
  seed: number,
  scale: number,
  change: (c: number, r: number) => number | null,
  asMagnitude = false,
) {
  const random = seededRandom(seed);
  const normal = seededNormal(random);
  const side = 96;
  const magnitude = new Float32Array(side * side);
  for (let r = 0; r < side; r += 1) {
    for (let c = 0; c < side; c += 1) {
      let z = 0;
      for (let k = 0; k < 4; k += 1) z += normal() ** 2;
      const level = change(c, r);
      magnitude[r * side + c] =
        level === null
          ? asMagnitude
            ? Math.sqrt(scale * z)
            : scale * z
          : level * Math.exp(0.15 * normal());
    }
  }
  const f: ChangeField = {
    magnitude,
    valid: new Uint8Array(side * side).fill(1),
    validPixels: side * side,
    irmadIterations: null,
    chiSquare: null,
  };
  const g: Grid = { crs: null, geoTransform: null, width: side, height: side };
  return { f, g, side };
}

describe('chooseThreshold', () => {
  it('is Infinity when every magnitude is 0, and the override (seed = grow) when given', () => {
    const zero = field(() => 0);
    const none = { grow: Number.POSITIVE_INFINITY, seed: Number.POSITIVE_INFINITY };
    expect(chooseThreshold(zero, null, 'cva', 3)).toEqual(none);
    expect(chooseThreshold(zero, null, 'irmad', 3)).toEqual(none);
    expect(chooseThreshold(zero, 2.5, 'cva', 3)).toEqual({ grow: 2.5, seed: 2.5 });
  });

  it('keeps a scene without change quiet: grow never below the robust χ² 0.99 quantile', () => {
    for (const [seed, scale] of [
      [1, 1],
      [2, 3],
    ] as const) {
      const { f, g } = noisyField(seed, scale, () => null);
      const levels = chooseThreshold(f, null, 'irmad', 4);
      expect(levels.grow).toBeGreaterThanOrEqual(0.95 * scale * chiSquareQuantile(0.99, 4));
      expect(levels.seed).toBeGreaterThanOrEqual(levels.grow);
      const mask = cleanChangeMask(f, g, levels, 4);
      expect(mask.reduce((s, v) => s + v, 0) / mask.length).toBeLessThan(0.005);
    }
  });

  it('grows a change from its strong core into its faint parts (IR-MAD Z and CVA magnitude alike)', () => {
    // A change whose level runs from Z 40 (faint, left) to 1000 (strong, right) across
    // 28 columns, and a separate faint patch (Z 60) with no strong pixel.
    const ramp = (c: number, r: number) => c >= 16 && c < 44 && r >= 16 && r < 44;
    const patch = (c: number, r: number) => c >= 70 && c < 76 && r >= 70 && r < 76;
    for (const method of ['irmad', 'cva'] as const) {
      const value = (z: number) => (method === 'irmad' ? z : Math.sqrt(z));
      const { f, g, side } = noisyField(
        5,
        1,
        (c, r) => (ramp(c, r) ? value(40 * 25 ** ((c - 16) / 27)) : patch(c, r) ? value(60) : null),
        method === 'cva',
      );
      const levels = chooseThreshold(f, null, method, 4);
      expect(levels.grow).toBeGreaterThan(value(13));
      expect(levels.grow).toBeLessThan(value(40));
      expect(levels.seed).toBeGreaterThan(value(60));
      expect(levels.seed).toBeLessThanOrEqual(value(1000));
      const mask = cleanChangeMask(f, g, levels, 4);
      let rampHits = 0;
      let patchHits = 0;
      let falseAlarms = 0;
      for (let p = 0; p < mask.length; p += 1) {
        const c = p % side;
        const r = Math.floor(p / side);
        if (ramp(c, r)) rampHits += mask[p] ?? 0;
        else if (patch(c, r)) patchHits += mask[p] ?? 0;
        else falseAlarms += mask[p] ?? 0;
      }
      expect(rampHits).toBeGreaterThanOrEqual(28 * 27);
      expect(patchHits).toBe(0); // faint everywhere, no seed: hysteresis leaves it out
      expect(falseAlarms).toBeLessThan(20);
    }
  });
});

describe('cleanChangeMask and changePolygons', () => {
  it('drops specks and small components, keeps blocks, never marks invalid pixels', () => {
    const block = (c: number, r: number) => c >= 2 && c < 8 && r >= 2 && r < 8;
    const f = field(
      (c, r) => (block(c, r) || (c === 10 && r === 9) ? 5 : 0),
      (c, r) => c === 4 && r === 4,
    );
    const mask = cleanChangeMask(f, grid, { grow: 1, seed: 1 }, 4);
    expect(mask[9 * W + 10]).toBe(0);
    expect(mask[4 * W + 4]).toBe(0);
    expect(mask[6 * W + 6]).toBe(1);
    const changed = mask.reduce((s, v) => s + v, 0);
    expect(changed).toBeGreaterThanOrEqual(24);
    expect(changed).toBeLessThanOrEqual(35);
    const polygons = changePolygons(mask, f, grid, (p) => p, []);
    expect(polygons).toHaveLength(1);
    expect(polygons[0]?.meanMagnitude).toBe(5);
    // `changed` pixels of about 111 m × 111 m at the equator.
    expect(polygons[0]?.areaM2).toBeGreaterThan(changed * 110 * 110);
    expect(polygons[0]?.areaM2).toBeLessThan(changed * 112 * 112);
  });
});

describe('zoneChanges', () => {
  it('counts the valid and changed pixels whose centres lie in each zone', () => {
    const mask = new Uint8Array(W * H);
    mask[1 * W + 1] = 1;
    const valid = new Uint8Array(W * H).fill(1);
    valid[0] = 0;
    const zone = {
      id: 'corner',
      name: 'corner',
      kind: 'other' as const,
      geometry: {
        type: 'Polygon' as const,
        coordinates: [
          [
            [0, 0.01],
            [0.003, 0.01],
            [0.003, 0.007],
            [0, 0.007],
            [0, 0.01],
          ] as [number, number][],
        ],
      },
    };
    const [result] = zoneChanges(mask, valid, grid, (p) => p, [zone]);
    expect(result).toEqual({
      zoneId: 'corner',
      validPixels: 8,
      changedPixels: 1,
      changedFraction: 1 / 8,
    });
  });
});
