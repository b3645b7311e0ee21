/**
 * Validity of GeoJSON polygons and multipolygons as simple features, a little stricter than
 * OGC: rings of one polygon, and parts of a multipolygon, may not touch at all (OGC allows
 * single-point contacts). Ring orientation is not enforced (RFC 7946 says parsers should not).
 */
import { GeometryError } from '../errors.ts';
import { bboxContainsBbox, bboxOfPositions } from './bbox.ts';
import type { Edge } from './edge-sweep.ts';
import { polygonsEdges, ringEdges, sweepEdgePairs } from './edge-sweep.ts';
import { parsePolygonalShape, ringLocation } from './geometry-shape.ts';
import { formatPosition, isPointInRing, signedRingArea } from './ring.ts';
import type { SegmentContact } from './segments.ts';
import { segmentContact } from './segments.ts';
import type { PolygonalGeometry, Ring } from './types.ts';
import { polygonsOf } from './types.ts';

/** Below this fraction of its squared bbox span a ring's area counts as zero. */
const ZERO_AREA_RELATIVE = 1e-12;

type Contact = Exclude<SegmentContact, { kind: 'none' }>;

const VERBS: Record<Contact['kind'], string> = {
  cross: 'crosses',
  touch: 'touches',
  overlap: 'overlaps',
};

/**
 * Checks that `value` is a valid GeoJSON Polygon or MultiPolygon in lon/lat degrees and
 * returns a typed copy (only `type` and `coordinates`; altitudes dropped).
 * @param label prefix of error messages, e.g. `site "sanumdong"`.
 * @throws GeometryError whose message starts with `label` and names the problem and where it
 *   is: wrong type or shape, non-finite or out-of-range coordinates, a ring with fewer than 4
 *   positions, not closed, of zero area or self-intersecting (with the two edge indices and
 *   the approximate crossing point), rings of a polygon touching or crossing, a hole outside
 *   its shell or inside another hole, parts of a multipolygon touching or overlapping.
 */
export function validatePolygonalGeometry(value: unknown, label: string): PolygonalGeometry {
  const geometry = parsePolygonalShape(value, label);
  const multi = geometry.type === 'MultiPolygon';
  const polygons = polygonsOf(geometry);
  polygons.forEach((rings, p) => {
    const part = multi ? p : undefined;
    rings.forEach((ring, r) => {
      validateRing(ring, label, ringLocation(part, r));
    });
    validateRingsOfPolygon(rings, label, part);
  });
  if (multi) validateParts(polygons, label);
  return geometry;
}

function edgeText(edge: Edge): string {
  return `edge ${edge.index} ${formatPosition(edge.a)}→${formatPosition(edge.b)}`;
}

function isAdjacent(e: Edge, f: Edge): boolean {
  const gap = Math.abs(e.order - f.order);
  return gap === 1 || gap === e.ringEdgeCount - 1;
}

function validateRing(ring: Ring, label: string, location: string): void {
  if (ring.length < 4) {
    throw new GeometryError(
      `${label}: ${location} has ${ring.length} positions; a ring needs at least 4 (3 corners and the first repeated at the end)`,
    );
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first === undefined || last === undefined) return;
  if (first[0] !== last[0] || first[1] !== last[1]) {
    throw new GeometryError(
      `${label}: ${location} is not closed: first position ${formatPosition(first)} differs from last position ${formatPosition(last)}`,
    );
  }
  const edges = ringEdges(ring);
  if (edges.length < 3) {
    throw new GeometryError(
      `${label}: ${location} has zero area: it has only ${edges.length} distinct positions`,
    );
  }
  const found = sweepEdgePairs(edges, (e, f) => {
    const contact = segmentContact(e.a, e.b, f.a, f.b);
    if (contact.kind === 'none') return undefined;
    if (isAdjacent(e, f) && contact.kind === 'touch') return undefined;
    return e.index < f.index ? { contact, e, f } : { contact, e: f, f: e };
  });
  if (found !== undefined) {
    const { e, f } = found;
    throw new GeometryError(
      `${label}: ${location} self-intersects: ${edgeText(e)} ${VERBS[found.contact.kind]} ${edgeText(f)} at about ${formatPosition(found.contact.point)}`,
    );
  }
  const [minX, minY, maxX, maxY] = bboxOfPositions(ring);
  const span = Math.max(maxX - minX, maxY - minY);
  if (Math.abs(signedRingArea(ring)) <= ZERO_AREA_RELATIVE * span * span) {
    throw new GeometryError(`${label}: ${location} has zero area: its positions are collinear`);
  }
}

