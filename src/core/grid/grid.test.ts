import { describe, expect, it } from 'vitest';
import { EpsgCrsRegistry } from '../../adapters/crs/epsg-crs-registry.ts';
import { ValidationError } from '../errors.ts';
import { applyGeoTransform } from '../geo/footprint.ts';
import type { PositionTransform } from '../geo/types.ts';
import {
  gridBounds,
  gridsEqual,
  intersectGrids,
  subGrid,
  validateGrid,
  type Grid,
} from './grid.ts';

const utm: Grid = {
  crs: 'EPSG:32633',
  geoTransform: [400000, 10, 0, 5620000, 0, -10],
  width: 1000,
  height: 800,
};

describe('gridBounds / subGrid', () => {
  it('spans the outer pixel corners, also when rotated', () => {
    expect(gridBounds(utm)).toEqual([400000, 5612000, 410000, 5620000]);
    const rotated: Grid = { ...utm, geoTransform: [0, 1, 1, 0, -1, 1], width: 10, height: 20 };
    expect(gridBounds(rotated)).toEqual([0, -10, 30, 20]);
    expect(() => gridBounds({ ...utm, geoTransform: null })).toThrow(/has no geotransform/);
  });

  it('moves the origin to the window', () => {
    expect(subGrid(utm, { col0: 10, row0: 20, width: 5, height: 6 })).toEqual({
      crs: 'EPSG:32633',
      geoTransform: [400100, 10, 0, 5619800, 0, -10],
      width: 5,
      height: 6,
    });
  });

  it('rejects bad sizes and singular transforms', () => {
    expect(() => {
      validateGrid({ ...utm, height: 2.5 }, 'B');
    }).toThrow(/B: height must be a positive integer; got 2.5/);
    expect(() => {
      validateGrid({ ...utm, geoTransform: [0, 1, 2, 0, 2, 4] }, 'B');
    }).toThrow(ValidationError);
  });
});

describe('gridsEqual', () => {
  it('allows corner differences up to the tolerance, in pixels', () => {
    const nudged: Grid = { ...utm, geoTransform: [400000.5, 10, 0, 5620000, 0, -10] };
    expect(gridsEqual(utm, nudged, 0.1)).toBe(true);
    expect(gridsEqual(utm, nudged, 0.01)).toBe(false);
    expect(gridsEqual(utm, { ...utm, crs: 'epsg:32633' }, 0)).toBe(true);
  });

  it('tells apart CRS, size, pixel size and georeferencing', () => {
    expect(gridsEqual(utm, { ...utm, crs: 'EPSG:32632' }, 1)).toBe(false);
    expect(gridsEqual(utm, { ...utm, width: 999 }, 1)).toBe(false);
    expect(
      gridsEqual(utm, { ...utm, geoTransform: [400000, 10.01, 0, 5620000, 0, -10] }, 0.5),
    ).toBe(false);
    expect(gridsEqual(utm, { ...utm, geoTransform: null }, 1)).toBe(false);
    const pixelOnly: Grid = { crs: null, geoTransform: null, width: 3, height: 4 };
    expect(gridsEqual(pixelOnly, { ...pixelOnly }, 0)).toBe(true);
  });
});

describe('intersectGrids', () => {
  it('finds the part of A covered by B in one CRS', () => {
    const b: Grid = {
      ...utm,
      geoTransform: [405005, 20, 0, 5615000, 0, -20],
      width: 1000,
      height: 1000,
    };
    const { window, grid } = intersectGrids(utm, b, null);
    expect(window).toEqual({ col0: 500, row0: 500, width: 500, height: 300 });
    expect(grid.geoTransform).toEqual([405000, 10, 0, 5615000, 0, -10]);
  });

  it('finds it across CRSs (B in EPSG:4326 over part of a UTM grid)', () => {
    const registry = new EpsgCrsRegistry();
    const toA: PositionTransform = registry.fromLonLat('EPSG:32633');
    const [west, north] = registry.toLonLat('EPSG:32633')([405000, 5616000]);
    const b: Grid = {
      crs: 'EPSG:4326',
      geoTransform: [west, 0.001, 0, north, 0, -0.001],
      width: 200,
      height: 200,
    };
    const { window } = intersectGrids(utm, b, toA);
    // B's edges follow meridians and parallels, tilted and bent in UTM: its bounding box in A,
    // from a dense outline.
    let minCol = Infinity;
    let minRow = Infinity;
    for (let k = 0; k <= 1000; k += 1) {
      for (const [c, r] of [
        [k / 5, 0],
        [0, k / 5],
        [k / 5, 200],
        [200, k / 5],
      ] as const) {
        const [x, y] = toA(applyGeoTransform(b.geoTransform!, c, r));
        minCol = Math.min(minCol, (x - 400000) / 10);
        minRow = Math.min(minRow, (5620000 - y) / 10);
      }
    }
    expect(minCol).toBeLessThan(480);
    expect(window.col0).toBe(Math.floor(minCol));
    expect(window.row0).toBe(Math.floor(minRow));
    expect(window.col0 + window.width).toBe(1000);
    expect(window.row0 + window.height).toBe(800);
  });

  it('throws "images do not overlap" naming both grids', () => {
    const far: Grid = { ...utm, geoTransform: [500000, 10, 0, 5620000, 0, -10] };
    const call = (): unknown =>
      intersectGrids(utm, far, null, { labels: { a: 'img-a', b: 'img-b' } });
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(
      /images do not overlap: img-a \(EPSG:32633 1000 × 800 px.*img-b \(EPSG:32633/,
    );
    const touching: Grid = { ...utm, geoTransform: [410000, 10, 0, 5620000, 0, -10] };
    expect(() => intersectGrids(utm, touching, null)).toThrow(/images do not overlap: A .* and B/);
  });

  it('treats a transform failing everywhere as no overlap, and aligns pixel-only grids', () => {
    const failing: PositionTransform = () => [Number.NaN, Number.NaN];
    expect(() => intersectGrids(utm, utm, failing)).toThrow(/do not overlap/);
    const a: Grid = { crs: null, geoTransform: null, width: 100, height: 50 };
    const b: Grid = { crs: null, geoTransform: null, width: 60, height: 80 };
    expect(intersectGrids(a, b, null).window).toEqual({ col0: 0, row0: 0, width: 60, height: 50 });
    expect(() => intersectGrids(a, utm, null)).toThrow(/only one has a georeference/);
  });
});
