/**
 * The solver half of IR-MAD (Nielsen 2007, "The Regularized Iteratively Reweighted MAD Method
 * for Change Detection in Multi- and Hyperspectral Data", IEEE TIP 16(2)): canonical
 * correlation analysis of the accumulated covariance, giving the coefficients of the MAD
 * variates MADₖ = aₖᵀ(A − μA) − bₖᵀ(B − μB).
 */
import { ValidationError } from '../errors.ts';
import type { IrmadMoments } from './irmad-accumulator.ts';
import { choleskyDecompose, choleskySolve } from '../linalg/cholesky.ts';
import type { GeneralizedEigen } from './linalg-small.ts';
import { generalizedSymmetricEigen } from './linalg-small.ts';

/**
 * Below this fraction of var(U) + var(V) a MAD variance is treated as this floor, so that
 * identical (or perfectly linearly related) images give Z ≈ 0 instead of 0 / 0.
 */
export const MAD_VARIANCE_FLOOR = 1e-9;

/** Everything {@link madWindow} needs to transform a window, from one IR-MAD iteration. */
export interface IrmadParameters {
  readonly bandCount: number;
  /** Row-major n × n: `a[k * n + j]` is the weight of A's band j in canonical variate k. */
  readonly a: Float64Array;
  /** Same layout for B. */
  readonly b: Float64Array;
  /** Canonical correlations ρₖ in [0, 1], increasing with k (MAD₁ has the most change). */
  readonly rho: Float64Array;
  /** Variance of MADₖ over the weighted pixels; 2(1 − ρₖ) without regularisation. */
  readonly madVariance: Float64Array;
  /** Weighted band means of A and of B used to centre the variates. */
  readonly meanA: Float64Array;
  readonly meanB: Float64Array;
  readonly pixelCount: number;
  readonly totalWeight: number;
  readonly regularisation: number;
}

export interface IrmadSolveOptions {
  /**
   * Ridge regularisation λ in [0, 1): each within-image covariance Σ is replaced by
   * (1 − λ) Σ + λ (tr Σ / n) I (Nielsen 2007, eq. 13, with Ω a scaled identity so λ does not
   * depend on the data's units). Default 0. Useful for many or nearly collinear bands.
   */
  readonly regularisation?: number;
}

function block(c: Float64Array, m: number, n: number, row0: number, col0: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = c[(row0 + i) * m + col0 + j] ?? 0;
  }
  return out;
}

function regularise(s: Float64Array, n: number, lambda: number): Float64Array {
  if (lambda === 0) return s;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += s[i * n + i] ?? 0;
  const out = s.map((v) => (1 - lambda) * v);
  for (let i = 0; i < n; i++) out[i * n + i] = (out[i * n + i] ?? 0) + (lambda * trace) / n;
  return out;
}

/** xᵀ S y for n-vectors stored at offsets of row-major coefficient arrays. */
function bilinear(s: Float64Array, n: number, x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += (s[i * n + j] ?? 0) * (y[j] ?? 0);
    sum += (x[i] ?? 0) * row;
  }
  return sum;
}

/** X = S22⁻¹ S21 (n × n) via the Cholesky factor of S22. */
function solveCross(s22: Float64Array, s21: Float64Array, n: number): Float64Array {
  const l = choleskyDecompose(s22, n);
  const x = new Float64Array(n * n);
  const column = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) column[i] = s21[i * n + j] ?? 0;
    const solved = choleskySolve(l, column, n);
    for (let i = 0; i < n; i++) x[i * n + j] = solved[i] ?? 0;
  }
  return x;
}

function multiply(p: Float64Array, q: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += (p[i * n + k] ?? 0) * (q[k * n + j] ?? 0);
      out[i * n + j] = sum;
    }
  }
  return out;
}

interface Blocks {
  readonly s11: Float64Array;
  readonly s22: Float64Array;
  readonly s12: Float64Array;
  /** S22 as regularised. */
  readonly s22r: Float64Array;
}

