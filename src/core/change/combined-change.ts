/**
 * The default change decision (see {@link DEFAULT_CHANGE_CONFIG}): on a full grid, change
 * where the neighbourhood mean of the standardised CVA mean square exceeds an absolute level
 * (the change is larger than the scene's own variability), or where the neighbourhood mean
 * of the IR-MAD χ² exceeds a robust χ² quantile (the no-change model rejects it). Returns the
 * raw mask; the caller then applies openMask, closeMask and removeSmallComponents.
 *
 * Memory: {@link combinedChangeMask} copies both input planes; {@link combinedChangeInPlace}
 * works in them. Either adds one Float32 plane and the neighbourhood mean's two float64 work
 * planes. On strips, the halo is the neighbourhood radius
 * in pixels (plus the morphology radius for the steps after); the χ² median must then come
 * from the whole smoothed grid (e.g. a histogram), not one strip.
 */
import { ValidationError } from '../errors.ts';
import { chiSquareQuantile } from './chi-square.ts';
import type { CombinedChangeConfig } from './defaults.ts';
import { neighbourhoodMean, neighbourhoodRadiusPx } from './neighbourhood.ts';

export interface CombinedChangeInput {
  /** CVA magnitude with per-image standardisation (NaN where not valid). */
  readonly cvaMagnitude: Float32Array;
  /** IR-MAD χ² (Σ standardised MAD²), NaN where not valid. */
  readonly chiSquare: Float32Array;
  /** 1 where both dates hold data. */
  readonly valid: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly bandCount: number;
  readonly gsdMeters: number;
}

export interface CombinedChangeResult {
  /** 0/1, before morphology and the minimum mapping unit. */
  readonly mask: Uint8Array;
  readonly radiusPx: number;
  /** The χ² level (after smoothing) above which IR-MAD called change. */
  readonly chiSquareThreshold: number;
}

/**
 * Applies the combined rule to full-grid statistics, leaving the inputs untouched.
 * @throws ValidationError when sizes disagree or the band count is not a positive integer.
 */
export function combinedChangeMask(
  input: CombinedChangeInput,
  config: CombinedChangeConfig,
): CombinedChangeResult {
  return combinedChangeInPlace(
    { ...input, cvaMagnitude: input.cvaMagnitude.slice(), chiSquare: input.chiSquare.slice() },
    config,
  );
}

/**
 * {@link combinedChangeMask} in the caller's planes, for full grids too large to copy: the
 * smoothed CVA mean square ends in `cvaMagnitude`, and `chiSquare` is overwritten (it holds the
 * sorted χ² values for the median, then NaN). Besides the mask, one Float32 plane is allocated,
 * and one neighbourhood mean's two Float64 work planes at a time.
 * @throws ValidationError when sizes disagree or the band count is not a positive integer.
 */
export function combinedChangeInPlace(
  input: CombinedChangeInput,
  config: CombinedChangeConfig,
): CombinedChangeResult {
  const { cvaMagnitude, chiSquare, valid, width, height, bandCount, gsdMeters } = input;
  const length = width * height;
  if (cvaMagnitude.length !== length || chiSquare.length !== length || valid.length !== length) {
    throw new ValidationError(
      `combined change: expected ${width}×${height} statistics and valid flags, got ${cvaMagnitude.length}, ${chiSquare.length} and ${valid.length}`,
    );
  }
  if (!Number.isInteger(bandCount) || bandCount < 1) {
    throw new ValidationError(`combined change: band count must be ≥ 1, got ${bandCount}`);
  }
  const radiusPx = neighbourhoodRadiusPx(config.neighbourhoodRadiusMeters, gsdMeters);
  const work = new Float32Array(length);
  for (let p = 0; p < length; p += 1) {
    const m = cvaMagnitude[p] ?? Number.NaN;
    work[p] = (m * m) / bandCount;
  }
  const cva = neighbourhoodMean(work, valid, width, height, radiusPx, cvaMagnitude);
  const chi = neighbourhoodMean(chiSquare, valid, width, height, radiusPx, work);
  // The median of the valid smoothed χ², sorted in the (now free) χ² plane.
  let n = 0;
  for (let p = 0; p < length; p += 1) {
    const v = chi[p] ?? Number.NaN;
    if (valid[p] !== 0 && Number.isFinite(v)) chiSquare[n++] = v;
  }
  const median = n === 0 ? 0 : (chiSquare.subarray(0, n).sort()[n >> 1] ?? 0);
  chiSquare.fill(Number.NaN);
  const chiSquareThreshold =
    median > 0
      ? median *
        (chiSquareQuantile(config.irmadRobustProbability, bandCount) /
          chiSquareQuantile(0.5, bandCount))
      : Infinity;
  const mask = new Uint8Array(length);
  for (let p = 0; p < length; p += 1) {
    if (valid[p] === 0) continue;
    const c = cva[p] ?? Number.NaN;
    const z = chi[p] ?? Number.NaN;
    mask[p] = c >= config.cvaMeanSquareThreshold || z >= chiSquareThreshold ? 1 : 0;
  }
  return { mask, radiusPx, chiSquareThreshold };
}
