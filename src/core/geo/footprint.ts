/**
 * Affine geotransforms (GDAL order, see {@link GeoTransform}) and image footprints: the
 * outline of a raster mapped to lon/lat.
 */
import { ValidationError } from '../errors.ts';
import { signedRingArea } from './ring.ts';
import type { GeoTransform, PolygonGeometry, Position, PositionTransform } from './types.ts';

/** Map position (x, y) of pixel coordinates (col, row); (0, 0) is the top-left pixel corner. */
export function applyGeoTransform(t: GeoTransform, col: number, row: number): Position {
  return [t[0] + col * t[1] + row * t[2], t[3] + col * t[4] + row * t[5]];
}

function determinant(t: GeoTransform): number {
  return t[1] * t[5] - t[2] * t[4];
}

/**
 * Checks that `t` is six finite numbers with non-zero pixel width and height and a
 * non-singular matrix, e.g. to reject a world file with a zero pixel size.
 * @param label prefix of error messages, e.g. the world file's name.
 * @throws ValidationError naming the bad term.
 */
export function validateGeoTransform(
  t: readonly number[],
  label: string,
): asserts t is GeoTransform {
  if (t.length !== 6) {
    throw new ValidationError(`${label}: a geotransform has 6 terms, got ${t.length}`);
  }
  t.forEach((term, i) => {
    if (!Number.isFinite(term)) {
      throw new ValidationError(
        `${label}: geotransform term ${i} is ${String(term)}; expected a finite number`,
      );
    }
  });
  const [, a, b, , d, e] = t as unknown as GeoTransform;
  if (a === 0 && d === 0) {
    throw new ValidationError(`${label}: pixel width is zero (geotransform terms 1 and 4 are 0)`);
  }
  if (b === 0 && e === 0) {
    throw new ValidationError(`${label}: pixel height is zero (geotransform terms 2 and 5 are 0)`);
  }
  if (determinant(t as unknown as GeoTransform) === 0) {
    throw new ValidationError(
      `${label}: geotransform [${t.join(', ')}] is singular (its column and row steps are parallel)`,
    );
  }
}

/**
 * The transform from map (x, y) back to pixel (col, row).
 * @throws ValidationError when `t` is singular (determinant 0), naming it.
 */
export function invertGeoTransform(t: GeoTransform): GeoTransform {
  const det = determinant(t);
  if (det === 0 || !Number.isFinite(det)) {
    throw new ValidationError(
      `geotransform [${t.join(', ')}] cannot be inverted: its determinant is ${det}`,
    );
  }
  return [
    (t[2] * t[3] - t[0] * t[5]) / det,
    t[5] / det,
    -t[2] / det,
    (t[0] * t[4] - t[1] * t[3]) / det,
    -t[4] / det,
    t[1] / det,
  ];
}

/**
 * The image outline in lon/lat: pixel corners (0,0), (width,0), (width,height), (0,height),
 * each edge densified to `pointsPerEdge` points (so curved projections bend the outline),
 * mapped through `t` then `toLonLat`, closed and counter-clockwise (RFC 7946). No
 * antimeridian splitting.
 * @param width image width in pixels (> 0)
 * @param height image height in pixels (> 0)
 * @param pointsPerEdge points per edge including its starting corner, integer >= 1
 * @throws ValidationError for bad sizes or transform, or when a point has no finite lon/lat
 *   (e.g. outside the projection's domain), naming the pixel position.
 */
export function footprintFromGeoTransform(
  width: number,
  height: number,
  t: GeoTransform,
  toLonLat: PositionTransform,
  pointsPerEdge = 16,
): PolygonGeometry {
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new ValidationError(
        `footprint: image ${name} must be a positive number of pixels, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(pointsPerEdge) || pointsPerEdge < 1) {
    throw new ValidationError(
      `footprint: pointsPerEdge must be an integer >= 1, got ${pointsPerEdge}`,
    );
  }
  validateGeoTransform(t, 'footprint');
  const corners: Position[] = [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ];
  const ring: Position[] = [];
  corners.forEach((from, i) => {
    const to = corners[(i + 1) % corners.length] ?? from;
    for (let k = 0; k < pointsPerEdge; k++) {
      const f = k / pointsPerEdge;
      const col = from[0] + f * (to[0] - from[0]);
      const row = from[1] + f * (to[1] - from[1]);
      const lonLat = toLonLat(applyGeoTransform(t, col, row));
      if (!Number.isFinite(lonLat[0]) || !Number.isFinite(lonLat[1])) {
        throw new ValidationError(
          `footprint: pixel corner (${col}, ${row}) has no finite lon/lat (got [${lonLat.join(', ')}]; outside the projection's domain?)`,
        );
      }
      ring.push([lonLat[0], lonLat[1]]);
    }
  });
  if (signedRingArea([...ring, ring[0] ?? [0, 0]]) < 0) ring.reverse();
  const first = ring[0];
  if (first !== undefined) ring.push(first);
  return { type: 'Polygon', coordinates: [ring] };
}
