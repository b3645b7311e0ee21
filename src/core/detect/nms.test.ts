import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ValidationError } from '../errors.ts';
import type { Detection } from './detection.ts';
import { nonMaximumSuppression } from './nms.ts';
import { rotatedIou } from './rotated-iou.ts';
import { seededRandom } from '../random.ts';

function det(
  cx: number,
  cy: number,
  score: number,
  className = 'car',
  w = 10,
  h = 4,
  angleRad = 0,
): Detection {
  return { box: { cx, cy, width: w, height: h, angleRad }, classIndex: 0, className, score };
}

/** The O(n²) definition, for comparison. */
function referenceNms(
  detections: readonly Detection[],
  iou: number,
  classAgnostic: boolean,
): Detection[] {
  const sorted = detections
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i);
  const kept: Detection[] = [];
  for (const { d } of sorted) {
    const hit = kept.some(
      (k) => (classAgnostic || k.className === d.className) && rotatedIou(k.box, d.box) > iou,
    );
    if (!hit) kept.push(d);
  }
  return kept;
}

describe('nonMaximumSuppression', () => {
  it('keeps the higher score of two overlapping boxes of a class', () => {
    const a = det(0, 0, 0.6);
    const b = det(1, 0, 0.9);
    expect(nonMaximumSuppression([a, b], 0.5)).toEqual([b]);
  });

  it('keeps overlapping boxes of different classes unless class-agnostic', () => {
    const a = det(0, 0, 0.6, 'car');
    const b = det(1, 0, 0.9, 'truck');
    expect(nonMaximumSuppression([a, b], 0.5)).toEqual([b, a]);
    expect(nonMaximumSuppression([a, b], 0.5, { classAgnostic: true })).toEqual([b]);
  });

  it('suppresses only above the threshold, using rotated IoU', () => {
    // A 10 × 4 box and the same turned 90°: 16 in common, union 64, IoU 0.25.
    const a = det(0, 0, 0.9);
    const b = det(0, 0, 0.8, 'car', 10, 4, Math.PI / 2);
    expect(nonMaximumSuppression([a, b], 0.25)).toEqual([a, b]);
    expect(nonMaximumSuppression([a, b], 0.24)).toEqual([a]);
  });

  it('orders by score and keeps input order among ties', () => {
    const input = [det(0, 0, 0.5), det(100, 0, 0.7), det(200, 0, 0.5), det(300, 0, 0.7)];
    expect(nonMaximumSuppression(input, 0.5)).toEqual([input[1], input[3], input[0], input[2]]);
  });

  it('rejects a threshold outside [0, 1] and non-finite boxes', () => {
    expect(() => nonMaximumSuppression([], 1.5)).toThrow(ValidationError);
    expect(() => nonMaximumSuppression([det(Number.NaN, 0, 1)], 0.5)).toThrow(/finite/);
  });

  it('equals the O(n²) definition on random scenes of mixed sizes', () => {
    const detection = fc.record({
      cx: fc.double({ min: 0, max: 300, noNaN: true }),
      cy: fc.double({ min: 0, max: 300, noNaN: true }),
      w: fc.double({ min: 0.5, max: 60, noNaN: true }),
      h: fc.double({ min: 0.5, max: 20, noNaN: true }),
      angle: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
      score: fc.double({ min: 0, max: 1, noNaN: true }),
      cls: fc.constantFrom('car', 'truck'),
    });
    fc.assert(
      fc.property(
        fc.array(detection, { maxLength: 150 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (raw, iou, agnostic) => {
          const input = raw.map((r) => det(r.cx, r.cy, r.score, r.cls, r.w, r.h, r.angle));
          expect(nonMaximumSuppression(input, iou, { classAgnostic: agnostic })).toEqual(
            referenceNms(input, iou, agnostic),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('handles 10⁴ boxes on a large image and matches the definition on a dense patch', () => {
    const random = seededRandom(12345);
    const many: Detection[] = [];
    for (let i = 0; i < 10_000; i++) {
      many.push(
        det(
          random() * 20_000,
          random() * 20_000,
          random(),
          'car',
          5 + random() * 20,
          2 + random() * 6,
          random() * 3 - 1.5,
        ),
      );
    }
    const kept = nonMaximumSuppression(many, 0.5);
    // Sparse: almost nothing overlaps, but everything kept is pairwise below the threshold nearby.
    expect(kept.length).toBeGreaterThan(9_900);
    const dense = many
      .slice(0, 1500)
      .map((d) => ({ ...d, box: { ...d.box, cx: d.box.cx / 100, cy: d.box.cy / 100 } }));
    expect(nonMaximumSuppression(dense, 0.5)).toEqual(referenceNms(dense, 0.5, false));
  });
});
