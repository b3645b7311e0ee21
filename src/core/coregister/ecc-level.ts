/**
 * One pyramid level of the ECC (enhanced correlation coefficient) affine alignment of
 * Evangelidis & Psarakis, "Parametric image alignment using enhanced correlation coefficient
 * maximization", IEEE TPAMI 30(10), 2008 — the forward-additive scheme, as in OpenCV's
 * findTransformECC.
 *
 * The warp W maps reference pixel coordinates to moving ones, so that reference(p) ≈
 * moving(W(p)). It is parametrised about the level centre c as W(p) = A·(p − c) + b, with
 * parameters q = [A00, A01, b0, A10, A11, b1], which keeps the 6 × 6 Hessian well conditioned.
 */
import { choleskyDecompose, choleskySolve } from '../linalg/cholesky.ts';
import type { AffineMatrix } from './affine.ts';

/** One level's images: reference T, moving I and I's central-difference gradients. */
export interface EccLevel {
  readonly width: number;
  readonly height: number;
  readonly reference: Float64Array;
  readonly moving: Float64Array;
  readonly gradientX: Float64Array;
  readonly gradientY: Float64Array;
}

/** Central differences of a row-major image along x and y (one-sided at the borders). */
export function imageGradients(
  image: Float64Array,
  width: number,
  height: number,
): { gx: Float64Array; gy: Float64Array } {
  const gx = new Float64Array(image.length);
  const gy = new Float64Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const left = x > 0 ? i - 1 : i;
      const right = x < width - 1 ? i + 1 : i;
      const up = y > 0 ? i - width : i;
      const down = y < height - 1 ? i + width : i;
      gx[i] = ((image[right] ?? 0) - (image[left] ?? 0)) / Math.max(1, right - left);
      gy[i] = ((image[down] ?? 0) - (image[up] ?? 0)) / Math.max(1, (down - up) / width);
    }
  }
  return { gx, gy };
}

/** Sums of one ECC iteration over the valid pixels. */
interface EccSums {
  readonly count: number;
  /** JᵀJ, row-major 6 × 6 (J: Jacobian of the warped moving image w.r.t. q). */
  readonly hessian: Float64Array;
  readonly imageProjection: Float64Array;
  readonly templateProjection: Float64Array;
  readonly imageNormSquared: number;
  readonly templateNormSquared: number;
  /** Σ t·m over valid pixels (zero-mean reference times zero-mean warped moving). */
  readonly templateImageDot: number;
  /** The correlation coefficient of reference and warped moving over valid pixels, in [−1, 1]. */
  readonly correlation: number;
}

/**
 * Warps the moving image and its gradients by `warp` (reference → moving) and accumulates the
 * ECC sums over pixels where the reference and all warped samples are finite.
 */
export function accumulateEcc(level: EccLevel, warp: AffineMatrix): EccSums {
  const { width, height, reference, moving, gradientX, gradientY } = level;
  const n = width * height;
  const warped = new Float64Array(n).fill(Number.NaN);
  const gxw = new Float64Array(n);
  const gyw = new Float64Array(n);
  let sumT = 0;
  let sumI = 0;
  let count = 0;
  const [a, b, c, d, e, f] = warp;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const t = reference[i] ?? Number.NaN;
      const u = a * x + b * y + c;
      const v = d * x + e * y + f;
      if (!Number.isFinite(t) || !(u >= 0 && v >= 0 && u <= width - 1 && v <= height - 1)) continue;
      // The three samples share their taps; a tap of zero weight is never read (see
      // sampleBilinear), so a position on the last row or column stays in bounds.
      const x0 = Math.min(width - 1, Math.floor(u));
      const y0 = Math.min(height - 1, Math.floor(v));
      const tx = u - x0;
      const ty = v - y0;
      const i00 = y0 * width + x0;
      const dxTap = tx === 0 ? 0 : 1;
      const dyTap = ty === 0 ? 0 : width;
      const w00 = (1 - tx) * (1 - ty);
      const w01 = tx * (1 - ty);
      const w10 = (1 - tx) * ty;
      const w11 = tx * ty;
      const mix = (image: Float64Array): number =>
        w00 * (image[i00] ?? Number.NaN) +
        w01 * (image[i00 + dxTap] ?? Number.NaN) +
        w10 * (image[i00 + dyTap] ?? Number.NaN) +
        w11 * (image[i00 + dxTap + dyTap] ?? Number.NaN);
      const value = mix(moving);
      const gu = mix(gradientX);
      const gv = mix(gradientY);
      if (!Number.isFinite(value) || !Number.isFinite(gu) || !Number.isFinite(gv)) continue;
      warped[i] = value;
      gxw[i] = gu;
      gyw[i] = gv;
      sumT += t;
      sumI += value;
      count++;
    }
  }
  return projectOntoJacobian(
    level,
    warped,
    gxw,
    gyw,
    count === 0 ? 0 : sumT / count,
    count === 0 ? 0 : sumI / count,
    count,
  );
}

