/**
 * Vectorises labelled components into polygons whose rings run along pixel edges, in pixel
 * coordinates: [col, row] of pixel corners, (0, 0) the top-left corner of the top-left pixel.
 *
 * Orientation follows `signedRingArea` of `core/geo/ring.ts` applied to [col, row]: outer rings
 * have positive area (counter-clockwise in that (x = col, y = row) frame), holes negative
 * (clockwise). A north-up geotransform (negative row step) mirrors the plane; use
 * {@link polygonToMap}, which re-orients the rings, to keep RFC 7946's counter-clockwise outer
 * rings in map coordinates.
 *
 * Validity (OGC simple features): every ring is simple (no repeated vertex, no crossing);
 * rings meet at most at isolated corner points. Where pixels of one 8-connected component touch
 * only diagonally, the boundary is split at that corner, so such a component can give several
 * polygons (touching at a point) and holes can touch their shell at a point. (The stricter
 * `validatePolygonalGeometry` of `core/geo`, which forbids any contact, rejects those cases.)
 * Unsimplified, the polygons' area is exactly the component's pixel count.
 *
 * Cost: finding a component's boundary scans its bounding box once (O(bbox area)), tracing is
 * O(boundary length); memory is 2 bytes per bbox pixel for the visited-edge flags.
 */
import type { GeoTransform, Position, Ring } from '../geo/types.ts';
import { isPointInRing, signedRingArea } from '../geo/ring.ts';
import { ValidationError } from '../errors.ts';
import type { ComponentLabels } from './connected-components.ts';
import { simplifyComponentRings } from './polygonize-simplify.ts';

/** The polygons of one component: each is an outer ring followed by its holes. */
export interface ComponentPolygons {
  readonly label: number;
  readonly pixelCount: number;
  readonly polygons: readonly (readonly Ring[])[];
}

export interface PolygonizeOptions {
  /**
   * Douglas–Peucker tolerance in pixels (default 0: only collinear corners are dropped, which
   * is lossless). Corners where rings touch are kept; if simplifying would break validity the
   * component keeps its unsimplified rings.
   */
  readonly simplifyTolerancePixels?: number;
}

// Directions: 0 east (+col), 1 south (+row), 2 west, 3 north.
const STEP_X = [1, 0, -1, 0] as const;
const STEP_Y = [0, 1, 0, -1] as const;

/** Traces the boundary cycles of one label along pixel edges. */
class ComponentTracer {
  private readonly x0: number;
  private readonly y0: number;
  private readonly spanX: number;
  private readonly horizontalVisited: Uint8Array;
  private readonly verticalVisited: Uint8Array;

  constructor(
    private readonly components: ComponentLabels,
    private readonly label: number,
  ) {
    this.x0 = components.minCol[label] ?? 0;
    this.y0 = components.minRow[label] ?? 0;
    this.spanX = (components.maxCol[label] ?? 0) - this.x0 + 2;
    const spanY = (components.maxRow[label] ?? 0) - this.y0 + 2;
    this.horizontalVisited = new Uint8Array(this.spanX * spanY);
    this.verticalVisited = new Uint8Array(this.spanX * spanY);
  }

  private inside(x: number, y: number): boolean {
    const { width, height, labels } = this.components;
    return x >= 0 && y >= 0 && x < width && y < height && labels[y * width + x] === this.label;
  }

  /** Visits the edge leaving (x, y) in direction d; returns false when already visited. */
  private visit(x: number, y: number, d: number): boolean {
    const horizontal = d === 0 || d === 2;
    const ex = (d === 2 ? x - 1 : x) - this.x0;
    const ey = (d === 3 ? y - 1 : y) - this.y0;
    const flags = horizontal ? this.horizontalVisited : this.verticalVisited;
    const index = ey * this.spanX + ex;
    if (flags[index] === 1) return false;
    flags[index] = 1;
    return true;
  }

  /** The boundary edge leaving vertex (x, y) after arriving in direction `incoming`. */
  private next(x: number, y: number, incoming: number): number {
    const nw = this.inside(x - 1, y - 1);
    const ne = this.inside(x, y - 1);
    const sw = this.inside(x - 1, y);
    const se = this.inside(x, y);
    // Saddles: pixels touching only diagonally stay joined (8-connectivity).
    if (nw && se && !ne && !sw) return incoming === 1 ? 0 : 2;
    if (ne && sw && !nw && !se) return incoming === 0 ? 3 : 1;
    if (se && !ne) return 0;
    if (sw && !se) return 1;
    if (nw && !sw) return 2;
    return 3;
  }

  /** Corner lists (flat [x, y, …], global pixel corners) of every boundary cycle. */
  traceAll(): number[][] {
    const cycles: number[][] = [];
    const maxX = this.components.maxCol[this.label] ?? 0;
    const maxY = (this.components.maxRow[this.label] ?? 0) + 1;
    for (let y = this.y0; y <= maxY; y++) {
      for (let x = this.x0; x <= maxX; x++) {
        const below = this.inside(x, y);
        if (below === this.inside(x, y - 1)) continue;
        const startX = below ? x : x + 1;
        const direction = below ? 0 : 2;
        if (!this.visit(startX, y, direction)) continue;
        cycles.push(this.trace(startX, y, direction));
      }
    }
    return cycles;
  }

