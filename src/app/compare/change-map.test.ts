import { describe, expect, it } from 'vitest';
import { chiSquareQuantile } from '../../core/change/threshold.ts';
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

describe('chooseThreshold', () => {
  it('is Infinity when every magnitude is 0, and the override when given', () => {
    const zero = field(() => 0);
    expect(chooseThreshold(zero, null, 'cva', 3)).toBe(Number.POSITIVE_INFINITY);
    expect(chooseThreshold(zero, null, 'irmad', 3)).toBe(Number.POSITIVE_INFINITY);
    expect(chooseThreshold(zero, 2.5, 'cva', 3)).toBe(2.5);
  });

  it('uses the χ² 0.99 quantile for IR-MAD, scaled up only when Z is inflated', () => {
    const calm = field((c) => (c === 0 ? 50 : 1));
    expect(chooseThreshold(calm, null, 'irmad', 4)).toBeCloseTo(chiSquareQuantile(0.99, 4), 9);
    const inflated = field(() => 2 * chiSquareQuantile(0.5, 4));
    expect(chooseThreshold(inflated, null, 'irmad', 4)).toBeCloseTo(
      2 * chiSquareQuantile(0.99, 4),
      6,
    );
  });

  it('separates two populations with Otsu for CVA', () => {
    const split = field((c) => (c < 6 ? 1 : 10));
    const threshold = chooseThreshold(split, null, 'cva', 3);
    expect(threshold).toBeGreaterThan(1);
    expect(threshold).toBeLessThanOrEqual(10);
  });
});

describe('cleanChangeMask and changePolygons', () => {
  it('drops specks and small components, keeps blocks, never marks invalid pixels', () => {
    const block = (c: number, r: number) => c >= 2 && c < 8 && r >= 2 && r < 8;
    const f = field(
      (c, r) => (block(c, r) || (c === 10 && r === 9) ? 5 : 0),
      (c, r) => c === 4 && r === 4,
    );
    const mask = cleanChangeMask(f, grid, 1, 4);
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
