/**
 * Finding pairs of edges whose boxes overlap, by sweeping along one axis: edges sorted by
 * their low end, each compared only with the still-open edges whose range reaches it. That is
 * O(n log n + k) for the polygons sites have (k candidate pairs), O(n²) at worst.
 */
import type { Position, Ring } from './types.ts';

/** One edge of a ring: from `a` (position `index` of its ring) to `b`. */
export interface Edge {
  readonly a: Position;
  readonly b: Position;
  /** Index of the start position in the ring as given (duplicates included). */
  readonly index: number;
  /** Which polygon of a multi-part geometry (0 for a polygon). */
  readonly polygon: number;
  /** Which ring of that polygon (0 = shell). */
  readonly ring: number;
  /** Position of this edge among its ring's edges after dropping zero-length edges. */
  readonly order: number;
  /** Number of non-zero-length edges in the ring. */
  readonly ringEdgeCount: number;
}

/** Edges of a closed ring, skipping zero-length edges (repeated consecutive positions). */
export function ringEdges(ring: Ring, polygon = 0, ringIndex = 0): Edge[] {
  const spans: { a: Position; b: Position; index: number }[] = [];
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    if (a === undefined || b === undefined) continue;
    if (a[0] === b[0] && a[1] === b[1]) continue;
    spans.push({ a, b, index: i });
  }
  return spans.map((span, order) => ({
    ...span,
    polygon,
    ring: ringIndex,
    order,
    ringEdgeCount: spans.length,
  }));
}

/** Edges of every ring of every polygon. */
export function polygonsEdges(polygons: readonly (readonly Ring[])[]): Edge[] {
  const edges: Edge[] = [];
  polygons.forEach((rings, p) => {
    rings.forEach((ring, r) => edges.push(...ringEdges(ring, p, r)));
  });
  return edges;
}

interface Boxed<E> {
  readonly edge: E;
  /** Range along the sweep axis. */
  readonly low: number;
  readonly high: number;
  /** Range along the other axis. */
  readonly crossLow: number;
  readonly crossHigh: number;
}

type Axis = 0 | 1;

/**
 * The axis along which edges are shortest relative to the extent of all edges: sweeping
 * along it keeps few edges open at once (a comb of long horizontal teeth sweeps along y).
 */
function sweepAxis(edges: readonly { readonly a: Position; readonly b: Position }[]): Axis {
  const length: [number, number] = [0, 0];
  const low: [number, number] = [Infinity, Infinity];
  const high: [number, number] = [-Infinity, -Infinity];
  for (const { a, b } of edges) {
    for (const axis of [0, 1] as const) {
      length[axis] += Math.abs(a[axis] - b[axis]);
      low[axis] = Math.min(low[axis], a[axis], b[axis]);
      high[axis] = Math.max(high[axis], a[axis], b[axis]);
    }
  }
  const relative = (axis: Axis): number => length[axis] / Math.max(high[axis] - low[axis], 1e-300);
  return relative(0) <= relative(1) ? 0 : 1;
}

function boxed<E extends { readonly a: Position; readonly b: Position }>(
  edge: E,
  axis: Axis,
): Boxed<E> {
  const cross = axis === 0 ? 1 : 0;
  return {
    edge,
    low: Math.min(edge.a[axis], edge.b[axis]),
    high: Math.max(edge.a[axis], edge.b[axis]),
    crossLow: Math.min(edge.a[cross], edge.b[cross]),
    crossHigh: Math.max(edge.a[cross], edge.b[cross]),
  };
}

/**
 * Calls `visit` for each pair of edges whose bounding boxes overlap or touch (earlier edge in
 * sweep order first) until it returns a value other than `undefined`, which is returned.
 */
export function sweepEdgePairs<E extends { readonly a: Position; readonly b: Position }, R>(
  edges: readonly E[],
  visit: (first: E, second: E) => R | undefined,
): R | undefined {
  const axis = sweepAxis(edges);
  const sorted = edges.map((edge) => boxed(edge, axis)).sort((p, q) => p.low - q.low);
  const active: Boxed<E>[] = [];
  for (const current of sorted) {
    let kept = 0;
    for (const open of active) {
      if (open.high < current.low) continue;
      active[kept++] = open;
      if (open.crossHigh < current.crossLow || current.crossHigh < open.crossLow) continue;
      const result = visit(open.edge, current.edge);
      if (result !== undefined) return result;
    }
    active.length = kept;
    active.push(current);
  }
  return undefined;
}
