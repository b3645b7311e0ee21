/**
 * The `combined` change map of `sitewatch compare`: the default rule of
 * `core/change/defaults.ts` (measured in bench/eval-change as `sitewatch-default`) applied to
 * the full-grid statistics of a co-registered pair: change where the neighbourhood mean of
 * the per-image-standardised CVA mean square reaches an absolute level, or where the
 * neighbourhood mean of the IR-MAD χ² exceeds a robust χ² quantile; then opening and closing
 * (radius `morphologyRadiusPx`), back inside the valid pixels, and the minimum mapping unit.
 *
 * The magnitude written for `combined` is the neighbourhood mean of the CVA mean square
 * divided by its level (`cvaMeanSquareThreshold`): ≥ 1 where the CVA branch calls change.
 *
 * Pixel-only grids (no GSD) use no neighbourhood (radius 0): a radius in metres has no size
 * in pixels there.
 *
 * One guard the benchmark never meets: when B is a linear function of A (e.g. an image
 * compared with itself), IR-MAD's χ² holds only rounding noise (median ~1e-19 instead of
 * ~χ²(n)'s), which the rule's robust scaling would blow up into change. When the χ² median is
 * below {@link DEGENERATE_CHI_SQUARE_FRACTION} of the χ²(n) median, the IR-MAD branch calls
 * nothing (its level is reported as Infinity) and the CVA branch alone decides.
 *
 * Memory: the two input planes (reused: the CVA plane becomes the magnitude, the χ² plane a
 * work plane), plus while the rule runs one Float32 plane and two Float64 work planes, then
 * the Uint8 masks (see {@link combinedChangeInPlace}).
 */
import { chiSquareQuantile } from '../../core/change/chi-square.ts';
import { combinedChangeInPlace } from '../../core/change/combined-change.ts';
import type { CombinedChangeConfig } from '../../core/change/defaults.ts';
import { ValidationError } from '../../core/errors.ts';
import { removeSmallComponents } from '../../core/raster/connected-components.ts';
import { closeMask, openMask } from '../../core/raster/morphology.ts';

/** χ² median (after smoothing) below this fraction of the χ²(n) median: IR-MAD is degenerate. */
export const DEGENERATE_CHI_SQUARE_FRACTION = 1e-6;

export interface CombinedStatistics {
  /** CVA magnitude, per-image standardisation, NaN where not valid; becomes the magnitude. */
  readonly cvaMagnitude: Float32Array;
  /** IR-MAD χ², NaN where not valid; overwritten (used as a work plane). */
  readonly chiSquare: Float32Array;
  /** 1 where both images hold data. */
  readonly valid: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly bandCount: number;
  /** Grid pixel size; null for pixel-only grids (no neighbourhood then). */
  readonly gsdMeters: number | null;
}

export interface CombinedChangeMap {
  /** The cleaned 0/1 mask (0 where not valid). */
  readonly mask: Uint8Array;
  /** Smoothed CVA mean square / cvaMeanSquareThreshold, NaN where not valid (the CVA plane). */
  readonly magnitude: Float32Array;
  /** Neighbourhood radius, px. */
  readonly neighbourhoodRadiusPx: number;
  /**
   * The smoothed χ² level above which IR-MAD called change; Infinity when the χ² median is 0
   * or degenerate (see {@link DEGENERATE_CHI_SQUARE_FRACTION}).
   */
  readonly chiSquareThreshold: number;
}

/** The rule's configuration and GSD for a grid: radius 0 on pixel-only grids. */
export function combinedGridConfig(
  config: CombinedChangeConfig,
  gsdMeters: number | null,
): { readonly config: CombinedChangeConfig; readonly gsdMeters: number } {
  return gsdMeters === null
    ? { config: { ...config, neighbourhoodRadiusMeters: 0 }, gsdMeters: 1 }
    : { config, gsdMeters };
}

/**
 * The cleaned combined change mask and its magnitude.
 * @param minPixels components (8-connected) smaller than this are dropped.
 * @throws ValidationError when the planes disagree with the grid size.
 */
export function combinedChangeMap(
  statistics: CombinedStatistics,
  config: CombinedChangeConfig,
  minPixels: number,
): CombinedChangeMap {
  const { cvaMagnitude, chiSquare, valid, width, height, bandCount } = statistics;
  if (!(config.cvaMeanSquareThreshold > 0)) {
    throw new ValidationError(
      `combined: the CVA mean-square level must be > 0, got ${config.cvaMeanSquareThreshold}`,
    );
  }
  const grid = combinedGridConfig(config, statistics.gsdMeters);
  const result = combinedChangeInPlace(
    { cvaMagnitude, chiSquare, valid, width, height, bandCount, gsdMeters: grid.gsdMeters },
    grid.config,
  );
  // The magnitude: the smoothed CVA mean square the rule thresholded (now in the CVA plane).
  const magnitude = cvaMagnitude;
  const level = config.cvaMeanSquareThreshold;
  let mask = result.mask;
  let chiSquareThreshold = result.chiSquareThreshold;
  const degenerate =
    chiSquareThreshold <
    DEGENERATE_CHI_SQUARE_FRACTION * chiSquareQuantile(config.irmadRobustProbability, bandCount);
  if (degenerate) {
    // The CVA branch alone, on the same smoothed plane the rule compared with its level.
    for (let p = 0; p < mask.length; p += 1) {
      mask[p] = valid[p] !== 0 && (magnitude[p] ?? Number.NaN) >= level ? 1 : 0;
    }
    chiSquareThreshold = Number.POSITIVE_INFINITY;
  }
  for (let p = 0; p < magnitude.length; p += 1) magnitude[p] = (magnitude[p] ?? Number.NaN) / level;
  if (config.morphologyRadiusPx > 0) {
    const element = { shape: 'square', radius: config.morphologyRadiusPx } as const;
    mask = closeMask(openMask(mask, width, height, element), width, height, element);
    for (let p = 0; p < mask.length; p += 1) mask[p] = (mask[p] ?? 0) & (valid[p] ?? 0);
  }
  return {
    mask: removeSmallComponents(mask, width, height, minPixels).mask,
    magnitude,
    neighbourhoodRadiusPx: result.radiusPx,
    chiSquareThreshold,
  };
}
