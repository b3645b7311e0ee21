import { describe, expect, it } from 'vitest';
import { EpsgCrsRegistry } from '../../adapters/crs/epsg-crs-registry.ts';
import { ValidationError } from '../errors.ts';
import { applyGeoTransform, invertGeoTransform } from '../geo/footprint.ts';
import type { Position, PositionTransform } from '../geo/types.ts';
import { buildPixelMapping, type PixelMapping } from './approximate-mapping.ts';
import type { Grid } from './grid.ts';

const registry = new EpsgCrsRegistry();

/** dst map → lon/lat → src map, as the compare pipeline composes it. */
function crsTransform(from: string, to: string): PositionTransform {
  const toLonLat = registry.toLonLat(from);
  const fromLonLat = registry.fromLonLat(to);
  return (p) => fromLonLat(toLonLat(p));
}

/** The exact source pixel position of a destination pixel position, or null. */
function exactPosition(
  destination: Grid,
  source: Grid,
  transform: PositionTransform,
  col: number,
  row: number,
): Position | null {
  const map = applyGeoTransform(destination.geoTransform!, col, row);
  let inSource: Position;
  try {
    inSource = transform(map);
  } catch {
    return null;
  }
  return applyGeoTransform(invertGeoTransform(source.geoTransform!), inSource[0], inSource[1]);
}

/**
 * Largest distance, in source pixels, between the mapping and exact per-pixel transforms over
 * every 7th row and every 5th column of the grid (prime strides reach every phase of the
 * 64-px mesh cells) plus every pixel of a 96 × 96 block straddling cell corners.
 */
function worstErrorPx(mapping: PixelMapping, transform: PositionTransform): number {
  const { destination, source } = mapping;
  let worst = 0;
  const check = (
    window: { col0: number; row0: number; width: number; height: number },
    colStep: number,
  ): void => {
    const outCol = new Float64Array(window.width * window.height);
    const outRow = new Float64Array(window.width * window.height);
    mapping.mapWindow(window, outCol, outRow);
    for (let r = 0; r < window.height; r += 1) {
      for (let c = 0; c < window.width; c += colStep) {
        const exact = exactPosition(
          destination,
          source,
          transform,
          window.col0 + c + 0.5,
          window.row0 + r + 0.5,
        );
        const i = r * window.width + c;
        if (exact === null) {
          expect(outCol[i]).toBeNaN();
          continue;
        }
        worst = Math.max(worst, Math.hypot(outCol[i]! - exact[0], outRow[i]! - exact[1]));
      }
    }
  };
  for (let row = 3; row < destination.height; row += 7) {
    check({ col0: 0, row0: row, width: destination.width, height: 1 }, 5);
  }
  check({ col0: 1000, row0: 1230, width: 96, height: 96 }, 1);
  return worst;
}

const SIZE = 2048;

interface Case {
  readonly name: string;
  readonly destination: Grid;
  readonly source: Grid;
}