function projectOntoJacobian(
  level: EccLevel,
  warped: Float64Array,
  gxw: Float64Array,
  gyw: Float64Array,
  meanT: number,
  meanI: number,
  count: number,
): EccSums {
  const { width, height, reference } = level;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const hessian = new Float64Array(36);
  const imageProjection = new Float64Array(6);
  const templateProjection = new Float64Array(6);
  const jacobian = new Float64Array(6);
  let ii = 0;
  let tt = 0;
  let ti = 0;
  for (let y = 0; y < height; y++) {
    const yc = y - cy;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const value = warped[i] ?? Number.NaN;
      if (Number.isNaN(value)) continue;
      const t = (reference[i] ?? 0) - meanT;
      const m = value - meanI;
      const gu = gxw[i] ?? 0;
      const gv = gyw[i] ?? 0;
      const xc = x - cx;
      jacobian[0] = gu * xc;
      jacobian[1] = gu * yc;
      jacobian[2] = gu;
      jacobian[3] = gv * xc;
      jacobian[4] = gv * yc;
      jacobian[5] = gv;
      for (let r = 0; r < 6; r++) {
        const jr = jacobian[r] ?? 0;
        imageProjection[r] = (imageProjection[r] ?? 0) + jr * m;
        templateProjection[r] = (templateProjection[r] ?? 0) + jr * t;
        for (let s = r; s < 6; s++)
          hessian[r * 6 + s] = (hessian[r * 6 + s] ?? 0) + jr * (jacobian[s] ?? 0);
      }
      ii += m * m;
      tt += t * t;
      ti += t * m;
    }
  }
  for (let r = 0; r < 6; r++) {
    for (let s = 0; s < r; s++) hessian[r * 6 + s] = hessian[s * 6 + r] ?? 0;
  }
  const correlation = ii > 0 && tt > 0 ? ti / Math.sqrt(ii * tt) : 0;
  return {
    count,
    hessian,
    imageProjection,
    templateProjection,
    imageNormSquared: ii,
    templateNormSquared: tt,
    templateImageDot: ti,
    correlation,
  };
}

/**
 * The ECC parameter update for `sums`, converted to a change of the 2 × 3 matrix of W, or null
 * when the step is undefined (too few pixels, singular Hessian, or λ's denominator ≤ 0: the
 * images are uncorrelated or do not overlap).
 */
export function eccUpdate(sums: EccSums, width: number, height: number): AffineMatrix | null {
  if (sums.count < 60) return null;
  let factor: Float64Array;
  try {
    factor = choleskyDecompose(sums.hessian, 6);
  } catch {
    return null;
  }
  const imageProjectionHessian = choleskySolve(factor, sums.imageProjection, 6);
  const dot = (p: Float64Array, q: Float64Array): number =>
    p.reduce((acc, v, k) => acc + v * (q[k] ?? 0), 0);
  const lambdaNumerator = sums.imageNormSquared - dot(sums.imageProjection, imageProjectionHessian);
  const lambdaDenominator =
    sums.templateImageDot - dot(sums.templateProjection, imageProjectionHessian);
  if (!(lambdaDenominator > 0)) return null;
  const lambda = lambdaNumerator / lambdaDenominator;
  const errorProjection = sums.templateProjection.map(
    (v, k) => lambda * v - (sums.imageProjection[k] ?? 0),
  );
  const q = choleskySolve(factor, errorProjection, 6);
  const [a00, a01, b0, a10, a11, b1] = [
    q[0] ?? 0,
    q[1] ?? 0,
    q[2] ?? 0,
    q[3] ?? 0,
    q[4] ?? 0,
    q[5] ?? 0,
  ];
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  // W(p) = A(p − c) + b = A·p + (b − A·c): the change of the translation column is Δb − ΔA·c.
  return [a00, a01, b0 - a00 * cx - a01 * cy, a10, a11, b1 - a10 * cx - a11 * cy];
}
