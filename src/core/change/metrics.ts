/**
 * Accuracy of a binary change map against a reference mask, accumulated window by window:
 * the confusion counts of the change class and the usual scores.
 */
import { ValidationError } from '../errors.ts';

/** Pixel counts (float64: exact to 2⁵³). */
export interface ConfusionCounts {
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly falseNegative: number;
  readonly trueNegative: number;
}

/**
 * Scores of the change class. A ratio whose denominator is 0 is 1 when there was nothing to
 * get wrong (no predicted change for precision, no true change for recall; both for F1 and
 * IoU), so an empty prediction of an empty truth scores 1, and an empty prediction of a
 * non-empty truth scores precision 1, recall 0, F1 0.
 */
export interface ChangeScores extends ConfusionCounts {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Intersection over union of the change class: TP / (TP + FP + FN). */
  readonly iou: number;
  readonly overallAccuracy: number;
  /** Cohen's kappa; 1 for perfect agreement, 0 when it is no better than chance. */
  readonly kappa: number;
}

export interface ConfusionAccumulator {
  /**
   * Adds one window: non-zero means change in `predicted` and `truth`; pixels where `valid`
   * (null: all) is 0 are ignored.
   * @throws ValidationError when the lengths differ.
   */
  add(predicted: Uint8Array, truth: Uint8Array, valid: Uint8Array | null): void;
  result(): ChangeScores;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 1 : numerator / denominator;
}

/** Scores from confusion counts (see {@link ChangeScores} for the 0/0 convention). */
export function scoresOf(counts: ConfusionCounts): ChangeScores {
  const { truePositive: tp, falsePositive: fp, falseNegative: fn, trueNegative: tn } = counts;
  const total = tp + fp + fn + tn;
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = ratio(2 * tp, 2 * tp + fp + fn);
  const iou = ratio(tp, tp + fp + fn);
  const overallAccuracy = ratio(tp + tn, total);
  const expected =
    total === 0 ? 1 : ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (total * total);
  const kappa =
    expected === 1
      ? overallAccuracy === 1
        ? 1
        : 0
      : (overallAccuracy - expected) / (1 - expected);
  return { ...counts, precision, recall, f1, iou, overallAccuracy, kappa };
}

/** Creates an empty {@link ConfusionAccumulator}. */
export function createConfusionAccumulator(): ConfusionAccumulator {
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  let trueNegative = 0;
  return {
    add(predicted, truth, valid) {
      const length = predicted.length;
      if (truth.length !== length || (valid !== null && valid.length !== length)) {
        throw new ValidationError(
          `confusion add: predicted has ${length} elements, truth ${truth.length}, valid ${valid?.length ?? 'null'}`,
        );
      }
      let tp = 0;
      let fp = 0;
      let fn = 0;
      let tn = 0;
      for (let p = 0; p < length; p++) {
        if (valid !== null && valid[p] === 0) continue;
        const isPredicted = predicted[p] !== 0;
        const isTrue = truth[p] !== 0;
        if (isPredicted) {
          if (isTrue) tp++;
          else fp++;
        } else if (isTrue) fn++;
        else tn++;
      }
      truePositive += tp;
      falsePositive += fp;
      falseNegative += fn;
      trueNegative += tn;
    },
    result: () => scoresOf({ truePositive, falsePositive, falseNegative, trueNegative }),
  };
}
