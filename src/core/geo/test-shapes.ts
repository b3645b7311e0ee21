/** Small geometries shared by the geo and catalog tests (test support only). */
import type { Position, PolygonGeometry, Ring } from './types.ts';

/** Closed axis-aligned rectangle ring, counter-clockwise. */
export function rectangleRing(minX: number, minY: number, maxX: number, maxY: number): Position[] {
  return [
    [minX, minY],
    [maxX, minY],
    [maxX, maxY],
    [minX, maxY],
    [minX, minY],
  ];
}

/** Axis-aligned rectangle polygon, with optional holes. */
export function rectangle(
  minX: number,
  minY: number,
  maxX: number,
  maxY: number,
  holes: readonly Ring[] = [],
): PolygonGeometry {
  return { type: 'Polygon', coordinates: [rectangleRing(minX, minY, maxX, maxY), ...holes] };
}

/** Regular polygon ring around (cx, cy) with `n` vertices, counter-clockwise, closed. */
export function regularRing(cx: number, cy: number, radius: number, n: number): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < n; i++) {
    const angle = (2 * Math.PI * i) / n;
    ring.push([cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
  }
  ring.push(ring[0] ?? [cx, cy]);
  return ring;
}
