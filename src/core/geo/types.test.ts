import { describe, expect, it } from 'vitest';
import { polygonsOf } from './types.ts';

describe('polygonsOf', () => {
  it('wraps a polygon and passes a multipolygon through', () => {
    const ring = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 0],
    ] as const;
    expect(polygonsOf({ type: 'Polygon', coordinates: [ring] })).toEqual([[ring]]);
    expect(polygonsOf({ type: 'MultiPolygon', coordinates: [[ring], [ring]] })).toHaveLength(2);
  });
});
