/**
 * A local projected grid for a site: the UTM zone of the site (UPS near the poles), north-up,
 * at a given GSD, snapped to whole multiples of the GSD in map coordinates so that grids made
 * for the same site and GSD always line up.
 */
import { ValidationError } from '../errors.ts';
import { bboxOfGeometry } from '../geo/bbox.ts';
import type { PolygonalGeometry, Position, PositionTransform } from '../geo/types.ts';
import { polygonsOf } from '../geo/types.ts';
import type { Grid } from './grid.ts';

/** UPS North (EPSG:32661) north of this latitude, in degrees (UTM's northern limit). */
const UTM_NORTH_LIMIT_DEGREES = 84;
/** UPS South (EPSG:32761) south of this latitude, in degrees (UTM's southern limit). */
const UTM_SOUTH_LIMIT_DEGREES = -80;

/** The UTM zone number (1–60) holding a position, with the Norway and Svalbard exceptions. */
function utmZone(lon: number, lat: number): number {
  if (lat >= 56 && lat < 64 && lon >= 3 && lon < 12) return 32;
  if (lat >= 72 && lat < 84 && lon >= 0 && lon < 42) {
    if (lon < 9) return 31;
    if (lon < 21) return 33;
    if (lon < 33) return 35;
    return 37;
  }
  return Math.min(60, Math.floor((lon + 180) / 6) + 1);
}

/**
 * The WGS 84 / UTM CRS of a position: `EPSG:326zz` north of the equator, `EPSG:327zz` south
 * (zz the zone, with the Norway 32V and Svalbard 31X–37X exceptions), and the polar
 * stereographic UPS North `EPSG:32661` above 84° N or UPS South `EPSG:32761` below 80° S.
 * @param lon longitude in degrees, [−180, 180]
 * @param lat latitude in degrees, [−90, 90]
 * @throws ValidationError for positions off those ranges.
 */
export function utmEpsgFor(lon: number, lat: number): string {
  if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
    throw new ValidationError(
      `position [${lon}, ${lat}] is not a lon/lat in degrees; expected lon in [-180, 180], lat in [-90, 90]`,
    );
  }
  if (lat > UTM_NORTH_LIMIT_DEGREES) return 'EPSG:32661';
  if (lat < UTM_SOUTH_LIMIT_DEGREES) return 'EPSG:32761';
  const zone = String(utmZone(lon, lat)).padStart(2, '0');
  return lat >= 0 ? `EPSG:326${zone}` : `EPSG:327${zone}`;
}

/** Points per polygon edge when projecting it, so the bent edges' bulges are covered. */
const POINTS_PER_EDGE = 8;

function requirePositive(name: string, value: number, allowZero: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ValidationError(
      `${name} must be a finite number ${allowZero ? '>= 0' : '> 0'}; got ${value}`,
    );
  }
}

/** The vertices of every ring, each edge densified to POINTS_PER_EDGE points. */
function densifiedVertices(geometry: PolygonalGeometry): Position[] {
  const points: Position[] = [];
  for (const polygon of polygonsOf(geometry)) {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i += 1) {
        const a = ring[i];
        const b = ring[i + 1];
        if (a === undefined || b === undefined) continue;
        for (let k = 0; k < POINTS_PER_EDGE; k += 1) {
          const f = k / POINTS_PER_EDGE;
          points.push([a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]);
        }
      }
      const last = ring[ring.length - 1];
      if (last !== undefined) points.push(last);
    }
  }
  return points;
}

/**
 * The north-up grid of a site in its local UTM zone (chosen at the centre of the polygon's
 * lon/lat bbox): the projected polygon's bbox grown by `bufferMeters` on every side, then
 * rounded outwards to multiples of `gsdMeters` in map coordinates. Polygons crossing the
 * antimeridian are not supported (their lon/lat bbox spans the globe).
 * @param sitePolygonLonLat the site, [lon, lat] degrees.
 * @param bufferMeters margin around the polygon in metres (>= 0).
 * @param gsdMeters pixel size in metres (> 0), e.g. the coarser GSD of the two images.
 * @param fromLonLat gives the transform from lon/lat to a CRS (`CrsRegistry.fromLonLat`).
 * @throws ValidationError for bad numbers or a polygon that cannot be projected.
 */
export function siteGrid(
  sitePolygonLonLat: PolygonalGeometry,
  bufferMeters: number,
  gsdMeters: number,
  fromLonLat: (crs: string) => PositionTransform,
): Grid {
  requirePositive('bufferMeters', bufferMeters, true);
  requirePositive('gsdMeters', gsdMeters, false);
  const [minLon, minLat, maxLon, maxLat] = bboxOfGeometry(sitePolygonLonLat);
  const crs = utmEpsgFor((minLon + maxLon) / 2, (minLat + maxLat) / 2);
  const project = fromLonLat(crs);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const point of densifiedVertices(sitePolygonLonLat)) {
    const [x, y] = project(point);
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new ValidationError(
        `site vertex [${point[0]}, ${point[1]}] has no finite position in ${crs}`,
      );
    }
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  const left = Math.floor((minX - bufferMeters) / gsdMeters);
  const bottom = Math.floor((minY - bufferMeters) / gsdMeters);
  const right = Math.max(left + 1, Math.ceil((maxX + bufferMeters) / gsdMeters));
  const top = Math.max(bottom + 1, Math.ceil((maxY + bufferMeters) / gsdMeters));
  return {
    crs,
    geoTransform: [left * gsdMeters, gsdMeters, 0, top * gsdMeters, 0, -gsdMeters],
    width: right - left,
    height: top - bottom,
  };
}