const CASES: readonly Case[] = [
  {
    name: 'UTM 33N (10 m) ← EPSG:4326',
    destination: {
      crs: 'EPSG:32633',
      geoTransform: [400000, 10, 0, 5620000, 0, -10],
      width: SIZE,
      height: SIZE,
    },
    source: {
      crs: 'EPSG:4326',
      geoTransform: [13.5, 0.0001, 0, 50.8, 0, -0.0001],
      width: 4000,
      height: 4000,
    },
  },
  {
    name: 'EPSG:4326 ← UTM 33N (10 m)',
    destination: {
      crs: 'EPSG:4326',
      geoTransform: [13.6, 0.0001, 0, 50.7, 0, -0.0001],
      width: SIZE,
      height: SIZE,
    },
    source: {
      crs: 'EPSG:32633',
      geoTransform: [400000, 10, 0, 5620000, 0, -10],
      width: 3000,
      height: 3000,
    },
  },
  {
    name: 'UTM 33N (10 m) ← Web Mercator (10 m)',
    destination: {
      crs: 'EPSG:32633',
      geoTransform: [400000, 10, 0, 5620000, 0, -10],
      width: SIZE,
      height: SIZE,
    },
    source: {
      crs: 'EPSG:3857',
      geoTransform: [1500000, 10, 0, 6600000, 0, -10],
      width: 5000,
      height: 5000,
    },
  },
  {
    name: 'Web Mercator at 70° N ← EPSG:4326',
    destination: {
      crs: 'EPSG:3857',
      geoTransform: [2000000, 30, 0, 11100000, 0, -30],
      width: SIZE,
      height: SIZE,
    },
    source: {
      crs: 'EPSG:4326',
      geoTransform: [17, 0.0003, 0, 71, 0, -0.0003],
      width: 5000,
      height: 5000,
    },
  },
  {
    name: 'EPSG:4326 over 30° × 30° ← UTM 33N (100 m), strongly curved',
    destination: {
      crs: 'EPSG:4326',
      geoTransform: [0, 30 / SIZE, 0, 65, 0, -30 / SIZE],
      width: SIZE,
      height: SIZE,
    },
    source: {
      crs: 'EPSG:32633',
      geoTransform: [-500000, 100, 0, 7500000, 0, -100],
      width: 20000,
      height: 40000,
    },
  },
];

