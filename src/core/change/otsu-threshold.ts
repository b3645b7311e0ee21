/** Otsu's threshold on a histogram (between-class variance maximisation). */
import { ValidationError } from '../errors.ts';

/**
 * Otsu's threshold: the bin boundary maximising the between-class variance of the histogram.
 * Where several boundaries tie (empty bins between the classes) the middle one is taken.
 * @param histogram counts per bin.
 * @param binMin axis value of the lower edge of bin 0; `binWidth` the bin width (> 0).
 * @returns an axis value t: class "change" is axis ≥ t. Infinity when fewer than two bins are
 *   occupied (nothing to separate: no change).
 * @throws ValidationError when binWidth is not positive or a count is negative.
 */
export function otsuThreshold(histogram: Float64Array, binMin: number, binWidth: number): number {
  if (!(binWidth > 0))
    throw new ValidationError(`otsuThreshold: binWidth must be > 0, got ${binWidth}`);
  let total = 0;
  let totalSum = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] ?? 0;
    if (!(count >= 0)) {
      throw new ValidationError(`otsuThreshold: bin ${i} has count ${count}; expected ≥ 0`);
    }
    total += count;
    totalSum += count * (i + 0.5);
  }
  let weight0 = 0;
  let sum0 = 0;
  let best = -1;
  let bestStart = -1;
  let bestEnd = -1;
  for (let k = 0; k < histogram.length - 1; k++) {
    const count = histogram[k] ?? 0;
    weight0 += count;
    sum0 += count * (k + 0.5);
    const weight1 = total - weight0;
    if (weight0 === 0 || weight1 <= 0) continue;
    const difference = sum0 / weight0 - (totalSum - sum0) / weight1;
    const between = weight0 * weight1 * difference * difference;
    if (between > best) {
      best = between;
      bestStart = k;
      bestEnd = k;
    } else if (between === best && count === 0) {
      bestEnd = k;
    }
  }
  if (bestStart < 0 || !(best > 0)) return Infinity;
  return binMin + (Math.floor((bestStart + bestEnd) / 2) + 1) * binWidth;
}
