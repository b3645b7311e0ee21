import { describe, expect, it } from 'vitest';
import { EpsgCrsRegistry } from '../../adapters/crs/epsg-crs-registry.ts';
import { applyAffine, rotationScaleAbout } from '../coregister/affine.ts';
import { shiftImage } from '../coregister/shift-image.ts';
import type { PixelWindow } from '../raster/raster.ts';
import { buildPixelMapping, type PixelMapping } from './approximate-mapping.ts';
import type { Grid } from './grid.ts';
import { withAffine, withTranslation } from './mapping-correction.ts';
import { warpWindow } from './warp-window.ts';

const registry = new EpsgCrsRegistry();
const utm: Grid = {
  crs: 'EPSG:32633',
  geoTransform: [400000, 10, 0, 5620000, 0, -10],
  width: 300,
  height: 200,
};
const lonLat: Grid = {
  crs: 'EPSG:4326',
  geoTransform: [13.55, 0.0001, 0, 50.72, 0, -0.0001],
  width: 900,
  height: 600,
};
const affineMapping = buildPixelMapping(
  utm,
  { ...utm, geoTransform: [399000, 20, 0, 5621000, 0, -20] },
  null,
);
const meshMapping = buildPixelMapping(utm, lonLat, registry.toLonLat('EPSG:32633'));
const window: PixelWindow = { col0: 20, row0: 30, width: 40, height: 25 };

function mapWindow(mapping: PixelMapping): [Float64Array, Float64Array] {
  const col = new Float64Array(1000);
  const row = new Float64Array(1000);
  mapping.mapWindow(window, col, row);
  return [col, row];
}

/** The inner mapping at arbitrary destination positions. */
function mapAt(mapping: PixelMapping, x: number, y: number): [number, number] {
  const col = Float64Array.of(x);
  const row = Float64Array.of(y);
  mapping.mapPoints(col, row, col, row);
  return [col[0]!, row[0]!];
}

describe.each([
  { kind: 'affine', mapping: affineMapping },
  { kind: 'mesh', mapping: meshMapping },
])('corrections on the $kind mapping', ({ mapping }) => {
  it('destination side: out(p) = B(mapping(p − d)), in common-grid pixels', () => {
    const corrected = withTranslation(mapping, 2.25, -1.5, 'destination');
    expect(corrected.affine === null).toBe(mapping.affine === null);
    const [col, row] = mapWindow(corrected);
    for (const i of [0, 17, 999]) {
      const x = window.col0 + (i % 40) + 0.5;
      const y = window.row0 + Math.floor(i / 40) + 0.5;
      const [c, r] = mapAt(mapping, x - 2.25, y + 1.5);
      expect(col[i]).toBeCloseTo(c, 9);
      expect(row[i]).toBeCloseTo(r, 9);
    }
  });

  it('source side: out(p) = B(mapping(p) − d), in source pixels', () => {
    const [plainCol, plainRow] = mapWindow(mapping);
    const [col, row] = mapWindow(withTranslation(mapping, 2.25, -1.5, 'source'));
    for (const i of [0, 17, 999]) {
      expect(col[i]).toBeCloseTo(plainCol[i]! - 2.25, 9);
      expect(row[i]).toBeCloseTo(plainRow[i]! + 1.5, 9);
    }
  });

  it('withAffine of the translation (−dx, −dy) is withTranslation (dx, dy), on both sides', () => {
    for (const side of ['destination', 'source'] as const) {
      const [a, b] = mapWindow(withTranslation(mapping, 0.75, 3, side));
      const [c, d] = mapWindow(withAffine(mapping, [1, 0, -0.75, 0, 1, -3], side));
      for (const i of [0, 500, 999]) {
        expect(c[i]).toBeCloseTo(a[i]!, 9);
        expect(d[i]).toBeCloseTo(b[i]!, 9);
      }
    }
  });

  it('applies a rotation about a pixel centre with centres at integers (coregister convention)', () => {
    const rotation = rotationScaleAbout(0.1, 1.02, 50, 40);
    const [col, row] = mapWindow(withAffine(mapping, rotation, 'destination'));
    // Destination pixel (50, 40) is the fixed point: its centre maps as without correction.
    const i = (40 - window.row0) * 40 + (50 - window.col0);
    const [c, r] = mapAt(mapping, 50.5, 40.5);
    expect(col[i]).toBeCloseTo(c, 9);
    expect(row[i]).toBeCloseTo(r, 9);
    const [x, y] = applyAffine(rotation, 21, 33);
    const [c2, r2] = mapAt(mapping, x + 0.5, y + 0.5);
    expect(col[(33 - window.row0) * 40 + 1]).toBeCloseTo(c2, 9);
    expect(row[(33 - window.row0) * 40 + 1]).toBeCloseTo(r2, 9);
  });

  it('grows the source window by the correction', () => {
    const plain = mapping.sourceWindowFor(window, 1)!;
    const moved = withTranslation(mapping, 30, 0, 'source').sourceWindowFor(window, 1)!;
    expect(moved.col0).toBe(plain.col0 - 30);
    expect(moved.width).toBe(plain.width);
  });
});

describe('the correction convention matches coregister', () => {
  it('undoes shiftImage: B = A shifted by (−dx, −dy) warps back onto A', () => {
    const size = 32;
    const a = new Float32Array(size * size).map(
      (_, i) => Math.sin((i % size) / 3) + Math.cos(i / size / 4),
    );
    // A(x, y) ≈ B(x − dx, y − dy), so B(x, y) = A(x + dx, y + dy): A shifted by (−dx, −dy).
    const [dx, dy] = [1.25, -0.5];
    const b = shiftImage(a, size, size, -dx, -dy, 'cubic', Number.NaN);
    const grid: Grid = { crs: null, geoTransform: null, width: size, height: size };
    const corrected = withTranslation(buildPixelMapping(grid, grid, null), dx, dy, 'destination');
    const all = { col0: 0, row0: 0, width: size, height: size };
    const col = new Float64Array(size * size);
    const row = new Float64Array(size * size);
    corrected.mapWindow(all, col, row);
    const out = new Float32Array(size * size);
    warpWindow({
      source: b,
      sourceWindow: all,
      sourceCol: col,
      sourceRow: row,
      method: 'cubic',
      nodataIn: null,
      out,
    });
    let worst = 0;
    for (let y = 4; y < size - 4; y += 1) {
      for (let x = 4; x < size - 4; x += 1)
        worst = Math.max(worst, Math.abs(out[y * size + x]! - a[y * size + x]!));
    }
    expect(worst).toBeLessThan(0.05);
  });
});
