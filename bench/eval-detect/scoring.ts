/**
 * Scores detections against the held-out truths: per dataset and class, AP@0.5 (rotated IoU,
 * pooled over the dataset's images), precision and recall at an operating score, and per image
 * the count error. Pure: the runner feeds it what the CLI wrote.
 */
import type { Detection, OrientedBox } from '../../src/core/detect/detection.ts';
import {
  averagePrecisionOverImages,
  countError,
  type AveragePrecisionResult,
  type GroundTruth,
} from '../../src/core/detect/metrics.ts';
import { orientedBoxCorners } from '../../src/core/detect/rotated-iou.ts';
import { centreInRegion, type Region } from './labels.ts';

/** Classes merged into the class-agnostic `vehicle` row (fair to detectors without armour). */
export const VEHICLE_CLASSES: readonly string[] = [
  'small-vehicle',
  'large-vehicle',
  'armoured-vehicle',
];
export const ANY_VEHICLE = 'vehicle';

/** One scored image: its truths and, per detector, its detections (null when the run failed). */
export interface ScoredImage {
  readonly dataset: string;
  readonly name: string;
  readonly region: Region;
  readonly truths: readonly GroundTruth[];
  /**
   * True when the labels are axis-aligned boxes around possibly turned objects (YOLO labels):
   * predictions are then scored by their axis-aligned envelope, as DOTA's horizontal-box task
   * does, since a perfect oriented box of a diagonal car overlaps its axis-aligned label by
   * well under 0.5.
   */
  readonly axisAlignedTruths: boolean;
  readonly predictions: Readonly<Record<string, readonly Detection[] | null>>;
}

/** The axis-aligned box enclosing a box. */
export function axisAlignedEnvelope(box: OrientedBox): OrientedBox {
  const corners = orientedBoxCorners(box);
  const cols = corners.map((c) => c[0]);
  const rows = corners.map((c) => c[1]);
  const [c0, c1, r0, r1] = [
    Math.min(...cols),
    Math.max(...cols),
    Math.min(...rows),
    Math.max(...rows),
  ];
  return { cx: (c0 + c1) / 2, cy: (r0 + r1) / 2, width: c1 - c0, height: r1 - r0, angleRad: 0 };
}

/** The image's detections of a detector as scored: in the region, enveloped where labels are axis-aligned. */
function scoredPredictions(image: ScoredImage, detector: string): Detection[] | null {
  const found = image.predictions[detector];
  if (found == null) return null;
  const inRegion = restrictToRegion(found, image.region);
  return image.axisAlignedTruths
    ? inRegion.map((d) => ({ ...d, box: axisAlignedEnvelope(d.box) }))
    : inRegion;
}

export interface ClassScore extends AveragePrecisionResult {
  readonly truths: number;
  readonly images: number;
}

export interface ImageCount {
  readonly dataset: string;
  readonly name: string;
  readonly className: string;
  readonly truth: number;
  /** Per detector: detections at ≥ the operating score; null when the run failed or the class is not the detector's. */
  readonly predicted: Readonly<Record<string, number | null>>;
  readonly countError: Readonly<Record<string, number | null>>;
}

export interface Evaluation {
  /** dataset → class → detector → score (absent when the detector failed on every image or lacks the class). */
  readonly scores: Record<string, Record<string, Record<string, ClassScore>>>;
  readonly counts: ImageCount[];
}

/** Keeps what the region scores: detections and truths whose centre lies in it. */
export function restrictToRegion<T extends { readonly box: Detection['box'] }>(
  items: readonly T[],
  region: Region,
): T[] {
  return items.filter((item) => centreInRegion(item.box, region));
}

/** The same objects under the class-agnostic `vehicle` name; other classes dropped. */
export function asAnyVehicle<T extends { readonly className: string }>(items: readonly T[]): T[] {
  return items
    .filter((i) => VEHICLE_CLASSES.includes(i.className))
    .map((i) => ({ ...i, className: ANY_VEHICLE }));
}

/**
 * Scores every detector on every dataset for each class present in that dataset's truths,
 * plus `vehicle` (any vehicle class) where vehicles are labelled. AP uses all detections (the
 * CLI's --min-score floor); precision, recall and counts those scoring ≥ `operatingScore`.
 */
export function evaluate(
  images: readonly ScoredImage[],
  detectors: readonly string[],
  options: {
    readonly iouThreshold?: number;
    readonly operatingScore: number;
    /** Each detector's classes, when known: other classes are not scored for it. */
    readonly classesOf?: Readonly<Record<string, readonly string[] | undefined>>;
  },
): Evaluation {
  const covers = (detector: string, className: string): boolean => {
    const own = options.classesOf?.[detector];
    if (own === undefined) return true;
    return className === ANY_VEHICLE
      ? own.some((c) => VEHICLE_CLASSES.includes(c))
      : own.includes(className);
  };
  const iou = options.iouThreshold ?? 0.5;
  const scores: Evaluation['scores'] = {};
  const counts: ImageCount[] = [];
  const datasets = [...new Set(images.map((i) => i.dataset))];
  for (const dataset of datasets) {
    const ofDataset = images.filter((i) => i.dataset === dataset);
    const classes = [
      ...new Set(
        ofDataset.flatMap((i) => restrictToRegion(i.truths, i.region).map((t) => t.className)),
      ),
    ].sort();
    if (classes.some((c) => VEHICLE_CLASSES.includes(c))) classes.push(ANY_VEHICLE);
    const perClass: Record<string, Record<string, ClassScore>> = {};
    for (const className of classes) {
      const mapClass = <T extends { readonly className: string }>(items: readonly T[]): T[] =>
        className === ANY_VEHICLE
          ? asAnyVehicle(items)
          : items.filter((i) => i.className === className);
      perClass[className] = {};
      for (const detector of detectors) {
        const usable = ofDataset.filter((i) => i.predictions[detector] != null);
        if (usable.length === 0 || !covers(detector, className)) continue;
        const prepared = usable.map((i) => ({
          predictions: mapClass(scoredPredictions(i, detector) ?? []),
          truths: mapClass(restrictToRegion(i.truths, i.region)),
        }));
        const ranked = averagePrecisionOverImages(prepared, className, iou);
        const operating = averagePrecisionOverImages(
          prepared.map((p) => ({
            ...p,
            predictions: p.predictions.filter((d) => d.score >= options.operatingScore),
          })),
          className,
          iou,
        );
        perClass[className][detector] = {
          ap: ranked.ap,
          precision: operating.precision,
          recall: operating.recall,
          truePositives: operating.truePositives,
          falsePositives: operating.falsePositives,
          falseNegatives: operating.falseNegatives,
          truths: prepared.reduce((n, p) => n + p.truths.length, 0),
          images: usable.length,
        };
      }
      for (const image of ofDataset) {
        const truth = mapClass(restrictToRegion(image.truths, image.region)).length;
        if (truth === 0) continue;
        const predicted: Record<string, number | null> = {};
        const errors: Record<string, number | null> = {};
        for (const detector of detectors) {
          const found = scoredPredictions(image, detector);
          if (found === null || !covers(detector, className)) {
            predicted[detector] = null;
            errors[detector] = null;
            continue;
          }
          const n = mapClass(found).filter((d) => d.score >= options.operatingScore).length;
          predicted[detector] = n;
          errors[detector] = countError(n, truth);
        }
        counts.push({ dataset, name: image.name, className, truth, predicted, countError: errors });
      }
    }
    scores[dataset] = perClass;
  }
  return { scores, counts };
}
