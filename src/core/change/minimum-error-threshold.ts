/**
 * Kittler–Illingworth minimum-error threshold (Kittler & Illingworth 1986, "Minimum error
 * thresholding", Pattern Recognition 19(1)): the bin boundary t that minimises
 *
 *   J(t) = 1 + 2 [P₀ ln σ₀ + P₁ ln σ₁] − 2 [P₀ ln P₀ + P₁ ln P₁],
 *
 * the classification error of two Gaussian classes fitted by moments on either side of t.
 * Unlike Otsu (which assumes equal class variances and is pulled towards the larger class) it
 * handles a narrow, dominant no-change class next to a small, wide change class — the usual
 * shape of a change statistic on a log axis.
 */
import { ValidationError } from '../errors.ts';

/**
 * The minimum-error threshold of a histogram (moments of bin centres; class variances floored
 * at binWidth²/12, the resolution of the histogram, so a one-bin class does not win).
 * Where several boundaries tie, the lowest is taken.
 * @param histogram counts per bin (≥ 0).
 * @param binMin axis value of the lower edge of bin 0; `binWidth` the bin width (> 0).
 * @returns an axis value t: class "change" is axis ≥ t. Infinity when fewer than two bins are
 *   occupied (nothing to separate: no change).
 * @throws ValidationError when binWidth is not positive or a count is negative.
 */
export function minimumErrorThreshold(
  histogram: Float64Array,
  binMin: number,
  binWidth: number,
): number {
  if (!(binWidth > 0)) {
    throw new ValidationError(`minimumErrorThreshold: binWidth must be > 0, got ${binWidth}`);
  }
  let total = 0;
  let sum = 0;
  let squares = 0;
  let occupied = 0;
  // Moments in bin units (centre i + 0.5), scaled to the axis at the end: J is shift-invariant
  // and a scale only adds a constant.
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] ?? 0;
    if (!(count >= 0)) {
      throw new ValidationError(`minimumErrorThreshold: bin ${i} has count ${count}; expected ≥ 0`);
    }
    if (count > 0) occupied += 1;
    const x = i + 0.5;
    total += count;
    sum += count * x;
    squares += count * x * x;
  }
  if (occupied < 2) return Infinity;
  const minVariance = 1 / 12;
  let n0 = 0;
  let s0 = 0;
  let q0 = 0;
  let best = Infinity;
  let bestBin = -1;
  for (let k = 0; k < histogram.length - 1; k++) {
    const count = histogram[k] ?? 0;
    const x = k + 0.5;
    n0 += count;
    s0 += count * x;
    q0 += count * x * x;
    const n1 = total - n0;
    if (n0 <= 0 || n1 <= 0) continue;
    const p0 = n0 / total;
    const p1 = n1 / total;
    const m0 = s0 / n0;
    const m1 = (sum - s0) / n1;
    const v0 = Math.max(minVariance, q0 / n0 - m0 * m0);
    const v1 = Math.max(minVariance, (squares - q0) / n1 - m1 * m1);
    const j = p0 * Math.log(v0) + p1 * Math.log(v1) - 2 * (p0 * Math.log(p0) + p1 * Math.log(p1));
    if (j < best) {
      best = j;
      bestBin = k;
    }
  }
  if (bestBin < 0) return Infinity;
  return binMin + (bestBin + 1) * binWidth;
}
