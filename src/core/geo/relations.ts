/**
 * Spatial relations between lon/lat polygons, computed in the plane of the coordinates
 * (degrees). Good for site-sized shapes away from the poles; no antimeridian handling.
 */
import { bboxContainsBbox, bboxesIntersect, bboxOfGeometry, expandBbox } from './bbox.ts';
import type { Edge } from './edge-sweep.ts';
import { polygonsEdges, sweepEdgePairs } from './edge-sweep.ts';
import { distanceToRing, isPointInRing, isPointOnRing } from './ring.ts';
import { segmentContact } from './segments.ts';
import type { PolygonalGeometry, Position, Ring } from './types.ts';
import { polygonsOf } from './types.ts';

/**
 * Whether `p` is inside the geometry: inside some polygon's shell and not inside one of its
 * holes. Points on any boundary (shell or hole) count as inside.
 */
export function pointInPolygonalGeometry(p: Position, g: PolygonalGeometry): boolean {
  return polygonsOf(g).some((rings) => isPointInRings(p, rings));
}

function isPointInRings(p: Position, rings: readonly Ring[]): boolean {
  const [shell, ...holes] = rings;
  if (shell === undefined) return false;
  if (isPointOnRing(p, shell)) return true;
  if (!isPointInRing(p, shell)) return false;
  return holes.every((hole) => isPointOnRing(p, hole) || !isPointInRing(p, hole));
}

/** Smallest planar distance (degrees) from `p` to any ring of the geometry. */
function distanceToBoundary(p: Position, g: PolygonalGeometry): number {
  let best = Infinity;
  for (const rings of polygonsOf(g)) {
    for (const ring of rings) best = Math.min(best, distanceToRing(p, ring));
  }
  return best;
}

interface TaggedEdge extends Edge {
  readonly source: 0 | 1;
}

function taggedEdges(g: PolygonalGeometry, source: 0 | 1): TaggedEdge[] {
  return polygonsEdges(polygonsOf(g)).map((edge) => ({ ...edge, source }));
}

/** Some vertex of every part's shell (the first), for containment probes. */
function shellProbes(g: PolygonalGeometry): Position[] {
  return polygonsOf(g).flatMap((rings) => (rings[0]?.[0] === undefined ? [] : [rings[0][0]]));
}

/**
 * Whether the two geometries share at least one point (touching counts): bboxes overlap and
 * either some edges meet or one holds a vertex of the other. Symmetric.
 */
export function geometriesIntersect(a: PolygonalGeometry, b: PolygonalGeometry): boolean {
  if (!bboxesIntersect(bboxOfGeometry(a), bboxOfGeometry(b))) return false;
  const edges = [...taggedEdges(a, 0), ...taggedEdges(b, 1)];
  const met = sweepEdgePairs(edges, (e, f) =>
    e.source !== f.source && segmentContact(e.a, e.b, f.a, f.b).kind !== 'none' ? true : undefined,
  );
  if (met === true) return true;
  return (
    shellProbes(a).some((p) => pointInPolygonalGeometry(p, b)) ||
    shellProbes(b).some((p) => pointInPolygonalGeometry(p, a))
  );
}

/**
 * Whether `inner` lies within `outer` (holes of `outer` respected), allowing `toleranceDeg`
 * of slack for shared boundaries: every vertex and edge midpoint of inner's shells is inside
 * outer or within `toleranceDeg` of its boundary, no edge of inner properly crosses outer's
 * boundary away from its ends, and no hole of outer lies inside inner.
 * @param toleranceDeg planar distance in degrees (1e-9° is about 0.1 mm).
 */
export function geometryContains(
  outer: PolygonalGeometry,
  inner: PolygonalGeometry,
  toleranceDeg = 1e-9,
): boolean {
  if (!bboxContainsBbox(expandBbox(bboxOfGeometry(outer), toleranceDeg), bboxOfGeometry(inner))) {
    return false;
  }
  const near = (p: Position): boolean =>
    pointInPolygonalGeometry(p, outer) || distanceToBoundary(p, outer) <= toleranceDeg;
  const innerShells = polygonsOf(inner).map((rings) => rings[0] ?? []);
  for (const shell of innerShells) {
    for (let i = 0; i + 1 < shell.length; i++) {
      const a = shell[i];
      const b = shell[i + 1];
      if (a === undefined || b === undefined) continue;
      if (!near(a) || !near([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2])) return false;
    }
  }
  if (innerCrossesOuter(outer, innerShells, toleranceDeg)) return false;
  return !outerHoleInside(outer, inner, toleranceDeg);
}

function innerCrossesOuter(
  outer: PolygonalGeometry,
  innerShells: readonly Ring[],
  toleranceDeg: number,
): boolean {
  const edges = [
    ...taggedEdges(outer, 0),
    ...polygonsEdges(innerShells.map((shell) => [shell])).map((edge) => ({
      ...edge,
      source: 1 as const,
    })),
  ];
  const crossed = sweepEdgePairs(edges, (e, f) => {
    if (e.source === f.source) return undefined;
    const contact = segmentContact(e.a, e.b, f.a, f.b);
    if (contact.kind !== 'cross') return undefined;
    const endpoints = [e.a, e.b, f.a, f.b];
    const nearEnd = endpoints.some(
      (q) => Math.hypot(q[0] - contact.point[0], q[1] - contact.point[1]) <= toleranceDeg,
    );
    return nearEnd ? undefined : true;
  });
  return crossed === true;
}

/** Whether some hole of `outer` has a vertex strictly inside `inner` (away from its boundary). */
function outerHoleInside(
  outer: PolygonalGeometry,
  inner: PolygonalGeometry,
  toleranceDeg: number,
): boolean {
  for (const rings of polygonsOf(outer)) {
    for (const hole of rings.slice(1)) {
      const inside = hole.some(
        (p) => pointInPolygonalGeometry(p, inner) && distanceToBoundary(p, inner) > toleranceDeg,
      );
      if (inside) return true;
    }
  }
  return false;
}
