/**
 * Errors of registration estimates against a known truth, and their summaries, for
 * bench/registration.bench.ts. Conventions as sitewatch's co-registration: (dx, dy) is the
 * shift that carries the moving image onto the reference, and `referenceToMoving` maps a
 * reference pixel (x, y) to the moving pixel showing the same ground,
 * reference(p) = moving(referenceToMoving(p)).
 */
import {
  applyAffine,
  cornerDisagreementPx,
  translationAffine,
  type AffineMatrix,
} from '../../src/core/coregister/affine.ts';

/** The truth of one generated pair. */
export interface PairTruth {
  readonly width: number;
  readonly height: number;
  readonly dx: number;
  readonly dy: number;
  readonly referenceToMoving: AffineMatrix;
}

/** One method's estimate on one pair; dx/dy null when it failed. */
export interface PairEstimate {
  readonly dx: number | null;
  readonly dy: number | null;
  /** Full map for affine-capable methods; null for translation-only ones. */
  readonly referenceToMoving: AffineMatrix | null;
  readonly seconds: number;
  readonly error: string | null;
}

/** Errors of one estimate, px; null when the estimate failed or is not finite. */
export interface PairErrors {
  /** |estimated − true| shift at the image centre. */
  readonly centrePx: number | null;
  /** Largest disagreement of the estimated and true maps at the four corner pixels. */
  readonly cornerPx: number | null;
}

/** Centre of the image in pixel coordinates (pixel centres at integers). */
function centreOf(truth: PairTruth): [number, number] {
  return [(truth.width - 1) / 2, (truth.height - 1) / 2];
}

/** The shift (dx, dy) at the image centre implied by a reference → moving map. */
export function centreShiftOf(
  referenceToMoving: AffineMatrix,
  width: number,
  height: number,
): [number, number] {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const [mx, my] = applyAffine(referenceToMoving, cx, cy);
  return [cx - mx, cy - my];
}

/** Errors of `estimate` against `truth`; a translation-only estimate counts as the map p ↦ p − d. */
export function pairErrors(truth: PairTruth, estimate: PairEstimate): PairErrors {
  const { dx, dy } = estimate;
  if (dx === null || dy === null || !Number.isFinite(dx) || !Number.isFinite(dy)) {
    return { centrePx: null, cornerPx: null };
  }
  const map = estimate.referenceToMoving ?? translationAffine(-dx, -dy);
  if (!map.every(Number.isFinite)) return { centrePx: null, cornerPx: null };
  const [cx, cy] = centreOf(truth);
  const [mx, my] = applyAffine(map, cx, cy);
  const [tx, ty] = applyAffine(truth.referenceToMoving, cx, cy);
  return {
    centrePx: Math.hypot(mx - tx, my - ty),
    cornerPx: cornerDisagreementPx(map, truth.referenceToMoving, truth.width, truth.height),
  };
}

/** Summary of errors over pairs: failures counted, statistics over the rest. */
export interface ErrorSummary {
  readonly pairs: number;
  readonly failed: number;
  readonly meanPx: number | null;
  readonly medianPx: number | null;
  readonly p90Px: number | null;
  readonly maxPx: number | null;
  /** Share of all pairs (failures included) with an error ≤ 0.05 px. */
  readonly within005: number;
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] ?? Number.NaN;
  const b = sorted[high] ?? Number.NaN;
  return a + (b - a) * (position - low);
}

/** Summarises errors (null = failed). */
export function summariseErrors(errors: readonly (number | null)[]): ErrorSummary {
  const ok = errors.filter((e): e is number => e !== null).sort((a, b) => a - b);
  const sum = ok.reduce((s, e) => s + e, 0);
  return {
    pairs: errors.length,
    failed: errors.length - ok.length,
    meanPx: ok.length > 0 ? sum / ok.length : null,
    medianPx: quantile(ok, 0.5),
    p90Px: quantile(ok, 0.9),
    maxPx: ok.length > 0 ? (ok[ok.length - 1] ?? null) : null,
    within005: errors.length > 0 ? ok.filter((e) => e <= 0.05).length / errors.length : 0,
  };
}
