/**
 * Oriented boxes as polygons, and their exact intersection over union (Sutherland–Hodgman
 * clipping of one convex quadrilateral by the other).
 */
import type { OrientedBox } from './detection.ts';

/** Normalises an angle (radians) to [-π/2, π/2): a rectangle is the same after a half turn. */
export function normaliseAngle(angleRad: number): number {
  const folded = angleRad - Math.PI * Math.floor((angleRad + Math.PI / 2) / Math.PI);
  // Rounding can land exactly on +π/2; that is the same rectangle as -π/2.
  return folded >= Math.PI / 2 ? folded - Math.PI : folded;
}

/**
 * The 4 corners `[col, row]`, clockwise on screen (rows grow downwards), starting at the
 * corner (−w/2, −h/2) of the box's own frame rotated by `angleRad`: for an axis-aligned box,
 * top-left, top-right, bottom-right, bottom-left.
 */
export function orientedBoxCorners(box: OrientedBox): [number, number][] {
  const cos = Math.cos(box.angleRad);
  const sin = Math.sin(box.angleRad);
  const hw = box.width / 2;
  const hh = box.height / 2;
  const corner = (u: number, v: number): [number, number] => [
    box.cx + u * cos - v * sin,
    box.cy + u * sin + v * cos,
  ];
  return [corner(-hw, -hh), corner(hw, -hh), corner(hw, hh), corner(-hw, hh)];
}

/** Shoelace area; positive for corners clockwise on screen (the order used here). */
export function polygonArea(points: readonly (readonly [number, number])[]): number {
  let twice = 0;
  let previous = points[points.length - 1];
  for (const point of points) {
    if (previous !== undefined) twice += previous[0] * point[1] - point[0] * previous[1];
    previous = point;
  }
  return twice / 2;
}

/** Clips a convex polygon by the half-plane left of a → b (in y-down screen terms: inside). */
function clipByEdge(
  subject: readonly [number, number][],
  a: readonly [number, number],
  b: readonly [number, number],
): [number, number][] {
  const ex = b[0] - a[0];
  const ey = b[1] - a[1];
  const side = (p: readonly [number, number]): number => ex * (p[1] - a[1]) - ey * (p[0] - a[0]);
  const out: [number, number][] = [];
  let p = subject[subject.length - 1];
  if (p === undefined) return out;
  for (const q of subject) {
    const sp = side(p);
    const sq = side(q);
    if (sp >= 0) out.push(p);
    if ((sp >= 0 && sq < 0) || (sp < 0 && sq >= 0)) {
      const t = sp / (sp - sq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
    p = q;
  }
  return out;
}

/** Area of the intersection of two oriented boxes, px². */
export function intersectionArea(a: OrientedBox, b: OrientedBox): number {
  let polygon = orientedBoxCorners(a);
  const clip = orientedBoxCorners(b);
  let from = clip[3] as [number, number];
  for (const to of clip) {
    polygon = clipByEdge(polygon, from, to);
    if (polygon.length === 0) break;
    from = to;
  }
  return polygon.length < 3 ? 0 : Math.max(0, polygonArea(polygon));
}

/** Radius of the circle through the box's corners. */
export function boundingRadius(box: OrientedBox): number {
  return Math.hypot(box.width, box.height) / 2;
}

function precedes(a: OrientedBox, b: OrientedBox): boolean {
  if (a.cx !== b.cx) return a.cx < b.cx;
  if (a.cy !== b.cy) return a.cy < b.cy;
  if (a.width !== b.width) return a.width < b.width;
  if (a.height !== b.height) return a.height < b.height;
  return a.angleRad <= b.angleRad;
}

/**
 * Intersection over union of two oriented boxes, in [0, 1]; 0 when either has no area.
 * Exact up to floating point (polygon clipping), symmetric.
 */
export function rotatedIou(a: OrientedBox, b: OrientedBox): number {
  const areaA = a.width * a.height;
  const areaB = b.width * b.height;
  if (!(areaA > 0) || !(areaB > 0)) return 0;
  const dx = a.cx - b.cx;
  const dy = a.cy - b.cy;
  const reach = boundingRadius(a) + boundingRadius(b);
  if (dx * dx + dy * dy >= reach * reach) return 0;
  if (
    dx === 0 &&
    dy === 0 &&
    a.width === b.width &&
    a.height === b.height &&
    a.angleRad === b.angleRad
  ) {
    return 1;
  }
  // A canonical order makes the result exactly symmetric; min keeps rounding ≤ both areas.
  const [first, second] = precedes(a, b) ? [a, b] : [b, a];
  const inter = Math.min(intersectionArea(first, second), areaA, areaB);
  const union = areaA + areaB - inter;
  if (!(union > 0)) return 0;
  return Math.min(1, Math.max(0, inter / union));
}
