import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { geodesicAreaSquareMeters, gsdMetersAt, haversineMeters } from './geodesy.ts';
import { rectangle, rectangleRing } from './test-shapes.ts';
import type { GeoTransform, Position } from './types.ts';

const identity = (p: Position): Position => p;

describe('haversineMeters', () => {
  it('measures a degree of longitude on the equator and of latitude anywhere', () => {
    const degreeMeters = (6371008.8 * Math.PI) / 180;
    expect(haversineMeters([0, 0], [1, 0])).toBeCloseTo(degreeMeters, 3);
    expect(haversineMeters([125, 39], [125, 40])).toBeCloseTo(degreeMeters, 3);
    expect(haversineMeters([0, 60], [1, 60])).toBeCloseTo(degreeMeters * 0.5, -1);
    expect(haversineMeters([10, 20], [10, 20])).toBe(0);
  });

  it('is about 20,015 km between antipodes', () => {
    expect(haversineMeters([0, 0], [180, 0]) / 1000).toBeCloseTo(20015.1, 0);
  });
});

describe('geodesicAreaSquareMeters', () => {
  it('gives about 12,364 km² for a 1°×1° cell at the equator (within 0.5 %)', () => {
    const km2 = geodesicAreaSquareMeters(rectangle(0, 0, 1, 1)) / 1e6;
    expect(Math.abs(km2 - 12364) / 12364).toBeLessThan(0.005);
  });

  it('shrinks with the cosine of latitude and ignores ring orientation', () => {
    const equator = geodesicAreaSquareMeters(rectangle(0, 0, 1, 1));
    const north = geodesicAreaSquareMeters({
      type: 'Polygon',
      coordinates: [rectangleRing(0, 59.5, 1, 60.5).reverse()],
    });
    expect(north / equator).toBeCloseTo(0.5, 2);
  });

  it('subtracts holes and adds parts', () => {
    const cell = geodesicAreaSquareMeters(rectangle(0, 0, 1, 1));
    const quarter = geodesicAreaSquareMeters(rectangle(0.25, 0.25, 0.75, 0.75));
    const holed = geodesicAreaSquareMeters(
      rectangle(0, 0, 1, 1, [rectangleRing(0.25, 0.25, 0.75, 0.75)]),
    );
    expect(holed).toBeCloseTo(cell - quarter, -3);
    const two = geodesicAreaSquareMeters({
      type: 'MultiPolygon',
      coordinates: [rectangle(0, 0, 1, 1).coordinates, rectangle(0, -1, 1, 0).coordinates],
    });
    expect(two).toBeCloseTo(2 * cell, -3);
  });
});

describe('gsdMetersAt', () => {
  it('measures a 1e-4° pixel at the equator as about 11.1 m', () => {
    const t: GeoTransform = [0, 1e-4, 0, 0, 0, -1e-4];
    expect(gsdMetersAt(t, identity, 0, 0)).toBeCloseTo(11.12, 2);
  });

  it('averages the column and row steps', () => {
    // At 60° N a 1e-4° pixel is ~5.56 m wide and ~11.12 m tall.
    const t: GeoTransform = [10, 1e-4, 0, 60, 0, -1e-4];
    expect(gsdMetersAt(t, identity, 0, 0)).toBeCloseTo((5.56 + 11.12) / 2, 1);
  });

  it('maps through toLonLat and rejects non-finite results', () => {
    const metres: GeoTransform = [0, 10, 0, 0, 0, -10];
    const toLonLat = (p: Position): Position => [p[0] / 111195, p[1] / 111195];
    expect(gsdMetersAt(metres, toLonLat, 5, 5)).toBeCloseTo(10, 1);
    expect(() => gsdMetersAt(metres, () => [NaN, 0], 0, 0)).toThrow(ValidationError);
  });
});
