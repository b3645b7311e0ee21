/**
 * Planar segment predicates on [x, y] positions. Exact sign tests on doubles: fine for
 * site-sized lon/lat polygons, not a robust-arithmetic kernel.
 */
import type { Position } from './types.ts';

/** Twice the signed area of triangle (o, a, b): > 0 when b is left of o→a. */
export function orientation(o: Position, a: Position, b: Position): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** For a point `p` known to be collinear with a→b: whether it lies within the segment. */
function withinSegmentBox(a: Position, b: Position, p: Position): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/** Whether `p` lies exactly on segment a→b. */
export function isPointOnSegment(p: Position, a: Position, b: Position): boolean {
  return orientation(a, b, p) === 0 && withinSegmentBox(a, b, p);
}

/**
 * How two segments meet: `cross` when their interiors cross at one point, `touch` when they
 * share exactly one point that is an endpoint of at least one of them, `overlap` when they
 * are collinear and share a stretch (the point is the start of that stretch).
 */
export type SegmentContact =
  | { readonly kind: 'none' }
  | { readonly kind: 'cross' | 'touch' | 'overlap'; readonly point: Position };

const NONE: SegmentContact = { kind: 'none' };

function strictlyOpposite(s: number, t: number): boolean {
  return (s > 0 && t < 0) || (s < 0 && t > 0);
}

/** Where segment a→b meets segment c→d, if at all. */
export function segmentContact(a: Position, b: Position, c: Position, d: Position): SegmentContact {
  const d1 = orientation(c, d, a);
  const d2 = orientation(c, d, b);
  const d3 = orientation(a, b, c);
  const d4 = orientation(a, b, d);
  if (d1 === 0 && d2 === 0 && d3 === 0 && d4 === 0) return collinearContact(a, b, c, d);
  if (strictlyOpposite(d1, d2) && strictlyOpposite(d3, d4)) {
    const t = d1 / (d1 - d2);
    return { kind: 'cross', point: [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])] };
  }
  if (d1 === 0 && withinSegmentBox(c, d, a)) return { kind: 'touch', point: a };
  if (d2 === 0 && withinSegmentBox(c, d, b)) return { kind: 'touch', point: b };
  if (d3 === 0 && withinSegmentBox(a, b, c)) return { kind: 'touch', point: c };
  if (d4 === 0 && withinSegmentBox(a, b, d)) return { kind: 'touch', point: d };
  return NONE;
}

function collinearContact(a: Position, b: Position, c: Position, d: Position): SegmentContact {
  // Project on the axis along which the segments extend most.
  const axis =
    Math.abs(b[0] - a[0]) + Math.abs(d[0] - c[0]) >= Math.abs(b[1] - a[1]) + Math.abs(d[1] - c[1])
      ? 0
      : 1;
  const [abLow, abHigh] = a[axis] <= b[axis] ? [a, b] : [b, a];
  const [cdLow, cdHigh] = c[axis] <= d[axis] ? [c, d] : [d, c];
  const low = abLow[axis] >= cdLow[axis] ? abLow : cdLow;
  const high = abHigh[axis] <= cdHigh[axis] ? abHigh : cdHigh;
  if (low[axis] > high[axis]) return NONE;
  if (low[axis] === high[axis]) return { kind: 'touch', point: low };
  return { kind: 'overlap', point: low };
}

/** Euclidean distance (in the input units) from `p` to the closest point of segment a→b. */
export function distanceToSegment(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const lengthSquared = dx * dx + dy * dy;
  let t = lengthSquared === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / lengthSquared;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}
