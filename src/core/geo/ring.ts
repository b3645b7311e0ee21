/** Planar predicates on closed rings ([x, y] positions, first equals last). */
import { distanceToSegment, isPointOnSegment } from './segments.ts';
import type { Position, Ring } from './types.ts';

/**
 * Even-odd test: whether `p` is inside the ring. For points exactly on the boundary the
 * answer is either; callers that care test {@link isPointOnRing} first.
 */
export function isPointInRing(p: Position, ring: Ring): boolean {
  const [x, y] = p;
  let inside = false;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    if (a === undefined || b === undefined) continue;
    if (a[1] > y !== b[1] > y) {
      const crossingX = a[0] + ((y - a[1]) / (b[1] - a[1])) * (b[0] - a[0]);
      if (x < crossingX) inside = !inside;
    }
  }
  return inside;
}

/** Whether `p` lies exactly on one of the ring's edges. */
export function isPointOnRing(p: Position, ring: Ring): boolean {
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    if (a !== undefined && b !== undefined && isPointOnSegment(p, a, b)) return true;
  }
  return false;
}

/** Smallest distance (input units) from `p` to the ring's edges; Infinity for an empty ring. */
export function distanceToRing(p: Position, ring: Ring): number {
  let best = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    if (a !== undefined && b !== undefined) best = Math.min(best, distanceToSegment(p, a, b));
  }
  return best;
}

/**
 * Planar signed area (input units squared) by the shoelace formula: positive for
 * counter-clockwise rings. Computed relative to the first position to limit cancellation.
 */
export function signedRingArea(ring: Ring): number {
  const origin = ring[0];
  if (origin === undefined) return 0;
  let twiceArea = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    if (a === undefined || b === undefined) continue;
    twiceArea += (a[0] - origin[0]) * (b[1] - origin[1]) - (b[0] - origin[0]) * (a[1] - origin[1]);
  }
  return twiceArea / 2;
}

/** Formats a position for messages, to about ten significant digits. */
export function formatPosition(p: Position): string {
  return `[${String(Number(p[0].toPrecision(10)))}, ${String(Number(p[1].toPrecision(10)))}]`;
}
