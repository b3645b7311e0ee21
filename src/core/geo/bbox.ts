/**
 * Axis-aligned bounding boxes, `[minX, minY, maxX, maxY]` in the axis order of the input
 * (for lon/lat: degrees, `[west, south, east, north]`). No antimeridian handling: a box
 * always has minX <= maxX.
 */
import { ValidationError } from '../errors.ts';
import type { Bbox, PolygonalGeometry, Position } from './types.ts';
import { polygonsOf } from './types.ts';

/**
 * The smallest box holding every position.
 * @throws ValidationError when `ps` is empty.
 */
export function bboxOfPositions(ps: readonly Position[]): Bbox {
  if (ps.length === 0) {
    throw new ValidationError('cannot compute the bbox of zero positions; expected at least one');
  }
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of ps) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

/**
 * The bbox of all rings of a polygon or multipolygon (holes lie inside shells, so in a valid
 * geometry they do not change it).
 * @throws ValidationError when the geometry has no positions at all.
 */
export function bboxOfGeometry(g: PolygonalGeometry): Bbox {
  const all: Position[] = [];
  for (const polygon of polygonsOf(g)) {
    for (const ring of polygon) all.push(...ring);
  }
  return bboxOfPositions(all);
}

/** Whether two boxes share at least one point; boxes that only touch intersect. */
export function bboxesIntersect(a: Bbox, b: Bbox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** Whether `outer` holds all of `inner` (boundaries may coincide). */
export function bboxContainsBbox(outer: Bbox, inner: Bbox): boolean {
  return (
    outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
  );
}

/** `b` grown by `margin` on every side (same units as the box). */
export function expandBbox(b: Bbox, margin: number): Bbox {
  return [b[0] - margin, b[1] - margin, b[2] + margin, b[3] + margin];
}
