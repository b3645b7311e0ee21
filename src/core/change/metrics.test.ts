import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createConfusionAccumulator, scoresOf } from './metrics.ts';

describe('change scores', () => {
  it('computes hand-checked scores over several windows, ignoring invalid pixels', () => {
    const confusion = createConfusionAccumulator();
    // Window 1: TP, FP, FN, TN, and an invalid FP.
    confusion.add(
      Uint8Array.from([1, 1, 0, 0, 1]),
      Uint8Array.from([1, 0, 1, 0, 0]),
      Uint8Array.from([1, 1, 1, 1, 0]),
    );
    // Window 2: TP, TP, TN, TN.
    confusion.add(Uint8Array.from([255, 1, 0, 0]), Uint8Array.from([1, 255, 0, 0]), null);
    const scores = confusion.result();
    expect(scores).toMatchObject({
      truePositive: 3,
      falsePositive: 1,
      falseNegative: 1,
      trueNegative: 3,
    });
    expect(scores.precision).toBe(0.75);
    expect(scores.recall).toBe(0.75);
    expect(scores.f1).toBe(0.75);
    expect(scores.iou).toBe(0.6);
    expect(scores.overallAccuracy).toBe(0.75);
    // p_e = (4·4 + 4·4) / 64 = 0.5, so κ = (0.75 − 0.5) / 0.5.
    expect(scores.kappa).toBe(0.5);
  });

  it('scores empty predictions and truths by the documented convention', () => {
    expect(
      scoresOf({ truePositive: 0, falsePositive: 0, falseNegative: 0, trueNegative: 9 }),
    ).toMatchObject({
      precision: 1,
      recall: 1,
      f1: 1,
      iou: 1,
      kappa: 1,
    });
    expect(
      scoresOf({ truePositive: 0, falsePositive: 0, falseNegative: 4, trueNegative: 5 }),
    ).toMatchObject({
      precision: 1,
      recall: 0,
      f1: 0,
      kappa: 0,
    });
  });

  it('rejects windows of different lengths', () => {
    expect(() => {
      createConfusionAccumulator().add(new Uint8Array(2), new Uint8Array(3), null);
    }).toThrow(ValidationError);
  });
});