function firstContact(
  edges: readonly Edge[],
  differ: (e: Edge, f: Edge) => boolean,
): { contact: Contact; e: Edge; f: Edge } | undefined {
  return sweepEdgePairs(edges, (e, f) => {
    if (!differ(e, f)) return undefined;
    const contact = segmentContact(e.a, e.b, f.a, f.b);
    if (contact.kind === 'none') return undefined;
    const ordered = e.polygon < f.polygon || (e.polygon === f.polygon && e.ring < f.ring);
    return ordered ? { contact, e, f } : { contact, e: f, f: e };
  });
}

function validateRingsOfPolygon(
  rings: readonly Ring[],
  label: string,
  part: number | undefined,
): void {
  const shell = rings[0];
  if (shell === undefined || rings.length < 2) return;
  const edges = polygonsEdges([rings]);
  const found = firstContact(edges, (e, f) => e.ring !== f.ring);
  if (found !== undefined) {
    const { contact, e, f } = found;
    throw new GeometryError(
      `${label}: ${ringLocation(part, e.ring)} ${edgeText(e)} ${VERBS[contact.kind]} ${ringLocation(part, f.ring)} ${edgeText(f)} at about ${formatPosition(contact.point)}; rings of a polygon must not touch or cross`,
    );
  }
  rings.forEach((hole, h) => {
    const probe = hole[0];
    if (h === 0 || probe === undefined) return;
    if (!isPointInRing(probe, shell)) {
      throw new GeometryError(
        `${label}: hole ${ringLocation(part, h)} is not inside its shell ${ringLocation(part, 0)}: its position 0 ${formatPosition(probe)} lies outside`,
      );
    }
    rings.forEach((other, o) => {
      if (o !== 0 && o !== h && isPointInRing(probe, other)) {
        throw new GeometryError(
          `${label}: hole ${ringLocation(part, h)} lies inside hole ${ringLocation(part, o)}; holes must not nest or overlap`,
        );
      }
    });
  });
}

/** Whether `p` is inside the shell and outside every hole (boundary: either answer). */
function isInsideRings(p: readonly [number, number], rings: readonly Ring[]): boolean {
  const [shell, ...holes] = rings;
  if (shell === undefined || !isPointInRing(p, shell)) return false;
  return !holes.some((hole) => isPointInRing(p, hole));
}

function validateParts(polygons: readonly (readonly Ring[])[], label: string): void {
  const found = firstContact(polygonsEdges(polygons), (e, f) => e.polygon !== f.polygon);
  if (found !== undefined) {
    const { contact, e, f } = found;
    throw new GeometryError(
      `${label}: ${ringLocation(e.polygon, e.ring)} ${edgeText(e)} ${VERBS[contact.kind]} ${ringLocation(f.polygon, f.ring)} ${edgeText(f)} at about ${formatPosition(contact.point)}; parts of a MultiPolygon must not touch or overlap`,
    );
  }
  const shellBoxes = polygons.map((rings) => bboxOfPositions(rings[0] ?? []));
  polygons.forEach((rings, p) => {
    const probe = rings[0]?.[0];
    const box = shellBoxes[p];
    if (probe === undefined || box === undefined) return;
    polygons.forEach((other, q) => {
      const otherBox = shellBoxes[q];
      if (q === p || otherBox === undefined || !bboxContainsBbox(otherBox, box)) return;
      if (isInsideRings(probe, other)) {
        throw new GeometryError(
          `${label}: polygon ${p} lies inside polygon ${q}; parts of a MultiPolygon must not overlap`,
        );
      }
    });
  });
}
