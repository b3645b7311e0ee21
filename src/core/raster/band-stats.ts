/**
 * Streaming per-band statistics: fed window by window, so memory stays bounded by the window.
 * Uses Welford's online algorithm (merged per chunk, after Chan et al.) in float64.
 */
import { ValidationError } from '../errors.ts';
import type { BandStats } from '../imagery/image.ts';
import type { PixelArray } from './raster.ts';

/** Accumulates statistics for `bandCount` bands over samples that are not nodata. */
export interface BandStatsAccumulator {
  /**
   * Adds samples of one band (any window, any order). NaN always counts as nodata.
   * @throws ValidationError when `bandIndex` is outside [0, bandCount).
   */
  add(bandIndex: number, samples: PixelArray): void;
  /**
   * Statistics per band so far; stdDev is the population standard deviation. A band without
   * valid samples reports validCount 0 and zeros elsewhere (zeros, not NaN, so that records stay
   * valid JSON).
   */
  result(): BandStats[];
}

interface Running {
  count: number;
  mean: number;
  /** Sum of squared differences from the mean. */
  m2: number;
  min: number;
  max: number;
}

function chunkStats(samples: PixelArray, nodata: number | null): Running {
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of samples) {
    if (value !== value || value === nodata) continue;
    count += 1;
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (count === 0) return { count, mean: 0, m2: 0, min, max };
  const mean = sum / count;
  let m2 = 0;
  for (const value of samples) {
    if (value !== value || value === nodata) continue;
    const delta = value - mean;
    m2 += delta * delta;
  }
  return { count, mean, m2, min, max };
}

function merge(into: Running, chunk: Running): void {
  if (chunk.count === 0) return;
  const count = into.count + chunk.count;
  const delta = chunk.mean - into.mean;
  into.mean += (delta * chunk.count) / count;
  into.m2 += chunk.m2 + (delta * delta * into.count * chunk.count) / count;
  into.count = count;
  if (chunk.min < into.min) into.min = chunk.min;
  if (chunk.max > into.max) into.max = chunk.max;
}

/**
 * Creates an accumulator for `bandCount` bands.
 * @param nodata value excluded from the statistics (null: none; NaN is always excluded).
 * @throws ValidationError when bandCount is not a non-negative integer.
 */
export function createBandStatsAccumulator(
  bandCount: number,
  nodata: number | null,
): BandStatsAccumulator {
  if (!Number.isInteger(bandCount) || bandCount < 0) {
    throw new ValidationError(`bandCount must be a non-negative integer, got ${bandCount}`);
  }
  const bands: Running[] = Array.from({ length: bandCount }, () => ({
    count: 0,
    mean: 0,
    m2: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
  }));
  const effectiveNodata = nodata !== null && Number.isNaN(nodata) ? null : nodata;
  return {
    add(bandIndex, samples) {
      const running = bands[bandIndex];
      if (running === undefined) {
        throw new ValidationError(`band index ${bandIndex} is outside [0, ${bandCount})`);
      }
      merge(running, chunkStats(samples, effectiveNodata));
    },
    result() {
      return bands.map((b) =>
        b.count === 0
          ? { min: 0, max: 0, mean: 0, stdDev: 0, validCount: 0 }
          : {
              min: b.min,
              max: b.max,
              mean: b.mean,
              stdDev: Math.sqrt(b.m2 / b.count),
              validCount: b.count,
            },
      );
    },
  };
}