/** a, b (signed, scaled), ρ and MAD variances of each variate, from the eigenvectors. */
function variatesOf(eigen: GeneralizedEigen, cross: Float64Array, blocks: Blocks, n: number) {
  const { s11, s22, s12, s22r } = blocks;
  const a = new Float64Array(n * n);
  const b = new Float64Array(n * n);
  const rho = new Float64Array(n);
  const madVariance = new Float64Array(n);
  const ak = new Float64Array(n);
  const bk = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) ak[i] = eigen.vectors[i * n + k] ?? 0;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += (cross[i * n + j] ?? 0) * (ak[j] ?? 0);
      bk[i] = sum;
    }
    const bNorm = Math.sqrt(Math.max(0, bilinear(s22r, n, bk, bk)));
    for (let i = 0; i < n; i++) bk[i] = bNorm > 0 ? (bk[i] ?? 0) / bNorm : 0;
    let loadingSum = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) loadingSum += (s11[i * n + j] ?? 0) * (ak[j] ?? 0);
    }
    const sign = loadingSum < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      a[k * n + i] = sign * (ak[i] ?? 0);
      b[k * n + i] = sign * (bk[i] ?? 0);
    }
    rho[k] = Math.sqrt(Math.min(1, Math.max(0, eigen.values[k] ?? 0)));
    const varianceU = bilinear(s11, n, ak, ak);
    const varianceV = bilinear(s22, n, bk, bk);
    const variance = varianceU + varianceV - 2 * bilinear(s12, n, ak, bk);
    madVariance[k] = Math.max(variance, MAD_VARIANCE_FLOOR * (varianceU + varianceV));
  }
  return { a, b, rho, madVariance };
}

/**
 * Canonical correlation analysis of accumulated moments: solves
 * Σ₁₂ Σ₂₂⁻¹ Σ₂₁ a = ρ² Σ₁₁ a (generalised symmetric eigenproblem), with b = Σ₂₂⁻¹ Σ₂₁ a scaled to
 * unit variance. Variates are ordered by increasing ρ. Signs: aₖ and bₖ are flipped together so
 * that Σⱼ cov(Aⱼ, Uₖ) ≥ 0, and then cov(Uₖ, Vₖ) = ρₖ ≥ 0 by construction.
 * @throws ValidationError when there is no weight, λ is outside [0, 1), or a within-image
 *   covariance is singular (a constant band, or two collinear bands: try regularisation).
 */
export function solveIrmad(
  moments: IrmadMoments,
  options: IrmadSolveOptions = {},
): IrmadParameters {
  const lambda = options.regularisation ?? 0;
  if (!(lambda >= 0 && lambda < 1)) {
    throw new ValidationError(`IR-MAD regularisation must be in [0, 1), got ${lambda}`);
  }
  const n = moments.bandCount;
  const m = 2 * n;
  if (!(moments.totalWeight > 0)) {
    throw new ValidationError(
      `IR-MAD needs weighted valid pixels; total weight is ${moments.totalWeight} over ${moments.pixelCount} valid pixels`,
    );
  }
  const covariance = moments.comoment.map((v) => v / moments.totalWeight);
  const s11 = block(covariance, m, n, 0, 0);
  const s22 = block(covariance, m, n, n, n);
  const s12 = block(covariance, m, n, 0, n);
  const s21 = block(covariance, m, n, n, 0);
  const s11r = regularise(s11, n, lambda);
  const s22r = regularise(s22, n, lambda);
  const cross = solveCross(s22r, s21, n);
  const eigen = generalizedSymmetricEigen(multiply(s12, cross, n), s11r, n);
  const { a, b, rho, madVariance } = variatesOf(eigen, cross, { s11, s22, s12, s22r }, n);
  return {
    bandCount: n,
    a,
    b,
    rho,
    madVariance,
    meanA: moments.mean.slice(0, n),
    meanB: moments.mean.slice(n, m),
    pixelCount: moments.pixelCount,
    totalWeight: moments.totalWeight,
    regularisation: lambda,
  };
}
