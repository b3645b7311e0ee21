import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPointInRing, signedRingArea } from '../geo/ring.ts';
import { segmentContact } from '../geo/segments.ts';
import type { Position, Ring } from '../geo/types.ts';
import { labelComponents } from './connected-components.ts';
import type { ComponentPolygons } from './polygonize.ts';
import {
  polygonAreaPixels,
  polygonizeComponent,
  polygonizeComponents,
  polygonToMap,
} from './polygonize.ts';

function parse(rows: string[]) {
  const width = rows[0]!.length;
  const mask = Uint8Array.from(rows.join(''), (c) => (c === '#' ? 1 : 0));
  return labelComponents(mask, width, rows.length);
}

const key = (p: Position) => `${p[0]},${p[1]}`;

/** OGC validity of one component's polygons; returns a description of the first problem. */
function problemOf(component: ComponentPolygons): string | null {
  const rings = component.polygons.flat();
  for (const [r, ring] of rings.entries()) {
    if (ring.length < 4) return `ring ${r} has ${ring.length} positions`;
    if (key(ring[0]!) !== key(ring[ring.length - 1]!)) return `ring ${r} is open`;
    const corners = ring.slice(0, -1).map(key);
    if (new Set(corners).size !== corners.length) return `ring ${r} repeats a vertex`;
  }
  for (const polygon of component.polygons) {
    if (!(signedRingArea(polygon[0]!) > 0)) return 'outer ring is not counter-clockwise';
    for (const hole of polygon.slice(1)) {
      if (!(signedRingArea(hole) < 0)) return 'hole is not clockwise';
      const probe = hole.find((p) => !polygon[0]!.some((q) => key(q) === key(p)));
      if (probe && !isPointInRing(probe, polygon[0]!)) return 'hole outside its shell';
    }
  }
  const edges = rings.flatMap((ring, r) =>
    ring.slice(0, -1).map((a, i) => ({ r, i, n: ring.length - 1, a, b: ring[i + 1]! })),
  );
  for (let e = 0; e < edges.length; e++) {
    for (let f = e + 1; f < edges.length; f++) {
      const [s, t] = [edges[e]!, edges[f]!];
      const contact = segmentContact(s.a, s.b, t.a, t.b);
      if (contact.kind === 'none') continue;
      if (contact.kind !== 'touch') return `edges ${contact.kind} at ${key(contact.point)}`;
      const adjacent =
        s.r === t.r && (Math.abs(s.i - t.i) === 1 || Math.abs(s.i - t.i) === s.n - 1);
      const atCorners =
        [s.a, s.b].some((p) => key(p) === key(contact.point)) &&
        [t.a, t.b].some((p) => key(p) === key(contact.point));
      if (!atCorners || (s.r === t.r && !adjacent)) return `edges touch at ${key(contact.point)}`;
    }
  }
  return null;
}

function insidePolygons(polygons: readonly (readonly Ring[])[], p: Position): boolean {
  return polygons.some(
    ([outer, ...holes]) => isPointInRing(p, outer!) && !holes.some((h) => isPointInRing(p, h)),
  );
}

const randomMask = fc
  .record({
    width: fc.integer({ min: 1, max: 14 }),
    height: fc.integer({ min: 1, max: 14 }),
    seed: fc.integer(),
    density: fc.double({ min: 0.2, max: 0.8, noNaN: true }),
  })
  .map(({ width, height, seed, density }) => {
    let state = seed >>> 0;
    const mask = Uint8Array.from({ length: width * height }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296 < density ? 1 : 0;
    });
    return labelComponents(mask, width, height);
  });

