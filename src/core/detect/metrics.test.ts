import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import type { Detection, OrientedBox } from './detection.ts';
import {
  averagePrecision,
  averagePrecisionOverImages,
  countError,
  matchDetections,
} from './metrics.ts';
import type { GroundTruth } from './metrics.ts';

const box = (cx: number, cy: number, angleRad = 0): OrientedBox => ({
  cx,
  cy,
  width: 10,
  height: 4,
  angleRad,
});
const truth = (cx: number, className = 'car', difficult = false): GroundTruth => ({
  box: box(cx, 0),
  className,
  difficult,
});
const pred = (cx: number, score: number, className = 'car', cy = 0): Detection => ({
  box: box(cx, cy),
  classIndex: 0,
  className,
  score,
});

describe('matchDetections', () => {
  it('matches best score first; a duplicate or a poor overlap is a false positive', () => {
    const truths = [truth(0), truth(100)];
    // 0.9 on truth 0; 0.8 duplicate of truth 0; 0.7 shifted by 5 px (IoU 5·4 / (80 − 20) = 1/3).
    const result = matchDetections([pred(1, 0.8), pred(0, 0.9), pred(105, 0.7)], truths, 0.5);
    expect(result.matches.map((m) => [m.prediction, m.truth, m.outcome])).toEqual([
      [1, 0, 'true-positive'],
      [0, 0, 'false-positive'],
      [2, 1, 'false-positive'],
    ]);
    expect(result.matches[2]!.iou).toBeCloseTo(1 / 3, 12);
    expect([result.truePositives, result.falsePositives, result.falseNegatives]).toEqual([1, 2, 1]);
  });

  it('matches only truths of the same class, and ignores hits on difficult truths', () => {
    const result = matchDetections(
      [pred(0, 0.9, 'truck'), pred(100, 0.5)],
      [truth(0), truth(100, 'car', true)],
      0.5,
    );
    expect(result.matches.map((m) => m.outcome)).toEqual(['false-positive', 'ignored']);
    expect(result.falseNegatives).toBe(1);
    expect(() => matchDetections([], [], 0)).toThrow(ValidationError);
  });
});

describe('averagePrecision', () => {
  it('computes all-point interpolated AP by hand', () => {
    // Truths at 0, 100, 200. Predictions by score: TP, FP, TP; one truth missed.
    // Precision 1, 1/2, 2/3 at recall 1/3, 1/3, 2/3 → envelope 1, 2/3, 2/3 → AP = 1/3 + 1/3 · 2/3.
    const truths = [truth(0), truth(100), truth(200)];
    const result = averagePrecision(
      [pred(0, 0.9), pred(50, 0.8), pred(100, 0.7), pred(300, 0.1, 'truck')],
      truths,
      'car',
    );
    expect(result.ap).toBeCloseTo(1 / 3 + 2 / 9, 12);
    expect(result.precision).toBeCloseTo(2 / 3, 12);
    expect(result.recall).toBeCloseTo(2 / 3, 12);
    expect([result.truePositives, result.falsePositives, result.falseNegatives]).toEqual([2, 1, 1]);
  });

  it('uses the precision envelope: a late true positive lifts earlier points', () => {
    // FP then TP, TP: precision 0, 1/2, 2/3 at recall 0, 1/2, 1 → AP = 1/2 · 2/3 + 1/2 · 2/3.
    const truths = [truth(0), truth(100)];
    const result = averagePrecision([pred(50, 0.9), pred(0, 0.8), pred(100, 0.7)], truths, 'car');
    expect(result.ap).toBeCloseTo(2 / 3, 12);
  });

  it('is 1 for a perfect ranking, excludes difficult truths, and NaN without truths', () => {
    const truths = [truth(0), truth(100), truth(200, 'car', true)];
    const perfect = averagePrecision(
      [pred(0, 0.9), pred(100, 0.8), pred(200, 0.95)],
      truths,
      'car',
    );
    expect(perfect.ap).toBe(1);
    expect(perfect.falseNegatives).toBe(0);
    expect(perfect.recall).toBe(1);
    const none = averagePrecision([pred(0, 0.9)], [], 'car');
    expect(none.ap).toBeNaN();
    expect(none.recall).toBeNaN();
    expect(none.precision).toBe(0);
    expect(averagePrecision([], truths, 'car')).toMatchObject({
      ap: 0,
      recall: 0,
      falseNegatives: 2,
    });
    expect(averagePrecision([], truths, 'car').precision).toBeNaN();
  });

  it('uses rotated IoU: a box turned 90° on its truth does not match', () => {
    const turned: Detection = {
      box: box(0, 0, Math.PI / 2),
      classIndex: 0,
      className: 'car',
      score: 0.9,
    };
    expect(averagePrecision([turned], [truth(0)], 'car').truePositives).toBe(0);
    expect(averagePrecision([turned], [truth(0)], 'car', 0.2).truePositives).toBe(1);
  });
});

describe('averagePrecisionOverImages', () => {
  it('matches within each image and ranks across images', () => {
    // Image A: truth at 0, prediction on it (0.6). Image B: truth at 0, a miss at 50 (0.9) and a
    // hit (0.5). The same boxes in one image would let A's prediction match B's truth.
    const a = { predictions: [pred(0, 0.6)], truths: [truth(0)] };
    const b = { predictions: [pred(50, 0.9), pred(0, 0.5)], truths: [truth(0)] };
    const pooled = averagePrecisionOverImages([a, b], 'car');
    // Ranked: miss (0.9), hit (0.6), hit (0.5): precision 0, 1/2, 2/3 at recall 0, 1/2, 1.
    expect(pooled.ap).toBeCloseTo(2 / 3, 12);
    expect([pooled.truePositives, pooled.falsePositives, pooled.falseNegatives]).toEqual([2, 1, 0]);
    expect(averagePrecisionOverImages([a], 'car').ap).toBe(1);
    const merged = averagePrecision(
      [...a.predictions, ...b.predictions],
      [...a.truths, ...b.truths],
      'car',
    );
    expect(merged.truePositives).toBe(1);
  });
});

describe('countError', () => {
  it('is |predicted − truth| / truth', () => {
    expect(countError(12, 10)).toBeCloseTo(0.2, 12);
    expect(countError(5, 10)).toBe(0.5);
    expect(countError(0, 0)).toBe(0);
    expect(countError(3, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(() => countError(-1, 3)).toThrow(
      /predicted must be a non-negative integer count, got -1/,
    );
  });
});
