import { describe, expect, it } from 'vitest';
import { GeometryError, ValidationError } from '../errors.ts';
import { MAX_ANNOTATION_VERTICES, measureGeometry, parseAnnotationDraft } from './annotation.ts';

const square = (size: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [0, 0],
      [size, 0],
      [size, size],
      [0, size],
      [0, 0],
    ],
  ],
});

describe('parseAnnotationDraft', () => {
  it('measures a measurement on the sphere and ignores client-sent values', () => {
    const line = parseAnnotationDraft(
      {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [0, 1],
          [1, 1],
        ],
      },
      { kind: 'measurement', length_m: 5 },
    );
    // One degree of arc on the 6,371,008.8 m sphere: 111,195.08 m (at the equator and along
    // a meridian); one degree of longitude at 1° N: 111,178.14 m.
    expect(line.properties.length_m).toBeCloseTo(111195.08 + 111178.14, -1);
    const polygon = parseAnnotationDraft(square(0.01), { kind: 'measurement' });
    // 0.01° × 0.01° at the equator: 1,111.95 m × 1,111.95 m.
    expect(polygon.properties.area_m2).toBeCloseTo(1111.95 ** 2, -2);
    expect(polygon.properties.length_m).toBeCloseTo(4 * 1111.95, 0);
    expect(measureGeometry({ type: 'Point', coordinates: [1, 2] })).toEqual({});
  });

  it('names the bad field', () => {
    const cases: [unknown, unknown, RegExp][] = [
      [square(1), { kind: 'circle' }, /^properties\.kind: must be one of box/],
      [{ type: 'Point', coordinates: [0, 0] }, { kind: 'text' }, /^properties\.text/],
      [
        { type: 'Point', coordinates: [0, Number.NaN] },
        { kind: 'text', text: 'a' },
        /^geometry\.coordinates\[1\]/,
      ],
      [{ type: 'Point', coordinates: [0, 0] }, { kind: 'box' }, /^geometry\.type: must be Polygon/],
      [
        { type: 'LineString', coordinates: [[0, 0]] },
        { kind: 'arrow' },
        /^geometry\.coordinates: a LineString/,
      ],
      [square(1), { kind: 'box', color: 'blue' }, /^properties\.color/],
      [
        {
          type: 'LineString',
          coordinates: Array.from({ length: MAX_ANNOTATION_VERTICES + 1 }, (_, i) => [0, i / 1e5]),
        },
        { kind: 'arrow' },
        /^geometry\.coordinates: has 10001 vertices/,
      ],
    ];
    for (const [geometry, properties, message] of cases) {
      expect(() => parseAnnotationDraft(geometry, properties)).toThrow(ValidationError);
      expect(() => parseAnnotationDraft(geometry, properties)).toThrow(message);
    }
  });

  it('refuses an unclosed ring as a geometry error', () => {
    const open = square(1);
    open.coordinates[0]?.pop();
    expect(() => parseAnnotationDraft(open, { kind: 'polygon' })).toThrow(GeometryError);
    expect(() => parseAnnotationDraft(open, { kind: 'polygon' })).toThrow(/^geometry/);
  });
});
