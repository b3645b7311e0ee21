/**
 * Change thresholds: automatic (Otsu, two-component mixture), statistical (chi-square change
 * probability) or fixed by the user; and applying one to a window.
 *
 * Which to use:
 * - `otsu` on the histogram of CVA magnitude (linear bins) or of IR-MAD Z (log bins): no
 *   model, robust, good when change covers more than a few per cent of the valid pixels;
 *   with very little change Otsu drifts into the no-change tail and over-detects.
 * - `mixture`: EM fit of two Gaussians on the histogram axis (log Z for IR-MAD, magnitude for
 *   CVA); threshold where the posteriors are equal. Handles unequal class sizes and spreads
 *   better than Otsu when each class is roughly Gaussian on that axis; falls back to Otsu
 *   when the fit does not separate two classes.
 * - `minimum-error` (Kittler–Illingworth): the boundary minimising the error of two Gaussian
 *   classes with their own variances; on a log axis it finds the upper edge of a narrow,
 *   dominant no-change population next to a small, wide change one, where Otsu (equal
 *   variances) is dragged far into the change class. Its global minimum can fall in the far
 *   tail of real, heavy-tailed statistics, so {@link hysteresisLevelsOf} only uses it to
 *   extend Otsu's detections (see `hysteresis.ts`).
 * - `chi-square-probability`: for IR-MAD Z only. Change where P_χ²(Z; n) ≥ p (e.g. 0.99).
 *   Needs no histogram and does not depend on how much changed, but assumes the no-change
 *   pixels follow χ²(n). They do not quite: the reweighting inflates Z of no-change pixels
 *   (see `MadOutput.chiSquare`), and spatially correlated noise or misregistration inflate it
 *   further, so this over-detects; prefer a high p or a histogram method.
 * - `fixed`: the user's own value on the statistic's scale, overriding all of the above.
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';
import { chiSquareQuantile } from './chi-square.ts';
import type { Histogram } from './histogram.ts';
import { histogramAxisToValue, histogramValueToAxis } from './histogram.ts';
import type { HysteresisLevels } from './hysteresis.ts';
import { minimumErrorThreshold } from './minimum-error-threshold.ts';
import { mixtureThreshold } from './mixture-threshold.ts';
import { otsuThreshold } from './otsu-threshold.ts';

export { chiSquareQuantile } from './chi-square.ts';
export { hysteresisMask, type HysteresisLevels } from './hysteresis.ts';
export { minimumErrorThreshold } from './minimum-error-threshold.ts';
export { mixtureThreshold } from './mixture-threshold.ts';
export type { MixtureComponent, MixtureFit } from './mixture-threshold.ts';
export { otsuThreshold } from './otsu-threshold.ts';

/** {@link otsuThreshold} of a {@link Histogram}, in value units. */
export function otsuThresholdOf(histogram: Histogram): number {
  const axis = otsuThreshold(histogram.counts, histogram.axisMin, histogram.axisWidth);
  return histogramAxisToValue(histogram, axis);
}

/** {@link minimumErrorThreshold} of a {@link Histogram}, in value units. */
export function minimumErrorThresholdOf(histogram: Histogram): number {
  const axis = minimumErrorThreshold(histogram.counts, histogram.axisMin, histogram.axisWidth);
  return histogramAxisToValue(histogram, axis);
}

/**
 * Otsu's threshold of the bins at or above `level` (value units): splits the values above a
 * lower level into weak and strong ones. Never below `level`; `level` itself when fewer than
 * two bins above it are occupied.
 */
export function otsuThresholdAbove(histogram: Histogram, level: number): number {
  if (!Number.isFinite(level)) return level;
  const { counts, axisMin, axisWidth } = histogram;
  const axis = histogramValueToAxis(histogram, level);
  const first = Math.min(counts.length, Math.max(0, Math.ceil((axis - axisMin) / axisWidth)));
  const otsu = otsuThreshold(counts.subarray(first), axisMin + first * axisWidth, axisWidth);
  return otsu === Infinity ? level : Math.max(level, histogramAxisToValue(histogram, otsu));
}

/** What {@link hysteresisLevelsOf} needs: histograms of the statistic and its no-change level. */
export interface HysteresisInputs {
  /** `irmad`: χ² Z; `cva`: the change-vector magnitude. */
  readonly statistic: 'irmad' | 'cva';
  /** Log-axis histogram of the valid values. */
  readonly log: Histogram;
  /** Linear-axis histogram of the valid values from 0 (used for `cva`). */
  readonly linear: Histogram;
  /**
   * The no-change quantile, value units: the level most no-change pixels stay under (e.g. the
   * statistic scaled so its median is the χ²(n) median, then its χ²(n) 0.99 quantile).
   */
  readonly noChangeLevel: number;
}

