/**
 * The generalised symmetric-definite eigenproblem A v = λ B v for the small matrices of
 * canonical correlation analysis, reduced to a standard one with the Cholesky factor of B and
 * solved with the Jacobi eigensolver of `core/linalg` (which has no generalised solver yet;
 * this function could move there).
 *
 * Matrices are row-major `Float64Array`s of n × n: element (i, j) is `m[i * n + j]`.
 */
import { choleskyDecompose } from '../linalg/cholesky.ts';
import { symmetricEigen } from '../linalg/symmetric-eigen.ts';

/** Eigenpairs of A v = λ B v. */
export interface GeneralizedEigen {
  /** Eigenvalues in increasing order. */
  readonly values: Float64Array;
  /**
   * Eigenvectors as columns, row-major: component i of vector k is `vectors[i * n + k]`;
   * B-orthonormal (vₖᵀ B vₖ = 1, vⱼᵀ B vₖ = 0).
   */
  readonly vectors: Float64Array;
}

/** Solves L x = b (L lower triangular, row-major). */
function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let sum = x[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] ?? 0) * (x[k] ?? 0);
    x[i] = sum / (l[i * n + i] ?? 1);
  }
  return x;
}

/** Solves Lᵀ x = b (L lower triangular, row-major). */
function solveLowerTransposed(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i] ?? 0;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] ?? 0) * (x[k] ?? 0);
    x[i] = sum / (l[i * n + i] ?? 1);
  }
  return x;
}

/** C = L⁻¹ A L⁻ᵀ, computed as W = L⁻¹ A column by column, then C = L⁻¹ Wᵀ (A symmetric). */
function reduce(a: Float64Array, l: Float64Array, n: number): Float64Array {
  const w = new Float64Array(n * n);
  const column = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) column[i] = a[i * n + j] ?? 0;
    const solved = solveLower(l, n, column);
    for (let i = 0; i < n; i++) w[i * n + j] = solved[i] ?? 0;
  }
  const c = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) column[i] = w[j * n + i] ?? 0;
    const solved = solveLower(l, n, column);
    for (let i = 0; i < n; i++) c[i * n + j] = solved[i] ?? 0;
  }
  // Symmetric in exact arithmetic; remove the rounding asymmetry before the eigensolver.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const mean = 0.5 * ((c[i * n + j] ?? 0) + (c[j * n + i] ?? 0));
      c[i * n + j] = mean;
      c[j * n + i] = mean;
    }
  }
  return c;
}

/**
 * Solves A v = λ B v for symmetric A and symmetric positive definite B (n × n).
 * @throws ValidationError (from `core/linalg`) when a matrix is not n × n and finite, or B is
 *   not positive definite.
 */
export function generalizedSymmetricEigen(
  a: Float64Array,
  b: Float64Array,
  n: number,
): GeneralizedEigen {
  const l = choleskyDecompose(b, n);
  const eigen = symmetricEigen(reduce(a, l, n), n);
  const order = Array.from({ length: n }, (_, k) => k).sort(
    (p, q) => (eigen.values[p] ?? 0) - (eigen.values[q] ?? 0),
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  const column = new Float64Array(n);
  order.forEach((source, k) => {
    values[k] = eigen.values[source] ?? 0;
    for (let i = 0; i < n; i++) column[i] = eigen.vectors[i * n + source] ?? 0;
    const solved = solveLowerTransposed(l, n, column);
    for (let i = 0; i < n; i++) vectors[i * n + k] = solved[i] ?? 0;
  });
  return { values, vectors };
}