describe('polygonizeComponent', () => {
  it('traces one pixel as a counter-clockwise unit square', () => {
    const [only] = polygonizeComponents(parse(['...', '.#.', '...']));
    expect(only!.polygons).toEqual([
      [
        [
          [2, 1],
          [2, 2],
          [1, 2],
          [1, 1],
          [2, 1],
        ],
      ],
    ]);
    expect(polygonAreaPixels(only!.polygons[0]!)).toBe(1);
  });

  it('traces a ring-shaped component as a shell and a clockwise hole', () => {
    const [ring] = polygonizeComponents(parse(['####', '#..#', '####']));
    expect(ring!.polygons).toHaveLength(1);
    const [shell, hole] = ring!.polygons[0]!;
    expect(signedRingArea(shell!)).toBe(12);
    expect(signedRingArea(hole!)).toBe(-2);
    expect(hole!.slice(0, -1).map(key).sort()).toEqual(['1,1', '1,2', '3,1', '3,2']);
  });

  it('drops collinear corners: a 3 × 2 block has 4 corners', () => {
    const [block] = polygonizeComponents(parse(['###', '###']));
    expect(block!.polygons[0]![0]).toHaveLength(5);
  });

  it('splits at diagonal touches into valid parts that meet at a corner', () => {
    const components = parse(['#.', '.#']);
    expect(components.count).toBe(1);
    const result = polygonizeComponent(components, 1);
    expect(result.polygons).toHaveLength(2);
    expect(problemOf(result)).toBeNull();
    expect(result.polygons.reduce((s, p) => s + polygonAreaPixels(p), 0)).toBe(2);
  });

  it('keeps a hole that touches its shell at a corner valid', () => {
    // The hole at (1, 1) touches the outside diagonally through the corner (2, 2).
    const components = parse(['###.', '#.#.', '##.#', '...#']);
    expect(components.count).toBe(1);
    const result = polygonizeComponent(components, 1);
    expect(problemOf(result)).toBeNull();
    expect(result.polygons.reduce((s, p) => s + polygonAreaPixels(p), 0)).toBe(
      components.pixelCount[1],
    );
  });

  it('gives valid polygons covering exactly the component (random masks)', () => {
    fc.assert(
      fc.property(randomMask, (components) => {
        for (const component of polygonizeComponents(components)) {
          expect(problemOf(component)).toBeNull();
          const area = component.polygons.reduce((s, p) => s + polygonAreaPixels(p), 0);
          expect(area).toBe(components.pixelCount[component.label]);
          for (let y = 0; y < components.height; y++) {
            for (let x = 0; x < components.width; x++) {
              const inside = components.labels[y * components.width + x] === component.label;
              expect(insidePolygons(component.polygons, [x + 0.5, y + 0.5])).toBe(inside);
            }
          }
        }
      }),
      { seed: 51, numRuns: 200 },
    );
  });

  it('rejects labels outside the component range', () => {
    expect(() => polygonizeComponent(parse(['#']), 2)).toThrow(/\[1, 1\], got 2/);
  });
});

describe('simplification', () => {
  function disk(radius: number) {
    const size = 2 * radius + 3;
    const rows = Array.from({ length: size }, (_, y) =>
      Array.from({ length: size }, (_, x) =>
        (x - radius - 1) ** 2 + (y - radius - 1) ** 2 <= radius * radius ? '#' : '.',
      ).join(''),
    );
    return parse(rows);
  }

  it('reduces the corners of a rasterised disk and keeps its area close', () => {
    const components = disk(20);
    const exact = polygonizeComponent(components, 1);
    const simplified = polygonizeComponent(components, 1, { simplifyTolerancePixels: 1 });
    expect(simplified.polygons[0]![0]!.length).toBeLessThan(exact.polygons[0]![0]!.length / 3);
    expect(problemOf(simplified)).toBeNull();
    const area = polygonAreaPixels(simplified.polygons[0]!);
    expect(Math.abs(area - components.pixelCount[1]!) / components.pixelCount[1]!).toBeLessThan(
      0.05,
    );
  });

  it('stays valid on random masks', () => {
    fc.assert(
      fc.property(
        randomMask,
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (components, tolerance) => {
          for (const component of polygonizeComponents(components, {
            simplifyTolerancePixels: tolerance,
          })) {
            expect(problemOf(component)).toBeNull();
          }
        },
      ),
      { seed: 52, numRuns: 200 },
    );
  });
});

describe('polygonToMap', () => {
  it('maps corners through a north-up geotransform and keeps shells counter-clockwise', () => {
    const [only] = polygonizeComponents(parse(['#']));
    const [shell] = polygonToMap(only!.polygons[0]!, [500000, 10, 0, 4000000, 0, -10]);
    expect(signedRingArea(shell!)).toBe(100);
    expect(shell).toContainEqual([500000, 4000000]);
    expect(shell).toContainEqual([500010, 3999990]);
  });
});
