import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { geometriesIntersect, geometryContains, pointInPolygonalGeometry } from './relations.ts';
import { rectangle, rectangleRing, regularRing } from './test-shapes.ts';
import type { PolygonalGeometry, Position } from './types.ts';

const donut = rectangle(0, 0, 10, 10, [rectangleRing(4, 4, 6, 6)]);

describe('pointInPolygonalGeometry', () => {
  it('respects holes and counts boundaries as inside', () => {
    expect(pointInPolygonalGeometry([1, 1], donut)).toBe(true);
    expect(pointInPolygonalGeometry([5, 5], donut)).toBe(false);
    expect(pointInPolygonalGeometry([11, 5], donut)).toBe(false);
    expect(pointInPolygonalGeometry([0, 5], donut)).toBe(true);
    expect(pointInPolygonalGeometry([4, 5], donut)).toBe(true);
  });

  it('finds points in any part of a multipolygon', () => {
    const g: PolygonalGeometry = {
      type: 'MultiPolygon',
      coordinates: [rectangle(0, 0, 1, 1).coordinates, rectangle(5, 5, 6, 6).coordinates],
    };
    expect(pointInPolygonalGeometry([5.5, 5.5], g)).toBe(true);
    expect(pointInPolygonalGeometry([3, 3], g)).toBe(false);
  });

  it('a convex polygon contains its vertex centroid', () => {
    const convex = fc
      .tuple(
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: 1e-4, max: 5, noNaN: true }),
        fc.integer({ min: 3, max: 50 }),
        fc.double({ min: 0, max: 6.28, noNaN: true }),
      )
      .map(([cx, cy, r, n, phase]) => {
        const ring: Position[] = [];
        for (let i = 0; i < n; i++) {
          const angle = phase + (2 * Math.PI * i) / n;
          ring.push([cx + r * Math.cos(angle), cy + r * Math.sin(angle)]);
        }
        ring.push(ring[0]!);
        return ring;
      });
    fc.assert(
      fc.property(convex, (ring) => {
        const corners = ring.slice(0, -1);
        const centroid: Position = [
          corners.reduce((sum, p) => sum + p[0], 0) / corners.length,
          corners.reduce((sum, p) => sum + p[1], 0) / corners.length,
        ];
        expect(pointInPolygonalGeometry(centroid, { type: 'Polygon', coordinates: [ring] })).toBe(
          true,
        );
      }),
      { seed: 42 },
    );
  });
});

describe('geometriesIntersect', () => {
  it('detects crossing edges, containment and touching; rejects disjoint and hole-only cases', () => {
    expect(geometriesIntersect(rectangle(0, 0, 2, 2), rectangle(1, 1, 3, 3))).toBe(true);
    expect(geometriesIntersect(rectangle(0, 0, 10, 10), rectangle(1, 1, 2, 2))).toBe(true);
    expect(geometriesIntersect(rectangle(1, 1, 2, 2), rectangle(0, 0, 10, 10))).toBe(true);
    expect(geometriesIntersect(rectangle(0, 0, 1, 1), rectangle(1, 0, 2, 1))).toBe(true);
    expect(geometriesIntersect(rectangle(0, 0, 1, 1), rectangle(1.5, 0, 2, 1))).toBe(false);
    // Bboxes overlap but the shapes do not: a triangle beside another's hypotenuse.
    const lower: PolygonalGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [2, 0],
          [0, 2],
          [0, 0],
        ],
      ],
    };
    expect(geometriesIntersect(lower, rectangle(1.5, 1.5, 2, 2))).toBe(false);
    expect(geometriesIntersect(donut, rectangle(4.5, 4.5, 5.5, 5.5))).toBe(false);
  });

  it('is symmetric', () => {
    const square = fc
      .tuple(
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 3, max: 12 }),
      )
      .map(([x, y, r, n]): PolygonalGeometry => ({
        type: 'Polygon',
        coordinates: [regularRing(x, y, r, n)],
      }));
    fc.assert(
      fc.property(
        square,
        square,
        (a, b) => geometriesIntersect(a, b) === geometriesIntersect(b, a),
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('geometryContains', () => {
  const site = rectangle(125, 39, 125.1, 39.1);

  it('accepts a zone inside, including one sharing the site boundary', () => {
    expect(geometryContains(site, rectangle(125.02, 39.02, 125.05, 39.05))).toBe(true);
    expect(geometryContains(site, rectangle(125, 39, 125.05, 39.05))).toBe(true);
    expect(geometryContains(site, site)).toBe(true);
  });

  it('rejects a zone poking outside the site', () => {
    expect(geometryContains(site, rectangle(125.05, 39.05, 125.11, 39.08))).toBe(false);
  });

  it('allows a vertex outside by less than the tolerance only', () => {
    const zone = rectangle(125.05, 39.05, 125.1 + 5e-10, 39.08);
    expect(geometryContains(site, zone)).toBe(true);
    expect(geometryContains(site, zone, 1e-12)).toBe(false);
  });

  it('rejects an edge that leaves and re-enters a concave outer between vertices', () => {
    const u: PolygonalGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [3, 0],
          [3, 3],
          [2, 3],
          [2, 1],
          [1, 1],
          [1, 3],
          [0, 3],
          [0, 0],
        ],
      ],
    };
    expect(geometryContains(u, rectangle(0.5, 0.2, 2.5, 0.8))).toBe(true);
    expect(
      geometryContains(u, {
        type: 'Polygon',
        coordinates: [
          [
            [0.5, 2],
            [2.5, 2],
            [2.5, 2.5],
            [0.5, 2.5],
            [0.5, 2],
          ],
        ],
      }),
    ).toBe(false);
  });

  it('respects holes of the outer geometry', () => {
    expect(geometryContains(donut, rectangle(1, 1, 3, 3))).toBe(true);
    expect(geometryContains(donut, rectangle(4.5, 4.5, 5.5, 5.5))).toBe(false);
    expect(geometryContains(donut, rectangle(3, 3, 7, 7))).toBe(false);
    expect(geometryContains(donut, rectangle(3, 4.5, 5, 5.5))).toBe(false);
  });

  it('handles multipolygon outers part by part', () => {
    const two: PolygonalGeometry = {
      type: 'MultiPolygon',
      coordinates: [rectangle(0, 0, 1, 1).coordinates, rectangle(2, 0, 3, 1).coordinates],
    };
    expect(geometryContains(two, rectangle(2.2, 0.2, 2.8, 0.8))).toBe(true);
    expect(geometryContains(two, rectangle(0.5, 0.2, 2.5, 0.8))).toBe(false);
  });
});
