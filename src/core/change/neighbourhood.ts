/**
 * Spatial context for a per-pixel change statistic: the mean over a square neighbourhood whose
 * size is set in metres on the ground (so one parameter serves every GSD), counting only valid,
 * finite pixels. Separable running sums: O(1) per pixel whatever the radius.
 *
 * Memory: the full-grid form holds the input, the output and two float64 work planes. To run
 * on strips, give each strip a halo of `radiusPx` rows above and below (the rows within the
 * radius of the strip), then keep only the strip's own rows of the result.
 */
import { ValidationError } from '../errors.ts';

/**
 * The radius in pixels of a neighbourhood `radiusMeters` wide on the ground at `gsdMeters`
 * per pixel: round(radiusMeters / gsdMeters), so 0 when the pixel is coarser than twice the
 * radius.
 * @throws ValidationError for a negative or non-finite radius or a non-positive GSD.
 */
export function neighbourhoodRadiusPx(radiusMeters: number, gsdMeters: number): number {
  if (!(radiusMeters >= 0) || !Number.isFinite(radiusMeters)) {
    throw new ValidationError(`radius must be a finite number of metres ≥ 0, got ${radiusMeters}`);
  }
  if (!(gsdMeters > 0) || !Number.isFinite(gsdMeters)) {
    throw new ValidationError(`GSD must be a finite number of metres > 0, got ${gsdMeters}`);
  }
  return Math.round(radiusMeters / gsdMeters);
}

/**
 * Mean of `values` over the (2r + 1)² square around each pixel, over valid (valid ≠ 0, or all
 * when `valid` is null) and finite pixels only. Invalid pixels, and pixels with no valid
 * neighbour, are NaN in the result. Radius 0 copies the valid values.
 * @param out optional result array (width × height); may not be `values`.
 * @throws ValidationError when sizes disagree or the radius is not an integer ≥ 0.
 */
export function neighbourhoodMean(
  values: Float32Array,
  valid: Uint8Array | null,
  width: number,
  height: number,
  radiusPx: number,
  out: Float32Array = new Float32Array(values.length),
): Float32Array {
  const length = width * height;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    values.length !== length ||
    out.length !== length ||
    (valid !== null && valid.length !== length)
  ) {
    throw new ValidationError(
      `neighbourhoodMean: expected ${width}×${height} values, valid flags and output, got ${values.length}`,
    );
  }
  if (!Number.isInteger(radiusPx) || radiusPx < 0) {
    throw new ValidationError(
      `neighbourhoodMean: radius must be an integer ≥ 0 px, got ${radiusPx}`,
    );
  }
  if (out === values) throw new ValidationError('neighbourhoodMean: out must not be the input');
  const sums = new Float64Array(length);
  const counts = new Float64Array(length);
  for (let p = 0; p < length; p++) {
    const v = values[p] ?? Number.NaN;
    if ((valid === null || valid[p] !== 0) && Number.isFinite(v)) {
      sums[p] = v;
      counts[p] = 1;
    }
  }
  if (radiusPx > 0) {
    windowSums(sums, counts, width, height, radiusPx, 1, width);
    windowSums(sums, counts, height, width, radiusPx, width, 1);
  }
  for (let p = 0; p < length; p++) {
    const count = counts[p] ?? 0;
    out[p] = (valid === null || valid[p] !== 0) && count > 0 ? (sums[p] ?? 0) / count : Number.NaN;
  }
  return out;
}

/** In place: windowed sums along `lines` lines of `length` samples (stride `step`). */
function windowSums(
  sums: Float64Array,
  counts: Float64Array,
  length: number,
  lines: number,
  radius: number,
  step: number,
  lineStride: number,
): void {
  const prefixSums = new Float64Array(length + 1);
  const prefixCounts = new Float64Array(length + 1);
  for (let line = 0; line < lines; line++) {
    const base = line * lineStride;
    for (let i = 0; i < length; i++) {
      prefixSums[i + 1] = (prefixSums[i] ?? 0) + (sums[base + i * step] ?? 0);
      prefixCounts[i + 1] = (prefixCounts[i] ?? 0) + (counts[base + i * step] ?? 0);
    }
    for (let i = 0; i < length; i++) {
      const lo = Math.max(0, i - radius);
      const hi = Math.min(length, i + radius + 1);
      sums[base + i * step] = (prefixSums[hi] ?? 0) - (prefixSums[lo] ?? 0);
      counts[base + i * step] = (prefixCounts[hi] ?? 0) - (prefixCounts[lo] ?? 0);
    }
  }
}
