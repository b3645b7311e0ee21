/**
 * The default change decision (see {@link DEFAULT_CHANGE_CONFIG}): on a full grid, change
 * where the neighbourhood mean of the standardised CVA mean square exceeds an absolute level
 * (the change is larger than the scene's own variability), or where the neighbourhood mean
 * of the IR-MAD χ² exceeds a robust χ² quantile (the no-change model rejects it). Returns the
 * raw mask; the caller then applies openMask, closeMask and removeSmallComponents.
 *
 * Memory: two Float32 planes (the smoothed statistics) and the neighbourhood mean's two
 * float64 work planes, on top of the inputs. On strips, the halo is the neighbourhood radius
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

/** Median of the valid finite values (0 when none). */
function medianOf(values: Float32Array, valid: Uint8Array): number {
  let n = 0;
  const kept = new Float32Array(values.length);
  for (let p = 0; p < values.length; p++) {
    const v = values[p] ?? Number.NaN;
    if (valid[p] !== 0 && Number.isFinite(v)) kept[n++] = v;
  }
  if (n === 0) return 0;
  const sorted = kept.subarray(0, n).sort();
  return sorted[n >> 1] ?? 0;
}

/**
 * Applies the combined rule to full-grid statistics.
 * @throws ValidationError when sizes disagree or the band count is not a positive integer.
 */
export function combinedChangeMask(
  input: CombinedChangeInput,
  config: CombinedChangeConfig,
): CombinedChangeResult {
  const { cvaMagnitude, chiSquare, valid, width, height, bandCount, gsdMeters } = input;
  const length = width * height;
  if (cvaMagnitude.length !== length || chiSquare.length !== length || valid.length !== length) {
    throw new ValidationError(
      `combinedChangeMask: expected ${width}×${height} statistics and valid flags`,
    );
  }
  if (!Number.isInteger(bandCount) || bandCount < 1) {
    throw new ValidationError(`combinedChangeMask: band count must be ≥ 1, got ${bandCount}`);
  }
  const radiusPx = neighbourhoodRadiusPx(config.neighbourhoodRadiusMeters, gsdMeters);
  const meanSquare = new Float32Array(length);
  for (let p = 0; p < length; p++) {
    const m = cvaMagnitude[p] ?? Number.NaN;
    meanSquare[p] = (m * m) / bandCount;
  }
  const cva = neighbourhoodMean(meanSquare, valid, width, height, radiusPx);
  const chi = neighbourhoodMean(chiSquare, valid, width, height, radiusPx);
  const median = medianOf(chi, valid);
  const chiSquareThreshold =
    median > 0
      ? median *
        (chiSquareQuantile(config.irmadRobustProbability, bandCount) /
          chiSquareQuantile(0.5, bandCount))
      : Infinity;
  const mask = new Uint8Array(length);
  for (let p = 0; p < length; p++) {
    if (valid[p] === 0) continue;
    const c = cva[p] ?? Number.NaN;
    const z = chi[p] ?? Number.NaN;
    mask[p] = c >= config.cvaMeanSquareThreshold || z >= chiSquareThreshold ? 1 : 0;
  }
  return { mask, radiusPx, chiSquareThreshold };
}
