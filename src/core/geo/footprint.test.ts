import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  applyGeoTransform,
  footprintFromGeoTransform,
  invertGeoTransform,
  validateGeoTransform,
} from './footprint.ts';
import { signedRingArea } from './ring.ts';
import type { GeoTransform, Position } from './types.ts';

const identity = (p: Position): Position => p;
const northUp: GeoTransform = [125, 0.001, 0, 40, 0, -0.001];

describe('applyGeoTransform / invertGeoTransform', () => {
  it('maps pixel corners as GDAL does', () => {
    expect(applyGeoTransform(northUp, 0, 0)).toEqual([125, 40]);
    expect(applyGeoTransform(northUp, 10, 20)).toEqual([125.01, 39.98]);
  });

  it('rejects a singular transform, naming it', () => {
    expect(() => invertGeoTransform([0, 1, 2, 0, 2, 4])).toThrow(ValidationError);
    expect(() => invertGeoTransform([0, 1, 2, 0, 2, 4])).toThrow(
      /\[0, 1, 2, 0, 2, 4\] cannot be inverted/,
    );
  });

  it('round-trips pixel → map → pixel', () => {
    const term = fc.double({ min: -1e3, max: 1e3, noNaN: true });
    const scale = fc.oneof(
      fc.double({ min: 1e-6, max: 100, noNaN: true }),
      fc.double({ min: -100, max: -1e-6, noNaN: true }),
    );
    const transform = fc
      .tuple(
        term,
        scale,
        fc.double({ min: -0.1, max: 0.1, noNaN: true }),
        term,
        fc.double({ min: -0.1, max: 0.1, noNaN: true }),
        scale,
      )
      .filter(([, a, b, , d, e]) => Math.abs(a * e - b * d) > 1e-3 * Math.abs(a * e))
      .map((t): GeoTransform => t);
    const pixel = fc.double({ min: -1e4, max: 1e4, noNaN: true });
    fc.assert(
      fc.property(transform, pixel, pixel, (t, col, row) => {
        const [c, r] = applyGeoTransform(invertGeoTransform(t), ...applyGeoTransform(t, col, row));
        const tolerance = 1e-6 * (1 + Math.abs(col) + Math.abs(row));
        expect(Math.abs(c - col)).toBeLessThan(tolerance);
        expect(Math.abs(r - row)).toBeLessThan(tolerance);
      }),
      { seed: 42 },
    );
  });
});

describe('validateGeoTransform', () => {
  it('rejects zero pixel sizes, non-finite terms and wrong lengths', () => {
    expect(() => {
      validateGeoTransform([0, 0, 0, 0, 0, -1], 'a.jgw');
    }).toThrow(/a.jgw: pixel width is zero/);
    expect(() => {
      validateGeoTransform([0, 1, 0, 0, 0, 0], 'a.jgw');
    }).toThrow(/pixel height is zero/);
    expect(() => {
      validateGeoTransform([0, 1, 0, NaN, 0, -1], 'a.jgw');
    }).toThrow(/term 3 is NaN/);
    expect(() => {
      validateGeoTransform([0, 1, 0], 'a.jgw');
    }).toThrow(/6 terms, got 3/);
    expect(() => {
      validateGeoTransform([0, 1, 1, 0, 1, 1], 'a.jgw');
    }).toThrow(/singular/);
    expect(() => {
      validateGeoTransform(northUp, 'a.jgw');
    }).not.toThrow();
  });
});

describe('footprintFromGeoTransform', () => {
  it('outlines a north-up image counter-clockwise, closed and densified', () => {
    const g = footprintFromGeoTransform(100, 50, northUp, identity, 4);
    const ring = g.coordinates[0]!;
    expect(ring).toHaveLength(17);
    expect(ring[0]).toEqual(ring[16]);
    expect(signedRingArea(ring)).toBeGreaterThan(0);
    const xs = ring.map((p) => p[0]);
    const ys = ring.map((p) => p[1]);
    expect(Math.min(...xs)).toBeCloseTo(125, 12);
    expect(Math.max(...xs)).toBeCloseTo(125.1, 12);
    expect(Math.min(...ys)).toBeCloseTo(39.95, 12);
    expect(Math.max(...ys)).toBeCloseTo(40, 12);
  });

  it('stays counter-clockwise for a south-up (flipped) transform', () => {
    const g = footprintFromGeoTransform(10, 10, [125, 0.001, 0, 39, 0, 0.001], identity);
    expect(signedRingArea(g.coordinates[0]!)).toBeGreaterThan(0);
    expect(g.coordinates[0]).toHaveLength(65);
  });

  it('rejects points outside the projection domain, naming the pixel corner', () => {
    const partial = (p: Position): Position => (p[0] > 125.05 ? [Infinity, NaN] : p);
    expect(() => footprintFromGeoTransform(100, 50, northUp, partial, 1)).toThrow(
      /pixel corner \(100, 0\)/,
    );
  });

  it('rejects bad sizes and transforms', () => {
    expect(() => footprintFromGeoTransform(0, 5, northUp, identity)).toThrow(ValidationError);
    expect(() => footprintFromGeoTransform(5, 5, northUp, identity, 0)).toThrow(/pointsPerEdge/);
    expect(() => footprintFromGeoTransform(5, 5, [0, 0, 0, 0, 0, -1], identity)).toThrow(
      /pixel width is zero/,
    );
  });
});
