/**
 * Detection metrics, PASCAL VOC style (as the DOTA devkit does it, with rotated IoU): greedy
 * matching by descending score, all-point interpolated average precision, count error.
 */
import { ValidationError } from '../errors.ts';
import type { Detection, OrientedBox } from './detection.ts';
import { rotatedIou } from './rotated-iou.ts';

/** A labelled object. `difficult` ones count neither as hits nor as misses. */
export interface GroundTruth {
  readonly box: OrientedBox;
  readonly className: string;
  readonly difficult?: boolean | undefined;
}

export type MatchOutcome = 'true-positive' | 'false-positive' | 'ignored';

export interface PredictionMatch {
  /** Index into the predictions given. */
  readonly prediction: number;
  /** Index of the truth it overlaps most (same class), or null when none overlaps. */
  readonly truth: number | null;
  readonly iou: number;
  readonly outcome: MatchOutcome;
}

export interface MatchResult {
  /** One per prediction, by descending score (ties in input order). */
  readonly matches: readonly PredictionMatch[];
  readonly truePositives: number;
  readonly falsePositives: number;
  /** Non-difficult truths left unmatched. */
  readonly falseNegatives: number;
}

/**
 * Matches predictions to truths of the same class: each prediction, best score first, takes the
 * truth it overlaps most; when that IoU ≥ `iouThreshold` it is a true positive if the truth is
 * still free, ignored if the truth is difficult, and a false positive otherwise (a duplicate,
 * or too little overlap).
 * @throws ValidationError when `iouThreshold` is not in (0, 1].
 */
export function matchDetections(
  predictions: readonly Detection[],
  truths: readonly GroundTruth[],
  iouThreshold: number,
): MatchResult {
  if (!(iouThreshold > 0 && iouThreshold <= 1)) {
    throw new ValidationError(
      `matchDetections: IoU threshold must be in (0, 1], got ${iouThreshold}`,
    );
  }
  const order = predictions.map((prediction, index) => ({ prediction, index }));
  order.sort((a, b) => b.prediction.score - a.prediction.score || a.index - b.index);
  const taken = new Uint8Array(truths.length);
  const matches: PredictionMatch[] = [];
  let tp = 0;
  let fp = 0;
  for (const { prediction, index: p } of order) {
    let best: number | null = null;
    let bestIou = 0;
    for (const [k, t] of truths.entries()) {
      if (t.className !== prediction.className) continue;
      const iou = rotatedIou(prediction.box, t.box);
      if (iou > bestIou) {
        bestIou = iou;
        best = k;
      }
    }
    let outcome: MatchOutcome = 'false-positive';
    if (best !== null && bestIou >= iouThreshold) {
      if (truths[best]?.difficult === true) outcome = 'ignored';
      else if (taken[best] === 0) {
        taken[best] = 1;
        outcome = 'true-positive';
      }
    }
    if (outcome === 'true-positive') tp++;
    else if (outcome === 'false-positive') fp++;
    matches.push({ prediction: p, truth: best, iou: bestIou, outcome });
  }
  let fn = 0;
  truths.forEach((t, k) => {
    if (t.difficult !== true && taken[k] === 0) fn++;
  });
  return { matches, truePositives: tp, falsePositives: fp, falseNegatives: fn };
}

export interface AveragePrecisionResult {
  /** All-point interpolated AP in [0, 1]; NaN when the class has no (non-difficult) truths. */
  readonly ap: number;
  /** Over all predictions of the class: TP / (TP + FP); NaN without predictions. */
  readonly precision: number;
  /** TP / (TP + FN); NaN without truths. */
  readonly recall: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
}

/** One image's predictions and truths, for metrics pooled over several images. */
export interface ImageDetections {
  readonly predictions: readonly Detection[];
  readonly truths: readonly GroundTruth[];
}

/**
 * Average precision of one class at `iouThreshold` (rotated IoU), VOC 2010+ style: the area
 * under the precision–recall curve after making precision monotone (all points, no 11-point
 * sampling). Predictions and truths of other classes are ignored.
 */
export function averagePrecision(
  predictions: readonly Detection[],
  truths: readonly GroundTruth[],
  className: string,
  iouThreshold = 0.5,
): AveragePrecisionResult {
  return averagePrecisionOverImages([{ predictions, truths }], className, iouThreshold);
}

/**
 * `averagePrecision` pooled over images, as DOTA and VOC report it: predictions are matched
 * within their own image, then ranked together by score.
 */
export function averagePrecisionOverImages(
  images: readonly ImageDetections[],
  className: string,
  iouThreshold = 0.5,
): AveragePrecisionResult {
  const ranked: { score: number; hit: boolean }[] = [];
  let positives = 0;
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (const image of images) {
    const ofClassPredictions = image.predictions.filter((p) => p.className === className);
    const ofClassTruths = image.truths.filter((t) => t.className === className);
    const result = matchDetections(ofClassPredictions, ofClassTruths, iouThreshold);
    positives += ofClassTruths.filter((t) => t.difficult !== true).length;
    truePositives += result.truePositives;
    falsePositives += result.falsePositives;
    falseNegatives += result.falseNegatives;
    for (const m of result.matches) {
      if (m.outcome === 'ignored') continue;
      const score = ofClassPredictions[m.prediction]?.score ?? 0;
      ranked.push({ score, hit: m.outcome === 'true-positive' });
    }
  }
  // Stable: equal scores keep image order, then each image's own ranking.
  ranked.sort((a, b) => b.score - a.score);
  return {
    ap: positives > 0 ? interpolatedAp(ranked, positives) : Number.NaN,
    precision:
      truePositives + falsePositives > 0
        ? truePositives / (truePositives + falsePositives)
        : Number.NaN,
    recall: positives > 0 ? truePositives / positives : Number.NaN,
    truePositives,
    falsePositives,
    falseNegatives,
  };
}

/** Area under the monotone precision envelope of a ranked list of hits and misses. */
function interpolatedAp(ranked: readonly { hit: boolean }[], positives: number): number {
  const recalls: number[] = [];
  const precisions: number[] = [];
  let tp = 0;
  let fp = 0;
  for (const r of ranked) {
    if (r.hit) tp++;
    else fp++;
    recalls.push(tp / positives);
    precisions.push(tp / (tp + fp));
  }
  // Precision envelope from the right, then the sum over recall steps.
  const envelope = [...precisions, 0];
  for (let i = envelope.length - 2; i >= 0; i--) {
    envelope[i] = Math.max(envelope[i] ?? 0, envelope[i + 1] ?? 0);
  }
  let ap = 0;
  let previousRecall = 0;
  recalls.forEach((r, i) => {
    ap += (r - previousRecall) * (envelope[i] ?? 0);
    previousRecall = r;
  });
  return ap;
}

/**
 * |predicted − truth| / truth; 0 when both are 0, Infinity when only the truth is 0.
 * @throws ValidationError for negative or non-integer counts.
 */
export function countError(predicted: number, truth: number): number {
  for (const [name, v] of [
    ['predicted', predicted],
    ['truth', truth],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new ValidationError(
        `countError: ${name} must be a non-negative integer count, got ${v}`,
      );
    }
  }
  if (truth === 0) return predicted === 0 ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(predicted - truth) / truth;
}
