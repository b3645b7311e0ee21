/**
 * Resampling of an image through an affine map of pixel coordinates (see affine.ts), for the
 * pipeline's final resample and for making test pairs.
 */
import { ValidationError } from '../errors.ts';
import type { AffineMatrix } from './affine.ts';
import { checkImage, type ImageSamples } from './correlation-input.ts';

export type WarpMethod = 'bilinear' | 'cubic';

/** Keys cubic kernel (a = −0.5) weights for taps at −1, 0, 1, 2 around fractional offset t. */
function cubicTapWeights(t: number, out: Float64Array): void {
  const a = -0.5;
  const near = (s: number): number => ((a + 2) * s - (a + 3)) * s * s + 1;
  const far = (s: number): number => ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
  out[0] = far(1 + t);
  out[1] = near(t);
  out[2] = near(1 - t);
  out[3] = far(2 - t);
}

/**
 * out(x, y) = src(dstToSrc(x, y)) for the outWidth × outHeight output grid: each output pixel
 * centre is mapped into the source by `dstToSrc` and interpolated there (bilinear, or cubic
 * with edge samples repeated beyond the border). Output pixels that map outside
 * [0, width − 1] × [0, height − 1] get `fill`. NaN in a tap with non-zero weight gives NaN.
 * @returns an array of the type of `src`.
 * @throws ValidationError when src does not hold width × height samples, the output size is
 * not a positive integer pair, or the matrix is not finite.
 */
export function warpAffine<T extends ImageSamples>(
  src: T,
  width: number,
  height: number,
  dstToSrc: AffineMatrix,
  options: {
    readonly method: WarpMethod;
    readonly fill: number;
    readonly outWidth?: number;
    readonly outHeight?: number;
  },
): T {
  checkImage(src, width, height, 'warpAffine', 1);
  const outWidth = options.outWidth ?? width;
  const outHeight = options.outHeight ?? height;
  if (
    !Number.isInteger(outWidth) ||
    !Number.isInteger(outHeight) ||
    outWidth < 1 ||
    outHeight < 1
  ) {
    throw new ValidationError(
      `warpAffine: output size must be positive integers; got ${outWidth} × ${outHeight}`,
    );
  }
  if (!dstToSrc.every((v) => Number.isFinite(v))) {
    throw new ValidationError(`warpAffine: matrix must be finite; got [${dstToSrc.join(', ')}]`);
  }
  const out = (
    src instanceof Float32Array
      ? new Float32Array(outWidth * outHeight)
      : new Float64Array(outWidth * outHeight)
  ) as T;
  const [a, b, c, d, e, f] = dstToSrc;
  const tolerance = 1e-9;
  const wx = new Float64Array(4);
  const wy = new Float64Array(4);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const u = a * x + b * y + c;
      const v = d * x + e * y + f;
      const i = y * outWidth + x;
      if (
        u < -tolerance ||
        v < -tolerance ||
        u > width - 1 + tolerance ||
        v > height - 1 + tolerance
      ) {
        out[i] = options.fill;
      } else if (options.method === 'bilinear') {
        out[i] = sampleBilinear(src, width, height, u, v);
      } else {
        out[i] = sampleCubic(src, width, height, u, v, wx, wy);
      }
    }
  }
  return out;
}

/**
 * Bilinear interpolation of src at (u, v) inside [0, width − 1] × [0, height − 1] (clamped);
 * taps with zero weight are not read, so an exact sample position never mixes in NaN.
 */
export function sampleBilinear(
  src: ArrayLike<number>,
  width: number,
  height: number,
  u: number,
  v: number,
): number {
  const x0 = Math.min(width - 1, Math.max(0, Math.floor(u)));
  const y0 = Math.min(height - 1, Math.max(0, Math.floor(v)));
  const tx = Math.min(1, Math.max(0, u - x0));
  const ty = Math.min(1, Math.max(0, v - y0));
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const row0 = y0 * width;
  const row1 = y1 * width;
  let top = src[row0 + x0] ?? Number.NaN;
  let bottom = ty === 0 ? 0 : (src[row1 + x0] ?? Number.NaN);
  if (tx !== 0) {
    top = (1 - tx) * top + tx * (src[row0 + x1] ?? Number.NaN);
    if (ty !== 0) bottom = (1 - tx) * bottom + tx * (src[row1 + x1] ?? Number.NaN);
  }
  return ty === 0 ? top : (1 - ty) * top + ty * bottom;
}

function sampleCubic(
  src: ImageSamples,
  width: number,
  height: number,
  u: number,
  v: number,
  wx: Float64Array,
  wy: Float64Array,
): number {
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  cubicTapWeights(u - x0, wx);
  cubicTapWeights(v - y0, wy);
  let sum = 0;
  for (let j = 0; j < 4; j++) {
    const weightY = wy[j] ?? 0;
    if (weightY === 0) continue;
    const row = Math.min(height - 1, Math.max(0, y0 - 1 + j)) * width;
    for (let k = 0; k < 4; k++) {
      const weight = weightY * (wx[k] ?? 0);
      if (weight === 0) continue;
      sum += weight * (src[row + Math.min(width - 1, Math.max(0, x0 - 1 + k))] ?? Number.NaN);
    }
  }
  return sum;
}
