/**
 * Histogram matching of one band of B to the same band of A, from two streaming histograms
 * (see `histogram.ts`): each value of B is sent to the value of A at the same quantile.
 * Non-parametric, so it also corrects non-linear radiometric differences, but it assumes both
 * dates hold the same mixture of surfaces: real change shifts the mapping. Prefer the
 * invariant-pixel regression of `normalise.ts` when IR-MAD is run anyway.
 * Within a bin values are taken as spread uniformly on the histogram axis, so the mapping is
 * piecewise linear and monotone.
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';
import type { Histogram } from './histogram.ts';
import { histogramAxisToValue, histogramValueToAxis } from './histogram.ts';

/** A monotone piecewise-linear map from B's values to A's, knotted at B's bin edges. */
export interface HistogramMatch {
  /** B's histogram axis (the knots are at axisMin + i · axisWidth, i = 0 … binCount). */
  readonly source: Pick<Histogram, 'scale' | 'axisMin' | 'axisWidth'>;
  /** A's value (value units) at each knot; length binCount + 1. */
  readonly knots: Float64Array;
}

function cumulative(counts: Float64Array): Float64Array {
  const out = new Float64Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) out[i + 1] = (out[i] ?? 0) + (counts[i] ?? 0);
  return out;
}

/** Smallest edge index e with cumulative[e] ≥ target (cumulative is non-decreasing). */
function firstAtLeast(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((cumulative[middle] ?? 0) >= target) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Largest edge index e with cumulative[e] ≤ target. */
function lastAtMost(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((cumulative[middle] ?? 0) <= target) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Axis positions where the reference's piecewise-linear CDF reaches `target`: the first and
 * the last (they differ where the CDF is flat, i.e. over empty bins).
 */
function inverseRange(
  reference: Histogram,
  cumulative: Float64Array,
  target: number,
): [number, number] {
  const last = cumulative.length - 1;
  const edge = (e: number) => reference.axisMin + e * reference.axisWidth;
  const first = firstAtLeast(cumulative, target);
  let low = edge(first);
  if (first > 0) {
    const below = cumulative[first - 1] ?? 0;
    low =
      edge(first - 1) +
      ((target - below) / ((cumulative[first] ?? 0) - below)) * reference.axisWidth;
  }
  const final = lastAtMost(cumulative, target);
  let high = edge(final);
  if (final < last) {
    const at = cumulative[final] ?? 0;
    high =
      edge(final) + ((target - at) / ((cumulative[final + 1] ?? 0) - at)) * reference.axisWidth;
  }
  return [low, high];
}

/**
 * Builds the map sending B's quantiles to A's. Where a quantile level is reached over a range
 * of A's values (empty bins of A), a knot closing a run of B's values takes the start of that
 * range and a knot opening one takes its end, so matching a band to itself is the identity.
 * @param reference histogram of A's band; `source` histogram of B's band (any bins each).
 * @throws ValidationError when either histogram is empty.
 */
export function createHistogramMatch(reference: Histogram, source: Histogram): HistogramMatch {
  const referenceCumulative = cumulative(reference.counts);
  const sourceCumulative = cumulative(source.counts);
  const bins = source.counts.length;
  const referenceTotal = referenceCumulative[reference.counts.length] ?? 0;
  const sourceTotal = sourceCumulative[bins] ?? 0;
  if (!(referenceTotal > 0) || !(sourceTotal > 0)) {
    throw new ValidationError(
      `histogram matching needs non-empty histograms, got ${referenceTotal} reference and ${sourceTotal} source values`,
    );
  }
  const knots = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) {
    const target = ((sourceCumulative[i] ?? 0) / sourceTotal) * referenceTotal;
    const [low, high] = inverseRange(reference, referenceCumulative, target);
    const closesRun = i > 0 && (source.counts[i - 1] ?? 0) > 0;
    const opensRun = i < bins && (source.counts[i] ?? 0) > 0;
    const axis = closesRun === opensRun ? 0.5 * (low + high) : closesRun ? low : high;
    knots[i] = histogramAxisToValue(reference, axis);
  }
  return {
    source: { scale: source.scale, axisMin: source.axisMin, axisWidth: source.axisWidth },
    knots,
  };
}

/**
 * Maps one band of B through the match (float32 out; values outside B's histogram range are
 * clamped to the end knots). Nodata and NaN stay NaN.
 * @throws ValidationError when `out` has the wrong length.
 */
export function applyHistogramMatch(
  band: PixelArray,
  match: HistogramMatch,
  options: { readonly nodata?: number | null; readonly out?: Float32Array } = {},
): Float32Array {
  const out = options.out ?? new Float32Array(band.length);
  if (out.length !== band.length) {
    throw new ValidationError(
      `applyHistogramMatch: out has ${out.length} elements, band ${band.length}`,
    );
  }
  const nodata = options.nodata ?? null;
  const { knots, source } = match;
  const segments = knots.length - 1;
  const inverseWidth = 1 / source.axisWidth;
  const length = band.length;
  for (let p = 0; p < length; p++) {
    const value = band[p] ?? Number.NaN;
    if (value !== value || value === nodata) {
      out[p] = Number.NaN;
      continue;
    }
    const axis = source.scale === 'linear' ? value : histogramValueToAxis(source, value);
    let position = (axis - source.axisMin) * inverseWidth;
    if (!(position > 0)) position = 0;
    else if (position > segments) position = segments;
    const index = Math.min(segments - 1, Math.floor(position));
    const fraction = position - index;
    const low = knots[index] ?? 0;
    out[p] = low + fraction * ((knots[index + 1] ?? low) - low);
  }
  return out;
}