describe('buildPixelMapping between CRSs (mesh)', () => {
  it.each(CASES)(
    '$name: within 0.125 px of exact transforms over 2048²',
    ({ destination, source }) => {
      const transform = crsTransform(destination.crs!, source.crs!);
      const mapping = buildPixelMapping(destination, source, transform, {
        maxErrorPx: 0.125,
        initialStepPx: 64,
      });
      expect(mapping.affine).toBeNull();
      const worst = worstErrorPx(mapping, transform);
      expect(worst).toBeLessThanOrEqual(0.125);
      expect(worst).toBeGreaterThan(0);
    },
  );

  it('refines the mesh only where the map bends, and needs to', () => {
    const [flat, curved] = [CASES[0]!, CASES[4]!].map(({ destination, source }) =>
      buildPixelMapping(destination, source, crsTransform(destination.crs!, source.crs!)),
    );
    const cells = (SIZE / 64) ** 2;
    expect(flat!.exactTransformCount).toBe(cells * 9);
    expect(curved!.exactTransformCount).toBeGreaterThan(cells * 9);
    expect(curved!.exactTransformCount).toBeLessThan(SIZE * SIZE * 0.05);
    const { destination, source } = CASES[4]!;
    const transform = crsTransform(destination.crs!, source.crs!);
    const unrefined = buildPixelMapping(destination, source, transform, { maxErrorPx: 1e9 });
    expect(unrefined.exactTransformCount).toBe(cells * 9);
    expect(worstErrorPx(unrefined, transform)).toBeGreaterThan(0.125);
  });

  it('is exact at mesh nodes and agrees between mapWindow and mapPoints', () => {
    const { destination, source } = CASES[4]!;
    const transform = crsTransform(destination.crs!, source.crs!);
    const mapping = buildPixelMapping(destination, source, transform);
    const cols = Float64Array.of(0, 64, 128, 2048, 640);
    const rows = Float64Array.of(0, 64, 1024, 2048, 1984);
    const outCol = new Float64Array(5);
    const outRow = new Float64Array(5);
    mapping.mapPoints(cols, rows, outCol, outRow);
    cols.forEach((col, i) => {
      const exact = exactPosition(destination, source, transform, col, rows[i]!)!;
      expect(outCol[i]).toBeCloseTo(exact[0], 9);
      expect(outRow[i]).toBeCloseTo(exact[1], 9);
    });
    // A few pixels beyond the grid (destination-side corrections reach there): extrapolated.
    const beyond = [Float64Array.of(-2.5, 2050.5), Float64Array.of(-3.5, 2051)] as const;
    const beyondOut = [new Float64Array(2), new Float64Array(2)] as const;
    mapping.mapPoints(...beyond, ...beyondOut);
    for (const i of [0, 1]) {
      const exact = exactPosition(destination, source, transform, beyond[0][i]!, beyond[1][i]!)!;
      expect(Math.hypot(beyondOut[0][i]! - exact[0], beyondOut[1][i]! - exact[1])).toBeLessThan(
        0.125,
      );
    }
    const window = { col0: 50, row0: 1900, width: 100, height: 30 };
    const fromWindow = [new Float64Array(3000), new Float64Array(3000)] as const;
    mapping.mapWindow(window, ...fromWindow);
    const centreCols = new Float64Array(3000).map((_, i) => window.col0 + (i % 100) + 0.5);
    const centreRows = new Float64Array(3000).map(
      (_, i) => window.row0 + Math.floor(i / 100) + 0.5,
    );
    mapping.mapPoints(centreCols, centreRows, centreCols, centreRows);
    for (let i = 0; i < 3000; i += 1) {
      expect(fromWindow[0][i]).toBeCloseTo(centreCols[i]!, 9);
      expect(fromWindow[1][i]).toBeCloseTo(centreRows[i]!, 9);
    }
  });

  it('maps positions outside the transform domain to NaN and stays exact beside them', () => {
    const grid: Grid = { crs: 'EPSG:1', geoTransform: [0, 1, 0, 0, 0, 1], width: 256, height: 128 };
    const source: Grid = { ...grid, crs: 'EPSG:2' };
    // Throws right of x = 100.3; returns NaN in the corner x < 30, y > 90.6.
    const transform: PositionTransform = ([x, y]) => {
      if (x > 100.3) throw new ValidationError(`x ${x} outside the domain`);
      if (x < 30 && y > 90.6) return [Number.NaN, Number.NaN];
      return [0.5 * x + 0.001 * y * y, y + 1e-4 * x * x];
    };
    const mapping = buildPixelMapping(grid, source, transform);
    const outCol = new Float64Array(256 * 128);
    const outRow = new Float64Array(256 * 128);
    mapping.mapWindow({ col0: 0, row0: 0, width: 256, height: 128 }, outCol, outRow);
    let worst = 0;
    let nanWhereExpected = 0;
    let nanElsewhere = 0;
    for (let r = 0; r < 128; r += 1) {
      for (let c = 0; c < 256; c += 1) {
        const i = r * 256 + c;
        const outside = c + 0.5 > 100.3 || (c + 0.5 < 30 && r + 0.5 > 90.6);
        if (outside) {
          if (Number.isNaN(outCol[i]) && Number.isNaN(outRow[i])) nanWhereExpected += 1;
          continue;
        }
        const exact = exactPosition(grid, source, transform, c + 0.5, r + 0.5)!;
        if (Number.isNaN(outCol[i])) nanElsewhere += 1;
        else worst = Math.max(worst, Math.hypot(outCol[i]! - exact[0], outRow[i]! - exact[1]));
      }
    }
    expect(nanWhereExpected).toBe(156 * 128 + 30 * 37);
    expect(nanElsewhere).toBe(0);
    expect(worst).toBeLessThanOrEqual(0.125);
  });

  it('names the window a destination window reads, clamped to the source', () => {
    const { destination, source } = CASES[1]!;
    const mapping = buildPixelMapping(
      destination,
      source,
      crsTransform(destination.crs!, source.crs!),
    );
    const window = { col0: 700, row0: 900, width: 300, height: 200 };
    const outCol = new Float64Array(300 * 200);
    const outRow = new Float64Array(300 * 200);
    mapping.mapWindow(window, outCol, outRow);
    const minCol = Math.floor(Math.min(...outCol));
    const maxCol = Math.floor(Math.max(...outCol));
    const minRow = Math.floor(Math.min(...outRow));
    const maxRow = Math.floor(Math.max(...outRow));
    expect(mapping.sourceWindowFor(window, 2)).toEqual({
      col0: minCol - 2,
      row0: minRow - 2,
      width: maxCol - minCol + 5,
      height: maxRow - minRow + 5,
    });
    const corner = mapping.sourceWindowFor({ col0: 0, row0: 0, width: SIZE, height: SIZE }, 1)!;
    expect(corner.col0 + corner.width).toBeLessThanOrEqual(source.width);
    expect(corner.row0 + corner.height).toBeLessThanOrEqual(source.height);
    const far: Grid = { ...source, geoTransform: [0, 10, 0, 1000, 0, -10] };
    const outside = buildPixelMapping(destination, far, crsTransform('EPSG:4326', 'EPSG:32633'));
    expect(outside.sourceWindowFor(window, 2)).toBeNull();
  });
});

