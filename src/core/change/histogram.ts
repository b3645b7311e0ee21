/**
 * Streaming histograms with fixed bins, fed window by window: the basis of automatic
 * thresholds (Otsu, mixture models) and of histogram matching. Bins are laid on an *axis*:
 * the value itself (`linear`) or its natural logarithm (`log`, for the chi-square statistic,
 * whose no-change and change populations are far apart on a log scale).
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';

export type HistogramScale = 'linear' | 'log';

/** A finished histogram: bin i covers axis values [axisMin + i·axisWidth, axisMin + (i+1)·axisWidth). */
export interface Histogram {
  /** Counts per bin (float64, so sums over billions of pixels stay exact to 2⁵³). */
  readonly counts: Float64Array;
  readonly scale: HistogramScale;
  readonly axisMin: number;
  readonly axisWidth: number;
  /** Values below the range (and ≤ 0 on a log scale), counted in bin 0. */
  readonly below: number;
  /** Values above the range, counted in the last bin. */
  readonly above: number;
  /** All counted values (NaN and masked values are not counted). */
  readonly total: number;
}

export interface HistogramOptions {
  readonly binCount: number;
  /** Lower end of the range in value units (> 0 for `log`). */
  readonly min: number;
  /** Upper end of the range in value units (> min). */
  readonly max: number;
  /** Default `linear`. */
  readonly scale?: HistogramScale;
}

export interface HistogramAccumulator {
  /**
   * Counts the values where `valid` (null: all) is non-zero; NaN is never counted.
   * @throws ValidationError when `valid` and `values` differ in length.
   */
  add(values: PixelArray, valid: Uint8Array | null): void;
  /**
   * Adds the counts of a histogram with the same bins (e.g. from another worker).
   * @throws ValidationError when the bins differ.
   */
  merge(other: Histogram): void;
  /** A copy of the histogram so far. */
  result(): Histogram;
}

/** Axis coordinate of a value (its log on a log scale; −Infinity for values ≤ 0 there). */
export function histogramValueToAxis(histogram: Pick<Histogram, 'scale'>, value: number): number {
  if (histogram.scale === 'linear') return value;
  return value > 0 ? Math.log(value) : -Infinity;
}

/** Value of an axis coordinate (exp on a log scale); infinities pass through. */
export function histogramAxisToValue(histogram: Pick<Histogram, 'scale'>, axis: number): number {
  return histogram.scale === 'linear' ? axis : Math.exp(axis);
}

/**
 * Creates a streaming histogram.
 * @throws ValidationError for a non-positive or non-integer bin count, an empty or non-finite
 *   range, or min ≤ 0 on a log scale.
 */
export function createHistogramAccumulator(options: HistogramOptions): HistogramAccumulator {
  const { binCount, min, max, scale = 'linear' } = options;
  if (!Number.isInteger(binCount) || binCount < 1 || binCount > 1 << 24) {
    throw new ValidationError(
      `histogram binCount must be an integer in [1, 2^24], got ${binCount}`,
    );
  }
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) {
    throw new ValidationError(
      `histogram range must be finite with max > min, got [${min}, ${max}]`,
    );
  }
  if (scale === 'log' && !(min > 0)) {
    throw new ValidationError(`log-scale histogram needs min > 0, got ${min}`);
  }
  const axisMin = scale === 'log' ? Math.log(min) : min;
  const axisMax = scale === 'log' ? Math.log(max) : max;
  const axisWidth = (axisMax - axisMin) / binCount;
  const counts = new Float64Array(binCount);
  let below = 0;
  let above = 0;
  let total = 0;
  const last = binCount - 1;
  const inverseWidth = 1 / axisWidth;
  const isLog = scale === 'log';
  return {
    add(values, valid) {
      if (valid !== null && valid.length !== values.length) {
        throw new ValidationError(
          `histogram add: valid has ${valid.length} elements, values ${values.length}`,
        );
      }
      const length = values.length;
      for (let p = 0; p < length; p++) {
        if (valid !== null && valid[p] === 0) continue;
        const value = values[p] ?? Number.NaN;
        if (value !== value) continue;
        total += 1;
        if (value < min || (isLog && value <= 0)) {
          below += 1;
          counts[0] = (counts[0] ?? 0) + 1;
          continue;
        }
        if (value > max) above += 1;
        const axis = isLog ? Math.log(value) : value;
        let bin = Math.floor((axis - axisMin) * inverseWidth);
        if (bin > last) bin = last;
        else if (bin < 0) bin = 0;
        counts[bin] = (counts[bin] ?? 0) + 1;
      }
    },
    merge(other) {
      if (
        other.counts.length !== binCount ||
        other.scale !== scale ||
        other.axisMin !== axisMin ||
        other.axisWidth !== axisWidth
      ) {
        throw new ValidationError('histogram merge: the other histogram has different bins');
      }
      for (let i = 0; i < binCount; i++) counts[i] = (counts[i] ?? 0) + (other.counts[i] ?? 0);
      below += other.below;
      above += other.above;
      total += other.total;
    },
    result: () => ({
      counts: Float64Array.from(counts),
      scale,
      axisMin,
      axisWidth,
      below,
      above,
      total,
    }),
  };
}
