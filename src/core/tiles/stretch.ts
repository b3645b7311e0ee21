/**
 * Per-band contrast stretch for display: a histogram of a band's valid samples, its percentiles,
 * and the linear map from [low, high] to bytes [0, 255].
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';

/** Bins of a display histogram: fine enough that a percentile is within 1/4096 of the range. */
export const HISTOGRAM_BINS = 4096;

/** A histogram of a band's valid samples over [min, max] in equal bins. */
export interface BandHistogram {
  readonly min: number;
  readonly max: number;
  readonly counts: Uint32Array;
  /** Valid samples counted. */
  readonly total: number;
}

/** A linear display stretch: `low` maps to 0, `high` to 255, values beyond are clipped. */
export interface BandStretch {
  readonly low: number;
  readonly high: number;
}

function isValid(value: number, nodata: number | null): boolean {
  return Number.isFinite(value) && value !== nodata;
}

/**
 * The histogram of the samples that are finite and not `nodata`.
 * An all-invalid band gives `total` 0 and min = max = 0.
 */
export function bandHistogram(
  samples: PixelArray,
  nodata: number | null,
  binCount: number = HISTOGRAM_BINS,
): BandHistogram {
  let min = Infinity;
  let max = -Infinity;
  for (const value of samples) {
    if (!isValid(value, nodata)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const counts = new Uint32Array(binCount);
  if (min > max) return { min: 0, max: 0, counts, total: 0 };
  const scale = max > min ? binCount / (max - min) : 0;
  let total = 0;
  for (const value of samples) {
    if (!isValid(value, nodata)) continue;
    const bin = Math.min(binCount - 1, Math.floor((value - min) * scale));
    counts[bin] = (counts[bin] ?? 0) + 1;
    total += 1;
  }
  return { min, max, counts, total };
}

/**
 * The value below which `percent` % of the histogram's samples lie, interpolated inside its bin.
 * @throws ValidationError when percent is outside [0, 100].
 */
export function histogramPercentile(histogram: BandHistogram, percent: number): number {
  if (!(percent >= 0 && percent <= 100)) {
    throw new ValidationError(`percentile ${percent} must be in [0, 100]`);
  }
  const { min, max, counts, total } = histogram;
  if (total === 0 || max === min) return min;
  const binWidth = (max - min) / counts.length;
  const target = (percent / 100) * total;
  let below = 0;
  for (let bin = 0; bin < counts.length; bin += 1) {
    const count = counts[bin] ?? 0;
    if (count > 0 && below + count >= target) {
      return min + (bin + (target - below) / count) * binWidth;
    }
    below += count;
  }
  return max;
}

/** The stretch from the `lowPercent` to the `highPercent` percentile of a histogram. */
export function percentileStretch(
  histogram: BandHistogram,
  lowPercent: number,
  highPercent: number,
): BandStretch {
  const low = histogramPercentile(histogram, lowPercent);
  const high = histogramPercentile(histogram, highPercent);
  // A flat band (or percentiles that meet) still needs a non-empty range to divide by.
  return { low, high: high > low ? high : low + 1 };
}

/** One sample through a stretch, as a byte (0 at or below `low`, 255 at or above `high`). */
export function stretchToByte(value: number, stretch: BandStretch): number {
  const scaled = ((value - stretch.low) / (stretch.high - stretch.low)) * 255;
  return scaled <= 0 ? 0 : scaled >= 255 ? 255 : Math.round(scaled);
}