describe('buildPixelMapping in one CRS (affine)', () => {
  const destination: Grid = {
    crs: 'EPSG:32633',
    geoTransform: [400000, 10, 0.5, 5620000, 0.3, -10],
    width: 300,
    height: 200,
  };
  const source: Grid = {
    crs: 'epsg:32633',
    geoTransform: [399000, 20, 0, 5621000, 0, -20],
    width: 200,
    height: 150,
  };

  it('is one exact affine map, with or without a transform given', () => {
    for (const transform of [null, crsTransform('EPSG:32633', 'EPSG:32633')]) {
      const mapping = buildPixelMapping(destination, source, transform);
      expect(mapping.affine).not.toBeNull();
      expect(mapping.exactTransformCount).toBe(0);
      const outCol = new Float64Array(300 * 200);
      const outRow = new Float64Array(300 * 200);
      mapping.mapWindow({ col0: 0, row0: 0, width: 300, height: 200 }, outCol, outRow);
      const inverse = invertGeoTransform(source.geoTransform!);
      for (const [c, r] of [
        [0, 0],
        [299, 0],
        [17, 123],
        [299, 199],
      ] as const) {
        const [x, y] = applyGeoTransform(destination.geoTransform!, c + 0.5, r + 0.5);
        const [sc, sr] = applyGeoTransform(inverse, x, y);
        expect(outCol[r * 300 + c]).toBeCloseTo(sc, 9);
        expect(outRow[r * 300 + c]).toBeCloseTo(sr, 9);
      }
    }
  });

  it('maps a grid onto itself by identity, and pixel-only grids by identity', () => {
    for (const grid of [destination, { crs: null, geoTransform: null, width: 300, height: 200 }]) {
      const mapping = buildPixelMapping(grid, grid, null);
      const outCol = new Float64Array(4);
      const outRow = new Float64Array(4);
      mapping.mapWindow({ col0: 10, row0: 20, width: 2, height: 2 }, outCol, outRow);
      expect([...outCol].map((v) => +v.toFixed(9))).toEqual([10.5, 11.5, 10.5, 11.5]);
      expect([...outRow].map((v) => +v.toFixed(9))).toEqual([20.5, 20.5, 21.5, 21.5]);
      expect(mapping.sourceWindowFor({ col0: 10, row0: 20, width: 2, height: 2 }, 1)).toEqual({
        col0: 9,
        row0: 19,
        width: 4,
        height: 4,
      });
    }
  });

  it('rejects mixed georeferencing, different CRSs without a transform and bad options', () => {
    const pixelOnly: Grid = { crs: null, geoTransform: null, width: 300, height: 200 };
    expect(() => buildPixelMapping(destination, pixelOnly, null)).toThrow(
      /only one has a geotransform/,
    );
    expect(() => buildPixelMapping(destination, { ...source, crs: 'EPSG:4326' }, null)).toThrow(
      /EPSG:32633 and source in EPSG:4326/,
    );
    expect(() => buildPixelMapping(destination, source, null, { maxErrorPx: 0 })).toThrow(
      /maxErrorPx/,
    );
    expect(() => buildPixelMapping(destination, source, null, { initialStepPx: 1.5 })).toThrow(
      /initialStepPx/,
    );
    expect(() => buildPixelMapping({ ...destination, width: 0 }, source, null)).toThrow(
      /width must be a positive integer/,
    );
    const mapping = buildPixelMapping(destination, source, null);
    expect(() => {
      mapping.mapWindow(
        { col0: 0, row0: 0, width: 3, height: 3 },
        new Float64Array(8),
        new Float64Array(9),
      );
    }).toThrow(/needs 9/);
  });
});
