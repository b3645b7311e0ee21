import { describe, expect, it } from 'vitest';
import { GeometryError } from '../errors.ts';
import { validatePolygonalGeometry } from './polygon-validity.ts';
import { rectangle, rectangleRing, regularRing } from './test-shapes.ts';

const LABEL = 'site "sanumdong"';

function problem(value: unknown): string {
  try {
    validatePolygonalGeometry(value, LABEL);
  } catch (error) {
    expect(error).toBeInstanceOf(GeometryError);
    const message = (error as GeometryError).message;
    expect(message.startsWith(`${LABEL}: `)).toBe(true);
    return message;
  }
  throw new Error('expected a GeometryError');
}

describe('validatePolygonalGeometry accepts', () => {
  it('a rectangle, returning a fresh typed copy without extra members', () => {
    const input = { ...rectangle(125, 39, 125.01, 39.01), bbox: [1, 2, 3, 4] };
    const out = validatePolygonalGeometry(input, LABEL);
    expect(out).toEqual(rectangle(125, 39, 125.01, 39.01));
    expect(out).not.toBe(input);
  });

  it('a polygon with a hole and a clockwise shell', () => {
    const shell = rectangleRing(0, 0, 10, 10).reverse();
    const hole = rectangleRing(2, 2, 4, 4);
    expect(() =>
      validatePolygonalGeometry({ type: 'Polygon', coordinates: [shell, hole] }, LABEL),
    ).not.toThrow();
  });

  it('a multipolygon with an island inside the hole of another part', () => {
    const donut = rectangle(0, 0, 10, 10, [rectangleRing(2, 2, 8, 8)]).coordinates;
    const island = rectangle(4, 4, 6, 6).coordinates;
    expect(() =>
      validatePolygonalGeometry({ type: 'MultiPolygon', coordinates: [donut, island] }, LABEL),
    ).not.toThrow();
  });

  it('positions with an altitude, dropping it', () => {
    const ring = rectangleRing(0, 0, 1, 1).map(([x, y]) => [x, y, 12.5]);
    const out = validatePolygonalGeometry({ type: 'Polygon', coordinates: [ring] }, LABEL);
    expect(out.coordinates[0]?.[0]).toEqual([0, 0]);
  });

  it('repeated consecutive positions', () => {
    const ring = [
      [0, 0],
      [1, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ];
    expect(() =>
      validatePolygonalGeometry({ type: 'Polygon', coordinates: [ring] }, LABEL),
    ).not.toThrow();
  });

  it('a 5,000-vertex ring in well under a second', () => {
    const ring = regularRing(125.5, 39.5, 0.01, 5000);
    const start = performance.now();
    validatePolygonalGeometry({ type: 'Polygon', coordinates: [ring] }, LABEL);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('validatePolygonalGeometry rejects', () => {
  it('non-objects and wrong types, saying which are accepted', () => {
    expect(problem(null)).toMatch(/GeoJSON object of type "Polygon" or "MultiPolygon", got null/);
    expect(problem([1, 2])).toMatch(/got an array of length 2/);
    expect(problem({ type: 'LineString', coordinates: [] })).toMatch(
      /geometry type "LineString" is not accepted; expected "Polygon" or "MultiPolygon"/,
    );
  });

  it('coordinates that are not arrays of numeric pairs', () => {
    expect(problem({ type: 'Polygon', coordinates: 'x' })).toMatch(
      /coordinates must be an array of rings, got "x"/,
    );
    expect(problem({ type: 'Polygon', coordinates: [] })).toMatch(/has no rings/);
    expect(
      problem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, '0'],
            [1, 1],
            [0, 0],
          ],
        ],
      }),
    ).toMatch(
      /ring 0 position 1 must be a \[longitude, latitude\] pair of numbers, got \[1, "0"\]/,
    );
    expect(problem({ type: 'MultiPolygon', coordinates: [] })).toMatch(
      /MultiPolygon has no polygons/,
    );
  });

  it('non-finite numbers', () => {
    expect(
      problem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [NaN, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      }),
    ).toMatch(/ring 0 position 1 has a non-finite longitude \(NaN\)/);
  });

  it('coordinates out of range, naming the value', () => {
    expect(problem(rectangle(179.5, 0, 180.5, 1))).toMatch(
      /ring 0 position 1 has longitude 180.5 outside \[-180, 180\]/,
    );
    expect(problem(rectangle(0, 89.5, 1, 90.25))).toMatch(
      /position 2 has latitude 90.25 outside \[-90, 90\]/,
    );
    expect(problem(rectangle(39, 125, 39.1, 125.1))).toMatch(/axes swapped\?/);
  });

  it('short, open and zero-area rings', () => {
    expect(
      problem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      }),
    ).toMatch(/ring 0 has 3 positions; a ring needs at least 4/);
    expect(
      problem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        ],
      }),
    ).toMatch(/ring 0 is not closed: first position \[0, 0\] differs from last position \[0, 1\]/);
    expect(
      problem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [1, 1],
            [0, 0],
          ],
        ],
      }),
    ).toMatch(/ring 0 has zero area/);
    expect(
      problem({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 1],
            [2, 2],
            [0, 0],
          ],
        ],
      }),
    ).toMatch(/ring 0 (has zero area|self-intersects)/);
  });

  it('a bow-tie, naming the two edges and the crossing point', () => {
    const bowTie = [
      [0, 0],
      [2, 2],
      [2, 0],
      [0, 2],
      [0, 0],
    ];
    expect(problem({ type: 'Polygon', coordinates: [bowTie] })).toBe(
      `${LABEL}: ring 0 self-intersects: edge 0 [0, 0]→[2, 2] crosses edge 2 [2, 0]→[0, 2] at about [1, 1]`,
    );
  });

  it('a ring that touches itself at a vertex', () => {
    // A figure-of-eight through (1, 1): vertex 2 lies on edge 4.
    const ring = [
      [0, 0],
      [2, 0],
      [1, 1],
      [2, 2],
      [0, 2],
      [1, 1],
      [0, 0],
    ];
    expect(problem({ type: 'Polygon', coordinates: [ring] })).toMatch(
      /ring 0 self-intersects: edge \d .* touches edge \d/,
    );
  });

  it('a spike that doubles back along its own edge', () => {
    const ring = [
      [0, 0],
      [2, 0],
      [2, 1],
      [2, 3],
      [2, 2],
      [0, 2],
      [0, 0],
    ];
    expect(problem({ type: 'Polygon', coordinates: [ring] })).toMatch(
      /ring 0 self-intersects: edge 2 /,
    );
    // With three edges all are adjacent: only the fold-back test can see it.
    const folded = [
      [0, 0],
      [2, 0],
      [1, 0],
      [0, 0],
    ];
    expect(problem({ type: 'Polygon', coordinates: [folded] })).toMatch(
      /ring 0 self-intersects: edge \d .* overlaps edge \d .* at about/,
    );
  });

  it('rings of one polygon that cross or touch', () => {
    const crossing = rectangle(0, 0, 10, 10, [rectangleRing(8, 2, 12, 4)]);
    expect(problem(crossing)).toMatch(
      /ring 0 edge 1 .* crosses ring 1 edge \d .*; rings of a polygon must not touch or cross/,
    );
    const touching = rectangle(0, 0, 10, 10, [rectangleRing(0, 2, 4, 4)]);
    expect(problem(touching)).toMatch(/ring 0 edge 3 .* (touches|overlaps) ring 1 edge \d/);
  });

  it('a hole outside its shell', () => {
    const g = rectangle(0, 0, 10, 10, [rectangleRing(20, 20, 22, 22)]);
    expect(problem(g)).toBe(
      `${LABEL}: hole ring 1 is not inside its shell ring 0: its position 0 [20, 20] lies outside`,
    );
  });

  it('a hole inside another hole', () => {
    const g = rectangle(0, 0, 10, 10, [rectangleRing(1, 1, 9, 9), rectangleRing(3, 3, 4, 4)]);
    expect(problem(g)).toMatch(/hole ring 2 lies inside hole ring 1/);
  });

  it('overlapping or touching parts of a multipolygon', () => {
    const crossing = {
      type: 'MultiPolygon',
      coordinates: [rectangle(0, 0, 2, 2).coordinates, rectangle(1, 1, 3, 3).coordinates],
    };
    expect(problem(crossing)).toMatch(
      /polygon 0 ring 0 edge \d .* crosses polygon 1 ring 0 edge \d .*parts of a MultiPolygon must not touch or overlap/,
    );
    const nested = {
      type: 'MultiPolygon',
      coordinates: [rectangle(0, 0, 10, 10).coordinates, rectangle(1, 1, 3, 3).coordinates],
    };
    expect(problem(nested)).toMatch(/polygon 1 lies inside polygon 0/);
    const touching = {
      type: 'MultiPolygon',
      coordinates: [rectangle(0, 0, 1, 1).coordinates, rectangle(1, 1, 2, 2).coordinates],
    };
    expect(problem(touching)).toMatch(/touches/);
  });

  it('errors inside a multipolygon part, naming the part', () => {
    const bowTie = [
      [0, 0],
      [2, 2],
      [2, 0],
      [0, 2],
      [0, 0],
    ];
    const g = {
      type: 'MultiPolygon',
      coordinates: [rectangle(10, 10, 11, 11).coordinates, [bowTie]],
    };
    expect(problem(g)).toMatch(/polygon 1 ring 0 self-intersects/);
  });
});
