import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import { parseDetectionsGeoJson } from './sitewatch-cli.ts';

describe('parseDetectionsGeoJson', () => {
  it('reads class, score and the box from the pixel polygon (closed or not)', () => {
    const json = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: null,
          properties: {
            class: 'ship',
            score: 0.7,
            pixelPolygon: [
              [8, 19],
              [12, 19],
              [12, 21],
              [8, 21],
              [8, 19],
            ],
          },
        },
        {
          type: 'Feature',
          geometry: null,
          properties: {
            class: 'plane',
            score: 0.2,
            pixelPolygon: [
              [0, 0],
              [2, 0],
              [2, 2],
              [0, 2],
            ],
          },
        },
        {
          type: 'Feature',
          geometry: null,
          properties: {
            class: 'ship',
            score: 0.1,
            pixelPolygon: [
              [0, 0],
              [2, 0],
              [2, 2],
              [0, 2],
            ],
          },
        },
      ],
    };
    const detections = parseDetectionsGeoJson(json, 'd.geojson');
    expect(detections[0]).toEqual({
      box: { cx: 10, cy: 20, width: 4, height: 2, angleRad: 0 },
      className: 'ship',
      classIndex: 0,
      score: 0.7,
    });
    expect(detections.map((d) => [d.className, d.classIndex])).toEqual([
      ['ship', 0],
      ['plane', 1],
      ['ship', 0],
    ]);
  });

  it('names the feature that lacks a field', () => {
    expect(() =>
      parseDetectionsGeoJson({ features: [{ properties: { class: 'x', score: 1 } }] }, 'd.geojson'),
    ).toThrow(/d\.geojson: features\[0\] needs/);
    expect(() => parseDetectionsGeoJson({}, 'd.geojson')).toThrow(ValidationError);
  });
});
