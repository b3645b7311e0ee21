import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.ts';
import { burnPolygon, parseWktPolygons } from './rasterise-polygons.ts';

function burn(wkt: string, width = 12, height = 10): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const polygon of parseWktPolygons(wkt)) burnPolygon(mask, width, height, polygon, 1);
  return mask;
}

const set = (mask: Uint8Array, width = 12) =>
  [...mask.keys()].filter((p) => mask[p] === 1).map((p) => [p % width, Math.floor(p / width)]);

describe('parseWktPolygons', () => {
  it('parses a polygon with a hole and a multipolygon', () => {
    expect(parseWktPolygons('POLYGON ((0 0, 4 0, 4 4, 0 0), (1 1, 2 1, 2 2, 1 1))')).toEqual([
      [
        [
          [0, 0],
          [4, 0],
          [4, 4],
          [0, 0],
        ],
        [
          [1, 1],
          [2, 1],
          [2, 2],
          [1, 1],
        ],
      ],
    ]);
    const multi = parseWktPolygons(
      'MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5), (5.2 5.2, 5.4 5.2, 5.4 5.4, 5.2 5.2)))',
    );
    expect(multi.map((p) => p.length)).toEqual([1, 2]);
    expect(multi[1]?.[0]?.[0]).toEqual([5, 5]);
  });

  it('rejects other geometries, bad vertices and unbalanced parentheses', () => {
    expect(() => parseWktPolygons('LINESTRING (0 0, 1 1)')).toThrow(ValidationError);
    expect(() => parseWktPolygons('POLYGON ((0 0, 1 x, 1 1, 0 0))')).toThrow(/bad vertex/);
    expect(() => parseWktPolygons('POLYGON ((0 0, 1 0, 1 1, 0 0)')).toThrow(/unbalanced/);
  });
});

describe('burnPolygon', () => {
  it('sets exactly the pixels whose centres are inside an axis-aligned rectangle', () => {
    // x in [2, 7), y in [3, 5): centres 2.5…6.5 and 3.5, 4.5 → 5 × 2 pixels.
    const mask = burn('POLYGON ((2 3, 7 3, 7 5, 2 5, 2 3))');
    expect(set(mask)).toEqual([
      [2, 3],
      [3, 3],
      [4, 3],
      [5, 3],
      [6, 3],
      [2, 4],
      [3, 4],
      [4, 4],
      [5, 4],
      [6, 4],
    ]);
  });

  it('leaves holes unset and clips to the image', () => {
    const withHole = burn('POLYGON ((0 0, 5 0, 5 5, 0 5, 0 0), (1 1, 4 1, 4 4, 1 4, 1 1))');
    expect(set(withHole)).toHaveLength(25 - 9);
    expect(withHole[2 * 12 + 2]).toBe(0);
    const clipped = burn('POLYGON ((-3 -3, 3 -3, 3 2, -3 2, -3 -3))');
    expect(set(clipped)).toHaveLength(3 * 2);
  });

  it('matches the polygon area on a triangle to within its perimeter', () => {
    const mask = burn('POLYGON ((0 0, 10 0, 0 10, 0 0))', 12, 12);
    const count = set(mask, 12).length;
    expect(Math.abs(count - 50)).toBeLessThanOrEqual(10);
  });

  it('rejects a mask of the wrong size', () => {
    expect(() => {
      burnPolygon(
        new Uint8Array(5),
        3,
        3,
        [
          [
            [0, 0],
            [1, 0],
            [1, 1],
          ],
        ],
        1,
      );
    }).toThrow(ValidationError);
  });
});
