/**
 * Images as the co-registration functions take them, and their preparation for phase
 * correlation: missing samples filled, mean removed, apodised, zero-padded to a power of two.
 *
 * Images are row-major, one band: sample (x, y) — column x, row y, pixel centres at integer
 * coordinates — sits at index y·width + x.
 */
import { ValidationError } from '../errors.ts';

/** One band of samples, row-major. */
export type ImageSamples = Float32Array | Float64Array;

/** Apodisation applied before the FFT. */
export type CorrelationWindow = 'hann' | 'none';

/**
 * Checks that `image` holds width × height samples and that both sizes are integers ≥ minSize.
 * @throws ValidationError naming `what`, the sizes and the length.
 */
export function checkImage(
  image: ImageSamples,
  width: number,
  height: number,
  what: string,
  minSize = 4,
): void {
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < minSize ||
    height < minSize
  ) {
    throw new ValidationError(
      `${what}: width and height must be integers ≥ ${minSize} px; got ${width} × ${height}`,
    );
  }
  if (image.length !== width * height) {
    throw new ValidationError(
      `${what}: expected ${width} × ${height} = ${width * height} samples; got ${image.length}`,
    );
  }
}

/** True for a sample that counts as data: finite and not equal to `nodata`. */
export function isDataSample(value: number, nodata: number | null): boolean {
  return Number.isFinite(value) && value !== nodata;
}

/** Statistics of the data samples (see {@link isDataSample}) of an image. */
export interface DataStats {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/** Mean (0 without data), range and count of the data samples of `image`. */
export function dataStats(image: ImageSamples, nodata: number | null): DataStats {
  let sum = 0;
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < image.length; i++) {
    const v = image[i] ?? Number.NaN;
    if (!isDataSample(v, nodata)) continue;
    sum += v;
    count++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { mean: count === 0 ? 0 : sum / count, min, max, count };
}

/** True when the image has no data or its data do not vary (to 1e-12 relative). */
export function isFlat(stats: DataStats): boolean {
  if (stats.count === 0) return true;
  return stats.max - stats.min <= 1e-12 * Math.max(Math.abs(stats.max), Math.abs(stats.min));
}

/** The periodic Hann weights sin²(π(i + 0.5)/n) for i in [0, n): symmetric, never exactly 0. */
export function hannWeights(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin((Math.PI * (i + 0.5)) / n) ** 2);
}

/**
 * The image ready for correlation: missing samples (NaN, ±Infinity, `nodata`) replaced by the
 * mean of the data samples, the mean subtracted, multiplied by the separable window, and
 * zero-padded on the right and bottom to paddedWidth × paddedHeight.
 */
export function prepareForCorrelation(
  image: ImageSamples,
  width: number,
  height: number,
  padded: { readonly width: number; readonly height: number },
  options: {
    readonly window: CorrelationWindow;
    readonly nodata: number | null;
    readonly mean: number;
  },
): Float64Array {
  const out = new Float64Array(padded.width * padded.height);
  const wx = options.window === 'hann' ? hannWeights(width) : new Float64Array(width).fill(1);
  const wy = options.window === 'hann' ? hannWeights(height) : new Float64Array(height).fill(1);
  const { nodata, mean } = options;
  for (let y = 0; y < height; y++) {
    const weightY = wy[y] ?? 0;
    const source = y * width;
    const target = y * padded.width;
    for (let x = 0; x < width; x++) {
      const v = image[source + x] ?? Number.NaN;
      const centred = isDataSample(v, nodata) ? v - mean : 0;
      out[target + x] = centred * weightY * (wx[x] ?? 0);
    }
  }
  return out;
}
