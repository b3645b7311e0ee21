import { describe, expect, it } from 'vitest';
import type { Position } from '../geo/types.ts';
import { figureFrame, lonLatToPixel, padBbox, trueNorthAngleDeg } from './layout.ts';

/** A toy projection: metres on a local tangent plane at lat 45, optionally rotated. */
function toyProjection(rotationDeg: number) {
  const r = (rotationDeg * Math.PI) / 180;
  const k = 111_320;
  const cos45 = Math.cos(Math.PI / 4);
  const toMap = ([lon, lat]: Position): Position => {
    const x = lon * k * cos45;
    const y = (lat - 45) * k;
    return [x * Math.cos(r) - y * Math.sin(r), x * Math.sin(r) + y * Math.cos(r)];
  };
  const toLonLat = ([x, y]: Position): Position => {
    const ux = x * Math.cos(r) + y * Math.sin(r);
    const uy = -x * Math.sin(r) + y * Math.cos(r);
    return [ux / (k * cos45), uy / k + 45];
  };
  return { toMap, toLonLat };
}

describe('figureFrame', () => {
  it('holds the whole bbox, centred, with square pixels at the frame aspect', () => {
    const { toMap } = toyProjection(0);
    const bbox = [2, 45, 2.01, 45.02] as const;
    const frame = figureFrame(bbox, 1600, 1200, 'EPSG:32631', toMap);
    const toPixel = lonLatToPixel(frame, toMap);
    for (const corner of [
      [2, 45],
      [2.01, 45.02],
    ] as const) {
      const [c, r] = toPixel(corner);
      expect(c).toBeGreaterThanOrEqual(-1e-6);
      expect(c).toBeLessThanOrEqual(1600 + 1e-6);
      expect(r).toBeGreaterThanOrEqual(-1e-6);
      expect(r).toBeLessThanOrEqual(1200 + 1e-6);
    }
    // The bbox is taller than the frame's aspect: it fills the height exactly.
    const top = toPixel([2.005, 45.02])[1];
    const bottom = toPixel([2.005, 45])[1];
    expect(top).toBeCloseTo(0, 6);
    expect(bottom).toBeCloseTo(1200, 6);
    expect(frame.metersPerPixel).toBeCloseTo((0.02 * 111_320) / 1200, 6);
    const [x0, y0, x1, y1] = frame.mapBbox;
    expect((x1 - x0) / (y1 - y0)).toBeCloseTo(4 / 3, 9);
  });

  it('takes a fixed scale centred on the bbox', () => {
    const { toMap } = toyProjection(0);
    const frame = figureFrame([2, 45, 2.01, 45.02], 400, 300, 'X', toMap, 2);
    expect(frame.metersPerPixel).toBe(2);
    const [c, r] = lonLatToPixel(frame, toMap)([2.005, 45.01]);
    expect(c).toBeCloseTo(200, 6);
    expect(r).toBeCloseTo(150, 6);
    expect(() => figureFrame([2, 45, 2.01, 45.02], 400, 300, 'X', toMap, 0)).toThrow(/got 0/);
  });

  it('rejects bad sizes and bboxes, naming them', () => {
    const { toMap } = toyProjection(0);
    expect(() => figureFrame([0, 0, 1, 1], 8, 100, 'EPSG:3857', toMap)).toThrow(/width .* got 8/);
    expect(() => figureFrame([1, 0, 0, 1], 100, 100, 'EPSG:3857', toMap)).toThrow(
      /bbox \[1, 0, 0, 1\]/,
    );
  });

  it('pads a bbox by a fraction of its larger side', () => {
    expect(padBbox([0, 0, 1, 0.5], 0.1)).toEqual([-0.1, -0.1, 1.1, 0.6]);
  });
});

describe('trueNorthAngleDeg', () => {
  it.each([0, 2.5, -3])('finds true north rotated by %f° in the grid', (rotation) => {
    const { toMap, toLonLat } = toyProjection(rotation);
    const frame = figureFrame([2, 45, 2.01, 45.01], 400, 400, 'X', toMap);
    // Map rotated counter-clockwise by r: true north points r degrees anticlockwise = -r clockwise.
    expect(trueNorthAngleDeg(frame, toLonLat, toMap)).toBeCloseTo(-rotation, 6);
  });
});
