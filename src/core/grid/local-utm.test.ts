import { describe, expect, it } from 'vitest';
import { EpsgCrsRegistry } from '../../adapters/crs/epsg-crs-registry.ts';
import type { PolygonGeometry } from '../geo/types.ts';
import { gridBounds } from './grid.ts';
import { siteGrid, utmEpsgFor } from './local-utm.ts';

const registry = new EpsgCrsRegistry();
const fromLonLat = (crs: string) => registry.fromLonLat(crs);

describe('utmEpsgFor', () => {
  it.each([
    { lon: 13.4, lat: 52.5, crs: 'EPSG:32633' },
    { lon: -75, lat: 40, crs: 'EPSG:32618' },
    { lon: -180, lat: 10, crs: 'EPSG:32601' },
    { lon: 180, lat: 10, crs: 'EPSG:32660' },
    { lon: 151.2, lat: -33.9, crs: 'EPSG:32756' },
    { lon: 0, lat: 0, crs: 'EPSG:32631' },
    { lon: -0.001, lat: -0.001, crs: 'EPSG:32730' },
    { lon: 5.3, lat: 60.4, crs: 'EPSG:32632' }, // Bergen: Norway exception (32V)
    { lon: 2.9, lat: 60.4, crs: 'EPSG:32631' },
    { lon: 15.6, lat: 78.2, crs: 'EPSG:32633' }, // Longyearbyen: Svalbard 33X
    { lon: 8.9, lat: 78.2, crs: 'EPSG:32631' },
    { lon: 25, lat: 78.2, crs: 'EPSG:32635' },
    { lon: 40, lat: 78.2, crs: 'EPSG:32637' },
    { lon: 10, lat: 85, crs: 'EPSG:32661' },
    { lon: 10, lat: -85, crs: 'EPSG:32761' },
  ])('$lon, $lat → $crs', ({ lon, lat, crs }) => {
    expect(utmEpsgFor(lon, lat)).toBe(crs);
  });

  it('rejects positions that are not lon/lat', () => {
    expect(() => utmEpsgFor(200, 10)).toThrow(/\[200, 10\] is not a lon\/lat/);
    expect(() => utmEpsgFor(10, Number.NaN)).toThrow(/not a lon\/lat/);
  });
});

const berlin: PolygonGeometry = {
  type: 'Polygon',
  coordinates: [
    [
      [13.38, 52.5],
      [13.41, 52.5],
      [13.41, 52.52],
      [13.38, 52.52],
      [13.38, 52.5],
    ],
  ],
};

describe('siteGrid', () => {
  it('covers the polygon plus the buffer, snapped to whole pixels, north-up', () => {
    const grid = siteGrid(berlin, 250, 10, fromLonLat);
    expect(grid.crs).toBe('EPSG:32633');
    const [x0, gsdX, rotX, y0, rotY, gsdY] = grid.geoTransform!;
    expect([gsdX, rotX, rotY, gsdY]).toEqual([10, 0, 0, -10]);
    expect(Number.isInteger(x0 / 10) && Number.isInteger(y0 / 10)).toBe(true);
    const [minX, minY, maxX, maxY] = gridBounds(grid);
    const project = registry.fromLonLat('EPSG:32633');
    const ring = berlin.coordinates[0]!;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i + 1 < ring.length; i += 1) {
      for (let k = 0; k <= 100; k += 1) {
        const a = ring[i]!;
        const b = ring[i + 1]!;
        const [x, y] = project([
          a[0] + (k / 100) * (b[0] - a[0]),
          a[1] + (k / 100) * (b[1] - a[1]),
        ]);
        xs.push(x);
        ys.push(y);
      }
    }
    // Covers every point of the edges plus the buffer (up to the densification's sag, < 1 cm)...
    expect(minX).toBeLessThanOrEqual(Math.min(...xs) - 250 + 0.01);
    expect(minY).toBeLessThanOrEqual(Math.min(...ys) - 250 + 0.01);
    expect(maxX).toBeGreaterThanOrEqual(Math.max(...xs) + 250 - 0.01);
    expect(maxY).toBeGreaterThanOrEqual(Math.max(...ys) + 250 - 0.01);
    // ...and no more than a pixel beyond it.
    expect(minX).toBeGreaterThan(Math.min(...xs) - 250 - 10);
    expect(maxY).toBeLessThan(Math.max(...ys) + 250 + 10);
    expect(grid.width).toBe(Math.round((maxX - minX) / 10));
    expect(grid.height).toBe(Math.round((maxY - minY) / 10));
  });

  it('is the same grid for the same site and GSD whatever the buffer rounding', () => {
    const a = siteGrid(berlin, 100, 3, fromLonLat);
    const b = siteGrid(berlin, 101, 3, fromLonLat);
    const offsetX = (a.geoTransform![0] - b.geoTransform![0]) / 3;
    const offsetY = (a.geoTransform![3] - b.geoTransform![3]) / 3;
    expect(Math.abs(offsetX - Math.round(offsetX))).toBeLessThan(1e-6);
    expect(Math.abs(offsetY - Math.round(offsetY))).toBeLessThan(1e-6);
  });

  it('picks the southern-hemisphere zone and gives a point site at least one pixel', () => {
    const point: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [151.2, -33.9],
          [151.2, -33.9],
          [151.2, -33.9],
          [151.2, -33.9],
        ],
      ],
    };
    const grid = siteGrid(point, 0, 30, fromLonLat);
    expect(grid.crs).toBe('EPSG:32756');
    expect(grid.width).toBeGreaterThanOrEqual(1);
    expect(grid.height).toBeGreaterThanOrEqual(1);
  });

  it('rejects bad GSDs and buffers', () => {
    expect(() => siteGrid(berlin, 10, 0, fromLonLat)).toThrow(
      /gsdMeters must be a finite number > 0; got 0/,
    );
    expect(() => siteGrid(berlin, -1, 10, fromLonLat)).toThrow(
      /bufferMeters must be a finite number >= 0/,
    );
    expect(() => siteGrid(berlin, Number.NaN, 10, fromLonLat)).toThrow(/bufferMeters/);
  });
});
