/**
 * Distances and areas on a spherical Earth of mean radius 6,371,008.8 m (IUGG), matching
 * turf. Inputs are [longitude, latitude] in degrees. Spherical, not ellipsoidal: errors are
 * up to about 0.5 %, fine for ground sample distances and site areas.
 */
import { ValidationError } from '../errors.ts';
import { applyGeoTransform } from './footprint.ts';
import { formatPosition } from './ring.ts';
import type {
  GeoTransform,
  PolygonalGeometry,
  Position,
  PositionTransform,
  Ring,
} from './types.ts';
import { polygonsOf } from './types.ts';

/** Mean Earth radius in metres (IUGG), as turf uses. */
export const EARTH_RADIUS_METERS = 6371008.8;

const RADIANS_PER_DEGREE = Math.PI / 180;

/** Great-circle distance in metres between two lon/lat positions (degrees). */
export function haversineMeters(a: Position, b: Position): number {
  const lat1 = a[1] * RADIANS_PER_DEGREE;
  const lat2 = b[1] * RADIANS_PER_DEGREE;
  const dLat = lat2 - lat1;
  const dLon = (b[0] - a[0]) * RADIANS_PER_DEGREE;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Signed spherical area of a ring in square metres (the formula of @turf/area, after
 * Chamberlain & Duquette, "Some algorithms for polygons on a sphere", JPL 2007).
 */
function ringAreaSquareMeters(ring: Ring): number {
  const n = ring.length - 1;
  if (n <= 2) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const lower = ring[i];
    const middle = ring[(i + 1) % n];
    const upper = ring[(i + 2) % n];
    if (lower === undefined || middle === undefined || upper === undefined) continue;
    total += (upper[0] - lower[0]) * RADIANS_PER_DEGREE * Math.sin(middle[1] * RADIANS_PER_DEGREE);
  }
  return (total * EARTH_RADIUS_METERS * EARTH_RADIUS_METERS) / 2;
}

/**
 * Area in square metres of a lon/lat polygon or multipolygon on the sphere: each shell's area
 * minus its holes', summed over parts. Independent of ring orientation.
 */
export function geodesicAreaSquareMeters(g: PolygonalGeometry): number {
  let total = 0;
  for (const rings of polygonsOf(g)) {
    rings.forEach((ring, r) => {
      const area = Math.abs(ringAreaSquareMeters(ring));
      total += r === 0 ? area : -area;
    });
  }
  return total;
}

/**
 * Ground size in metres of one pixel at (col, row): the mean of the great-circle lengths of a
 * one-pixel step along the columns and along the rows, each mapped through the geotransform
 * and then `toLonLat`.
 * @throws ValidationError when `toLonLat` returns a non-finite position there.
 */
export function gsdMetersAt(
  geoTransform: GeoTransform,
  toLonLat: PositionTransform,
  col: number,
  row: number,
): number {
  const lonLat = (c: number, r: number): Position => {
    const mapped = applyGeoTransform(geoTransform, c, r);
    const position = toLonLat(mapped);
    if (!Number.isFinite(position[0]) || !Number.isFinite(position[1])) {
      throw new ValidationError(
        `pixel (${c}, ${r}) maps to map position ${formatPosition(mapped)} which has no finite lon/lat (outside the projection's domain?)`,
      );
    }
    return position;
  };
  const origin = lonLat(col, row);
  const alongColumns = haversineMeters(origin, lonLat(col + 1, row));
  const alongRows = haversineMeters(origin, lonLat(col, row + 1));
  return (alongColumns + alongRows) / 2;
}
