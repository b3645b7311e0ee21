/**
 * Mean of a statistic over a (2r + 1)² square, counting only valid, finite pixels (separable
 * running sums, O(1) per pixel). Used to turn a noisy per-pixel change statistic into a
 * neighbourhood one before thresholding; invalid pixels stay NaN.
 */
import { ValidationError } from '../../src/core/errors.ts';

/**
 * Box mean of `values` with radius `radiusPx` (0: a copy with invalid pixels set to NaN).
 * @throws ValidationError when sizes disagree or the radius is not an integer ≥ 0.
 */
export function boxMean(
  values: Float32Array,
  valid: Uint8Array,
  width: number,
  height: number,
  radiusPx: number,
): Float32Array {
  if (values.length !== width * height || valid.length !== values.length) {
    throw new ValidationError(`boxMean: expected ${width}×${height} values and valid flags`);
  }
  if (!Number.isInteger(radiusPx) || radiusPx < 0) {
    throw new ValidationError(`boxMean: radius must be an integer ≥ 0 px, got ${radiusPx}`);
  }
  const sums = new Float64Array(values.length);
  const counts = new Float64Array(values.length);
  for (let p = 0; p < values.length; p++) {
    const v = values[p] ?? Number.NaN;
    if (valid[p] !== 0 && Number.isFinite(v)) {
      sums[p] = v;
      counts[p] = 1;
    }
  }
  if (radiusPx > 0) {
    runningSum(sums, counts, width, height, radiusPx, 1, width);
    runningSum(sums, counts, height, width, radiusPx, width, 1);
  }
  const out = new Float32Array(values.length);
  for (let p = 0; p < values.length; p++) {
    const count = counts[p] ?? 0;
    out[p] = valid[p] !== 0 && count > 0 ? (sums[p] ?? 0) / count : Number.NaN;
  }
  return out;
}

/** In-place windowed sums along lines of `length` samples (stride `step`), `lines` of them. */
function runningSum(
  sums: Float64Array,
  counts: Float64Array,
  length: number,
  lines: number,
  radius: number,
  step: number,
  lineStride: number,
): void {
  const lineSums = new Float64Array(length + 1);
  const lineCounts = new Float64Array(length + 1);
  for (let line = 0; line < lines; line++) {
    const base = line * lineStride;
    for (let i = 0; i < length; i++) {
      lineSums[i + 1] = (lineSums[i] ?? 0) + (sums[base + i * step] ?? 0);
      lineCounts[i + 1] = (lineCounts[i] ?? 0) + (counts[base + i * step] ?? 0);
    }
    for (let i = 0; i < length; i++) {
      const lo = Math.max(0, i - radius);
      const hi = Math.min(length, i + radius + 1);
      sums[base + i * step] = (lineSums[hi] ?? 0) - (lineSums[lo] ?? 0);
      counts[base + i * step] = (lineCounts[hi] ?? 0) - (lineCounts[lo] ?? 0);
    }
  }
}
