/**
 * Douglas–Peucker simplification of the rings of one traced component, keeping validity:
 * corners shared by several rings (diagonal touches) are pinned, and the result is checked
 * (rings keep ≥ 3 corners and their orientation, no edges cross or overlap, rings meet only
 * at shared corners, and every ring stays on the same side of every other). When any check
 * fails the rings are returned unsimplified. Cost: O(n log n) for the edge sweep plus
 * O(rings² · corners) for the side checks (bounding boxes prune most pairs).
 */
import type { Edge } from '../geo/edge-sweep.ts';
import { ringEdges, sweepEdgePairs } from '../geo/edge-sweep.ts';
import { isPointInRing, isPointOnRing, signedRingArea } from '../geo/ring.ts';
import { distanceToSegment, segmentContact } from '../geo/segments.ts';
import type { Position, Ring } from '../geo/types.ts';

const key = (p: Position): string => `${p[0]},${p[1]}`;

/** Corners that belong to more than one ring. */
function pinnedCorners(rings: readonly Ring[]): Set<string> {
  const owners = new Map<string, number>();
  const pinned = new Set<string>();
  rings.forEach((ring, r) => {
    for (let i = 0; i + 1 < ring.length; i++) {
      const p = ring[i];
      if (p === undefined) continue;
      const owner = owners.get(key(p));
      if (owner === undefined) owners.set(key(p), r);
      else if (owner !== r) pinned.add(key(p));
    }
  });
  return pinned;
}

/** Marks which corners of the open chain points[from … to] (cyclic indices) to keep. */
function douglasPeucker(
  points: readonly Position[],
  from: number,
  to: number,
  tolerance: number,
  keep: Uint8Array,
): void {
  const m = points.length;
  const stack: [number, number][] = [[from, to]];
  for (let span = stack.pop(); span !== undefined; span = stack.pop()) {
    const [start, end] = span;
    const a = points[start % m];
    const b = points[end % m];
    if (a === undefined || b === undefined || end - start < 2) continue;
    let worst = -1;
    let worstDistance = tolerance;
    for (let i = start + 1; i < end; i++) {
      const p = points[i % m];
      if (p === undefined) continue;
      const distance = distanceToSegment(p, a, b);
      if (distance > worstDistance) {
        worstDistance = distance;
        worst = i;
      }
    }
    if (worst < 0) continue;
    keep[worst % m] = 1;
    stack.push([start, worst], [worst, end]);
  }
}

function simplifyRing(ring: Ring, tolerance: number, pinned: Set<string>): Ring {
  const points = ring.slice(0, -1);
  const m = points.length;
  const keep = new Uint8Array(m);
  const anchors: number[] = [];
  points.forEach((p, i) => {
    if (pinned.has(key(p))) anchors.push(i);
  });
  if (anchors.length === 0) {
    const [x0, y0] = points[0] ?? [0, 0];
    let far = 0;
    let farDistance = -1;
    points.forEach(([x, y], i) => {
      const distance = Math.hypot(x - x0, y - y0);
      if (distance > farDistance) {
        farDistance = distance;
        far = i;
      }
    });
    anchors.push(0, far);
  }
  for (const a of anchors) keep[a] = 1;
  anchors.forEach((start, i) => {
    const next = anchors[(i + 1) % anchors.length] ?? start;
    const end = next > start ? next : next + m;
    douglasPeucker(points, start, end, tolerance, keep);
  });
  const out = points.filter((_, i) => keep[i] === 1);
  const first = out[0];
  if (first !== undefined) out.push(first);
  return out;
}

function bboxOf(ring: Ring): [number, number, number, number] {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return [minX, minY, maxX, maxY];
}

function edgesConflict(e: Edge, f: Edge): boolean {
  const contact = segmentContact(e.a, e.b, f.a, f.b);
  if (contact.kind === 'none') return false;
  if (contact.kind !== 'touch') return true;
  const p = contact.point;
  const isEndOf = (edge: Edge) => key(edge.a) === key(p) || key(edge.b) === key(p);
  if (!isEndOf(e) || !isEndOf(f)) return true;
  if (e.ring !== f.ring) return false;
  const gap = Math.abs(e.order - f.order);
  return !(gap === 1 || gap === e.ringEdgeCount - 1);
}

/** Whether the simplified rings are valid and keep the original sides (see module comment). */
function isValidSimplification(original: readonly Ring[], simplified: readonly Ring[]): boolean {
  for (let r = 0; r < simplified.length; r++) {
    const ring = simplified[r] ?? [];
    const before = signedRingArea(original[r] ?? []);
    if (ring.length < 4 || Math.sign(signedRingArea(ring)) !== Math.sign(before)) return false;
  }
  const edges = simplified.flatMap((ring, r) => ringEdges(ring, 0, r));
  if (sweepEdgePairs(edges, (e, f) => (edgesConflict(e, f) ? true : undefined)) === true) {
    return false;
  }
  const pinned = pinnedCorners(original);
  const boxes = original.map(bboxOf);
  for (let r = 0; r < simplified.length; r++) {
    const probe = (simplified[r] ?? []).find((p) => !pinned.has(key(p)));
    if (probe === undefined) continue;
    for (let s = 0; s < simplified.length; s++) {
      const box = boxes[s];
      if (s === r || box === undefined) continue;
      if (probe[0] < box[0] || probe[0] > box[2] || probe[1] < box[1] || probe[1] > box[3])
        continue;
      const after = simplified[s] ?? [];
      if (isPointOnRing(probe, after)) return false;
      if (isPointInRing(probe, after) !== isPointInRing(probe, original[s] ?? [])) return false;
    }
  }
  return true;
}

/**
 * Simplifies each ring with tolerance `tolerancePixels`, or returns `rings` itself when the
 * simplified set would not be valid.
 */
export function simplifyComponentRings(rings: Ring[], tolerancePixels: number): Ring[] {
  const pinned = pinnedCorners(rings);
  const simplified = rings.map((ring) => simplifyRing(ring, tolerancePixels, pinned));
  return isValidSimplification(rings, simplified) ? simplified : rings;
}
