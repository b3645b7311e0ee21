/**
 * Shape and range checks for GeoJSON Polygon / MultiPolygon input: the part of validity that
 * looks at each coordinate on its own. Topology (rings crossing, holes) is in
 * polygon-validity.ts.
 */
import { GeometryError } from '../errors.ts';
import { describeValue } from './describe-value.ts';
import type { PolygonalGeometry, Position, Ring } from './types.ts';

const ACCEPTED_TYPES = '"Polygon" or "MultiPolygon"';

/** `ring 2` for a polygon, `polygon 1 ring 2` for a part of a multipolygon. */
export function ringLocation(polygon: number | undefined, ring: number): string {
  return polygon === undefined ? `ring ${ring}` : `polygon ${polygon} ring ${ring}`;
}

/**
 * Checks the GeoJSON shape and coordinate ranges and returns a fresh, typed copy holding
 * only `type` and `coordinates` (any altitude dropped).
 * @throws GeometryError naming `label`, the ring and position, and the offending value.
 */
export function parsePolygonalShape(value: unknown, label: string): PolygonalGeometry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GeometryError(
      `${label}: geometry must be a GeoJSON object of type ${ACCEPTED_TYPES}, got ${describeValue(value)}`,
    );
  }
  const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
  if (type === 'Polygon') {
    return { type, coordinates: parseRings(coordinates, label, undefined) };
  }
  if (type === 'MultiPolygon') {
    const parts = expectArray(coordinates, label, 'coordinates', 'an array of polygons');
    if (parts.length === 0) {
      throw new GeometryError(`${label}: MultiPolygon has no polygons; expected at least one`);
    }
    return { type, coordinates: parts.map((part, p) => parseRings(part, label, p)) };
  }
  throw new GeometryError(
    `${label}: geometry type ${describeValue(type)} is not accepted; expected ${ACCEPTED_TYPES}`,
  );
}

function expectArray(value: unknown, label: string, where: string, expected: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new GeometryError(`${label}: ${where} must be ${expected}, got ${describeValue(value)}`);
  }
  return value as unknown[];
}

function parseRings(value: unknown, label: string, polygon: number | undefined): Ring[] {
  const where = polygon === undefined ? 'coordinates' : `polygon ${polygon}`;
  const rings = expectArray(value, label, where, 'an array of rings');
  if (rings.length === 0) {
    throw new GeometryError(`${label}: ${where} has no rings; expected a shell ring`);
  }
  return rings.map((ring, r) => {
    const location = ringLocation(polygon, r);
    const positions = expectArray(ring, label, location, 'an array of positions');
    return positions.map((position, i) =>
      parsePosition(position, label, `${location} position ${i}`),
    );
  });
}

function parsePosition(value: unknown, label: string, where: string): Position {
  if (
    !Array.isArray(value) ||
    value.length < 2 ||
    value.length > 3 ||
    !value.every((n) => typeof n === 'number')
  ) {
    throw new GeometryError(
      `${label}: ${where} must be a [longitude, latitude] pair of numbers, got ${describePosition(value)}`,
    );
  }
  const [lon, lat, altitude] = value;
  for (const [name, n] of [
    ['longitude', lon],
    ['latitude', lat],
    ['altitude', altitude],
  ] as const) {
    if (n !== undefined && !Number.isFinite(n)) {
      throw new GeometryError(`${label}: ${where} has a non-finite ${name} (${String(n)})`);
    }
  }
  if (lon === undefined || lat === undefined) {
    throw new GeometryError(`${label}: ${where} lacks a longitude or latitude`);
  }
  if (lon < -180 || lon > 180) {
    throw new GeometryError(`${label}: ${where} has longitude ${lon} outside [-180, 180]`);
  }
  if (lat < -90 || lat > 90) {
    const hint =
      Math.abs(lon) <= 90 && Math.abs(lat) <= 180
        ? ' (axes swapped? GeoJSON order is [longitude, latitude])'
        : '';
    throw new GeometryError(`${label}: ${where} has latitude ${lat} outside [-90, 90]${hint}`);
  }
  return [lon, lat];
}

function describePosition(value: unknown): string {
  if (Array.isArray(value) && value.length <= 4) {
    return `[${value.map((n) => describeValue(n)).join(', ')}]`;
  }
  return describeValue(value);
}
