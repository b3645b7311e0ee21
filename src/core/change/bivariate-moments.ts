/**
 * Streaming means, variances and covariance of a pair of bands, in float64. Each window is
 * reduced with two passes (mean, then centred sums) and merged with the pairwise update of
 * Chan et al., so the result does not depend on how the image was split into windows (to
 * rounding) and does not lose precision on large offsets (uint16 radiance sums).
 */
import type { PixelArray } from '../raster/raster.ts';

/** Running moments of (x, y); `sxx`, `syy`, `sxy` are sums of centred products. */
export interface BivariateMoments {
  count: number;
  meanX: number;
  meanY: number;
  sxx: number;
  syy: number;
  sxy: number;
}

export function createBivariateMoments(): BivariateMoments {
  return { count: 0, meanX: 0, meanY: 0, sxx: 0, syy: 0, sxy: 0 };
}

/** Merges `part` into `into` (Chan et al. pairwise update). */
export function mergeBivariateMoments(into: BivariateMoments, part: BivariateMoments): void {
  if (part.count === 0) return;
  const count = into.count + part.count;
  const dx = part.meanX - into.meanX;
  const dy = part.meanY - into.meanY;
  const factor = (into.count * part.count) / count;
  into.sxx += part.sxx + dx * dx * factor;
  into.syy += part.syy + dy * dy * factor;
  into.sxy += part.sxy + dx * dy * factor;
  into.meanX += (dx * part.count) / count;
  into.meanY += (dy * part.count) / count;
  into.count = count;
}

/**
 * Moments of the pixels p with `mask[p] !== 0` of one window. `x`, `y` and `mask` have the
 * same length (checked by callers).
 */
export function windowBivariateMoments(
  x: PixelArray,
  y: PixelArray,
  mask: Uint8Array,
): BivariateMoments {
  const length = mask.length;
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  for (let p = 0; p < length; p++) {
    if (mask[p] === 0) continue;
    count += 1;
    sumX += x[p] ?? 0;
    sumY += y[p] ?? 0;
  }
  if (count === 0) return createBivariateMoments();
  const meanX = sumX / count;
  const meanY = sumY / count;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let p = 0; p < length; p++) {
    if (mask[p] === 0) continue;
    const dx = (x[p] ?? 0) - meanX;
    const dy = (y[p] ?? 0) - meanY;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return { count, meanX, meanY, sxx, syy, sxy };
}