/**
 * The automatic hysteresis levels of `compare --method irmad|cva` (see `hysteresis.ts`); both
 * Infinity when nothing can be separated.
 * - IR-MAD: Z's no-change and change populations lie far apart on a log axis, so `grow` is
 *   Otsu's threshold of log Z, never below the no-change level (which alone over-detects: the
 *   χ² model's tail is too light for real residuals); `seed` is Otsu's threshold of the values
 *   above `grow`, so a region must hold a strong response.
 * - CVA: `seed` is Otsu's threshold of the magnitude (linear axis: the strong, certain change);
 *   `grow` extends it down to the upper edge of the no-change population, the
 *   Kittler–Illingworth minimum-error threshold of log magnitude, never below the no-change
 *   level and never above `seed`: the faint parts of a change next to its strong core are kept.
 *   Every region Otsu's threshold alone finds is kept, grown.
 */
export function hysteresisLevelsOf(inputs: HysteresisInputs): HysteresisLevels {
  const { log, linear, noChangeLevel } = inputs;
  if (inputs.statistic === 'irmad') {
    const grow = Math.max(otsuThresholdOf(log), noChangeLevel);
    return { grow, seed: otsuThresholdAbove(log, grow) };
  }
  const seed = otsuThresholdOf(linear);
  if (seed === Infinity) return { grow: Infinity, seed: Infinity };
  const edge = Math.max(minimumErrorThresholdOf(log), noChangeLevel);
  return { grow: Math.min(seed, edge), seed };
}

/**
 * The Z above which P_χ²(Z; k) ≥ p, i.e. the change probability is at least p.
 * @throws ValidationError when p is outside [0, 1] or k ≤ 0.
 */
export function chiSquareProbabilityThreshold(p: number, k: number): number {
  return chiSquareQuantile(p, k);
}

/** How to choose the threshold; `fixed` is the user's override. */
export type ThresholdMethod =
  | { readonly kind: 'otsu' }
  | { readonly kind: 'mixture' }
  | { readonly kind: 'minimum-error' }
  | { readonly kind: 'chi-square-probability'; readonly probability: number }
  | { readonly kind: 'fixed'; readonly value: number };

/**
 * Resolves a threshold in value units (change: value ≥ threshold).
 * @param histogram of the statistic (not needed for `fixed` and `chi-square-probability`).
 * @param degreesOfFreedom band count n, for `chi-square-probability`.
 * @throws ValidationError when a needed histogram or degree count is missing, or a value is
 *   out of range.
 */
export function resolveThreshold(
  method: ThresholdMethod,
  histogram: Histogram | null,
  degreesOfFreedom: number | null = null,
): number {
  switch (method.kind) {
    case 'fixed':
      if (Number.isNaN(method.value)) throw new ValidationError('fixed threshold is NaN');
      return method.value;
    case 'chi-square-probability':
      if (degreesOfFreedom === null) {
        throw new ValidationError('chi-square-probability threshold needs the band count');
      }
      return chiSquareProbabilityThreshold(method.probability, degreesOfFreedom);
    case 'otsu':
    case 'mixture':
    case 'minimum-error': {
      if (histogram === null)
        throw new ValidationError(`${method.kind} threshold needs a histogram`);
      if (method.kind === 'otsu') return otsuThresholdOf(histogram);
      if (method.kind === 'minimum-error') return minimumErrorThresholdOf(histogram);
      const fit = mixtureThreshold(histogram.counts, histogram.axisMin, histogram.axisWidth);
      return histogramAxisToValue(histogram, fit.threshold);
    }
  }
}

/**
 * Writes the change mask of a window: 1 where valid and value ≥ threshold, else 0 (NaN and
 * invalid pixels are never change).
 * @returns the number of change pixels.
 * @throws ValidationError when lengths differ.
 */
export function applyThreshold(
  values: PixelArray,
  valid: Uint8Array | null,
  threshold: number,
  out: Uint8Array,
): number {
  const length = values.length;
  if (out.length !== length || (valid !== null && valid.length !== length)) {
    throw new ValidationError(`applyThreshold: values, valid and out must have ${length} elements`);
  }
  let changed = 0;
  for (let p = 0; p < length; p++) {
    const value = values[p] ?? Number.NaN;
    const isChange = (valid === null || valid[p] !== 0) && value >= threshold ? 1 : 0;
    out[p] = isChange;
    changed += isChange;
  }
  return changed;
}
