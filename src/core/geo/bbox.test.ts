import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { bboxContainsBbox, bboxesIntersect, bboxOfGeometry, bboxOfPositions } from './bbox.ts';
import { rectangle, regularRing } from './test-shapes.ts';
import type { PolygonalGeometry } from './types.ts';
import { polygonsOf } from './types.ts';

describe('bboxOfPositions', () => {
  it('spans the extreme coordinates', () => {
    expect(
      bboxOfPositions([
        [3, -1],
        [-2, 4],
        [1, 0],
      ]),
    ).toEqual([-2, -1, 3, 4]);
  });

  it('rejects an empty list', () => {
    expect(() => bboxOfPositions([])).toThrow(ValidationError);
  });
});

describe('bboxOfGeometry', () => {
  it('covers every part of a multipolygon', () => {
    const g: PolygonalGeometry = {
      type: 'MultiPolygon',
      coordinates: [rectangle(0, 0, 1, 1).coordinates, rectangle(5, -3, 6, -2).coordinates],
    };
    expect(bboxOfGeometry(g)).toEqual([0, -3, 6, 1]);
  });

  it('contains every vertex of random polygons, and is tight', () => {
    const geometry = fc
      .tuple(
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: 1e-4, max: 5, noNaN: true }),
        fc.integer({ min: 3, max: 40 }),
      )
      .map(([cx, cy, r, n]): PolygonalGeometry => ({
        type: 'Polygon',
        coordinates: [regularRing(cx, cy, r, n)],
      }));
    fc.assert(
      fc.property(geometry, (g) => {
        const [minX, minY, maxX, maxY] = bboxOfGeometry(g);
        const all = polygonsOf(g).flat(2);
        for (const [x, y] of all) {
          expect(x >= minX && x <= maxX && y >= minY && y <= maxY).toBe(true);
        }
        expect(all.some(([x]) => x === minX)).toBe(true);
        expect(all.some(([, y]) => y === maxY)).toBe(true);
      }),
      { seed: 42 },
    );
  });
});

describe('bboxesIntersect', () => {
  it('counts touching boxes and rejects separate ones', () => {
    expect(bboxesIntersect([0, 0, 1, 1], [1, 1, 2, 2])).toBe(true);
    expect(bboxesIntersect([0, 0, 1, 1], [0.5, -1, 0.6, 3])).toBe(true);
    expect(bboxesIntersect([0, 0, 1, 1], [1.0001, 0, 2, 1])).toBe(false);
    expect(bboxesIntersect([0, 0, 1, 1], [0, 1.5, 1, 2])).toBe(false);
  });

  it('is symmetric', () => {
    const box = fc
      .tuple(
        fc.integer({ min: -20, max: 20 }),
        fc.integer({ min: -20, max: 20 }),
        fc.nat(10),
        fc.nat(10),
      )
      .map(([x, y, w, h]) => [x, y, x + w, y + h] as const);
    fc.assert(
      fc.property(box, box, (a, b) => bboxesIntersect(a, b) === bboxesIntersect(b, a)),
      { seed: 42 },
    );
  });
});

describe('bboxContainsBbox', () => {
  it('accepts equal and nested boxes only', () => {
    expect(bboxContainsBbox([0, 0, 2, 2], [0, 0, 2, 2])).toBe(true);
    expect(bboxContainsBbox([0, 0, 2, 2], [0.5, 0.5, 1, 1])).toBe(true);
    expect(bboxContainsBbox([0, 0, 2, 2], [0.5, 0.5, 2.1, 1])).toBe(false);
  });
});