  private trace(startX: number, startY: number, startDirection: number): number[] {
    const corners: number[] = [];
    let x = startX + STEP_X[startDirection as 0];
    let y = startY + STEP_Y[startDirection as 0];
    let direction = startDirection;
    for (;;) {
      const next = this.next(x, y, direction);
      if (next !== direction) corners.push(x, y);
      if (!this.visit(x, y, next)) break;
      direction = next;
      x += STEP_X[next as 0];
      y += STEP_Y[next as 0];
    }
    return corners;
  }
}

/** Splits a closed corner list at repeated vertices into simple cycles. */
function splitAtRepeats(corners: number[], stride: number): number[][] {
  const loops: number[][] = [];
  const stack: number[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < corners.length; i += 2) {
    const x = corners[i] ?? 0;
    const y = corners[i + 1] ?? 0;
    const key = y * stride + x;
    const at = seen.get(key);
    if (at !== undefined) {
      const loop = stack.splice(at);
      for (let k = 0; k < loop.length; k += 2)
        seen.delete((loop[k + 1] ?? 0) * stride + (loop[k] ?? 0));
      loops.push(loop);
    }
    seen.set(key, stack.length);
    stack.push(x, y);
  }
  if (stack.length > 0) loops.push(stack);
  return loops;
}

function toRing(flat: number[]): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < flat.length; i += 2) ring.push([flat[i] ?? 0, flat[i + 1] ?? 0]);
  const first = ring[0];
  if (first !== undefined) ring.push(first);
  return ring;
}

/** Centre of the component pixel on the left of a ring's first edge. */
function pixelLeftOfFirstEdge(ring: Ring): Position {
  const [a, b] = ring;
  if (a === undefined || b === undefined) return [0, 0];
  const dx = Math.sign(b[0] - a[0]);
  const dy = Math.sign(b[1] - a[1]);
  return [a[0] + 0.5 * (dx - dy), a[1] + 0.5 * (dy + dx)];
}

/** Groups outer rings (positive area) with the holes they directly contain. */
function assemble(rings: Ring[]): Ring[][] {
  const outers = rings.filter((r) => signedRingArea(r) > 0);
  const areas = outers.map((r) => signedRingArea(r));
  const polygons: Ring[][] = outers.map((r) => [r]);
  for (const hole of rings) {
    if (signedRingArea(hole) >= 0) continue;
    const probe = pixelLeftOfFirstEdge(hole);
    let best = -1;
    outers.forEach((outer, i) => {
      if (isPointInRing(probe, outer) && (best < 0 || (areas[i] ?? 0) < (areas[best] ?? 0)))
        best = i;
    });
    polygons[best]?.push(hole);
  }
  return polygons;
}

/**
 * Polygons of one component (see the module comment for coordinates and validity).
 * @throws ValidationError when `label` is not in 1 … components.count.
 */
export function polygonizeComponent(
  components: ComponentLabels,
  label: number,
  options: PolygonizeOptions = {},
): ComponentPolygons {
  if (!Number.isInteger(label) || label < 1 || label > components.count) {
    throw new ValidationError(
      `polygonize: label must be in [1, ${components.count}], got ${label}`,
    );
  }
  const tolerance = options.simplifyTolerancePixels ?? 0;
  if (!(tolerance >= 0)) {
    throw new ValidationError(`simplifyTolerancePixels must be ≥ 0, got ${tolerance}`);
  }
  const cycles = new ComponentTracer(components, label).traceAll();
  const stride = components.width + 1;
  const rings = cycles.flatMap((cycle) => splitAtRepeats(cycle, stride)).map(toRing);
  const polygons = assemble(tolerance > 0 ? simplifyComponentRings(rings, tolerance) : rings);
  return { label, pixelCount: components.pixelCount[label] ?? 0, polygons };
}

/** Polygons of every component, in label order. */
export function polygonizeComponents(
  components: ComponentLabels,
  options: PolygonizeOptions = {},
): ComponentPolygons[] {
  const out: ComponentPolygons[] = [];
  for (let label = 1; label <= components.count; label++) {
    out.push(polygonizeComponent(components, label, options));
  }
  return out;
}

/** Area in pixels of a polygon (outer area minus holes). */
export function polygonAreaPixels(polygon: readonly Ring[]): number {
  return polygon.reduce((sum, ring) => sum + signedRingArea(ring), 0);
}

/**
 * Maps a pixel-space polygon through a geotransform (see `GeoTransform`), reversing the rings
 * when the transform mirrors the plane (determinant < 0, as for north-up images), so outer
 * rings stay counter-clockwise and holes clockwise in map coordinates.
 */
export function polygonToMap(polygon: readonly Ring[], transform: GeoTransform): Ring[] {
  const [t0, t1, t2, t3, t4, t5] = transform;
  const mirror = t1 * t5 - t2 * t4 < 0;
  return polygon.map((ring) => {
    const mapped = ring.map(([col, row]): Position => [
      t0 + col * t1 + row * t2,
      t3 + col * t4 + row * t5,
    ]);
    return mirror ? mapped.reverse() : mapped;
  });
}
