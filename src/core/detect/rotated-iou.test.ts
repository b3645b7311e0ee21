import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrientedBox } from './detection.ts';
import {
  intersectionArea,
  normaliseAngle,
  orientedBoxCorners,
  polygonArea,
  rotatedIou,
} from './rotated-iou.ts';

const box = (cx: number, cy: number, width: number, height: number, angleRad = 0): OrientedBox => ({
  cx,
  cy,
  width,
  height,
  angleRad,
});

const arbitraryBox = fc.record({
  cx: fc.double({ min: -50, max: 50, noNaN: true }),
  cy: fc.double({ min: -50, max: 50, noNaN: true }),
  width: fc.double({ min: 0.5, max: 40, noNaN: true }),
  height: fc.double({ min: 0.5, max: 40, noNaN: true }),
  angleRad: fc.double({ min: -Math.PI / 2, max: Math.PI / 2 - 1e-9, noNaN: true }),
});

/** Two boxes near each other, so that most pairs overlap. */
const nearbyPair = fc
  .tuple(arbitraryBox, arbitraryBox)
  .map(([a, b]) => [a, { ...b, cx: a.cx + (b.cx % 10), cy: a.cy + (b.cy % 10) }] as const);

function simpleIou(a: OrientedBox, b: OrientedBox): number {
  const ix = Math.max(
    0,
    Math.min(a.cx + a.width / 2, b.cx + b.width / 2) -
      Math.max(a.cx - a.width / 2, b.cx - b.width / 2),
  );
  const iy = Math.max(
    0,
    Math.min(a.cy + a.height / 2, b.cy + b.height / 2) -
      Math.max(a.cy - a.height / 2, b.cy - b.height / 2),
  );
  const inter = ix * iy;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

function rotateAbout(b: OrientedBox, px: number, py: number, turnRad: number): OrientedBox {
  const c = Math.cos(turnRad);
  const s = Math.sin(turnRad);
  const dx = b.cx - px;
  const dy = b.cy - py;
  return {
    ...b,
    cx: px + dx * c - dy * s,
    cy: py + dx * s + dy * c,
    angleRad: normaliseAngle(b.angleRad + turnRad),
  };
}

describe('orientedBoxCorners', () => {
  it('starts at top-left and goes clockwise on screen for an axis-aligned box', () => {
    expect(orientedBoxCorners(box(10, 20, 4, 2))).toEqual([
      [8, 19],
      [12, 19],
      [12, 21],
      [8, 21],
    ]);
  });

  it('turns the width side clockwise on screen (towards +row) for a positive angle', () => {
    const corners = orientedBoxCorners(box(0, 0, 4, 2, Math.PI / 2));
    const expected = [
      [1, -2],
      [1, 2],
      [-1, 2],
      [-1, -2],
    ];
    corners.forEach((p, i) => {
      expect(p[0]).toBeCloseTo(expected[i]![0]!, 12);
      expect(p[1]).toBeCloseTo(expected[i]![1]!, 12);
    });
    expect(polygonArea(corners)).toBeCloseTo(8, 12);
  });
});

describe('normaliseAngle', () => {
  it('folds into [-π/2, π/2)', () => {
    expect(normaliseAngle(Math.PI / 2)).toBeCloseTo(-Math.PI / 2, 12);
    expect(normaliseAngle(-Math.PI / 2)).toBe(-Math.PI / 2);
    expect(normaliseAngle(2)).toBeCloseTo(2 - Math.PI, 12);
    expect(normaliseAngle(-3 * Math.PI + 0.25)).toBeCloseTo(0.25, 12);
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), (a) => {
        const n = normaliseAngle(a);
        return n >= -Math.PI / 2 && n < Math.PI / 2;
      }),
    );
  });
});

describe('rotatedIou: known cases', () => {
  it('gives 1/3 for two 2×2 squares offset by 1 along a side', () => {
    expect(rotatedIou(box(0, 0, 2, 2), box(1, 0, 2, 2))).toBeCloseTo(1 / 3, 12);
  });

  it('gives 1/√2 for a square and itself turned 45° (a regular octagon in common)', () => {
    expect(rotatedIou(box(5, 5, 2, 2), box(5, 5, 2, 2, Math.PI / 4))).toBeCloseTo(Math.SQRT1_2, 12);
    expect(intersectionArea(box(5, 5, 2, 2), box(5, 5, 2, 2, Math.PI / 4))).toBeCloseTo(
      8 * (Math.SQRT2 - 1),
      12,
    );
  });

  it('gives area ratio for a box inside another, and 0 without area or overlap', () => {
    expect(rotatedIou(box(0, 0, 10, 10, 0.3), box(0, 0, 2, 2, -1))).toBeCloseTo(0.04, 12);
    expect(rotatedIou(box(0, 0, 0, 2), box(0, 0, 0, 2))).toBe(0);
    expect(rotatedIou(box(0, 0, 2, 2), box(2, 0, 2, 2))).toBe(0);
  });

  it('treats a cross of two thin boxes exactly', () => {
    // 10 × 2 and 2 × 10 crossing: 4 in common, union 36.
    expect(rotatedIou(box(0, 0, 10, 2), box(0, 0, 10, 2, Math.PI / 2))).toBeCloseTo(4 / 36, 12);
  });
});

describe('rotatedIou: properties', () => {
  it('is symmetric and in [0, 1]', () => {
    fc.assert(
      fc.property(nearbyPair, ([a, b]) => {
        const ab = rotatedIou(a, b);
        return ab === rotatedIou(b, a) && ab >= 0 && ab <= 1;
      }),
    );
  });

  it('is 1 for identical boxes, also after a half turn or swapping sides with a quarter turn', () => {
    fc.assert(
      fc.property(arbitraryBox, (a) => {
        expect(rotatedIou(a, { ...a })).toBe(1);
        expect(rotatedIou(a, { ...a, angleRad: a.angleRad + Math.PI })).toBeCloseTo(1, 9);
        const swapped = {
          ...a,
          width: a.height,
          height: a.width,
          angleRad: a.angleRad + Math.PI / 2,
        };
        expect(rotatedIou(a, swapped)).toBeCloseTo(1, 9);
      }),
    );
  });

  it('is 0 for boxes far apart', () => {
    fc.assert(
      fc.property(arbitraryBox, arbitraryBox, (a, b) => {
        expect(rotatedIou(a, { ...b, cx: a.cx + 200 })).toBe(0);
      }),
    );
  });

  it('equals the simple formula for axis-aligned boxes', () => {
    fc.assert(
      fc.property(nearbyPair, ([a, b]) => {
        const a0 = { ...a, angleRad: 0 };
        const b0 = { ...b, angleRad: 0 };
        expect(rotatedIou(a0, b0)).toBeCloseTo(simpleIou(a0, b0), 9);
      }),
    );
  });

  it('does not change when both boxes turn about any point', () => {
    fc.assert(
      fc.property(
        nearbyPair,
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        ([a, b], px, py, turn) => {
          const before = rotatedIou(a, b);
          const after = rotatedIou(rotateAbout(a, px, py, turn), rotateAbout(b, px, py, turn));
          expect(after).toBeCloseTo(before, 9);
        },
      ),
    );
  });
});
