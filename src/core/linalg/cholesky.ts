/**
 * Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite matrix, and solving with it.
 * Matrices are row-major Float64Arrays (see square-matrix.ts).
 */
import { ValidationError } from '../errors.ts';
import { checkSquareMatrix, checkVector } from './square-matrix.ts';

/**
 * The lower-triangular L (row-major n × n, zeros above the diagonal) with A = L·Lᵀ. Only the
 * lower triangle of `a` is read, so `a` is taken to be symmetric.
 * @throws ValidationError when `a` is not n × n and finite, or not positive definite (names
 * the failing pivot and its value).
 */
export function choleskyDecompose(a: ArrayLike<number>, n: number): Float64Array {
  checkSquareMatrix(a, n, 'choleskyDecompose');
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diagonal = a[j * n + j] ?? 0;
    for (let k = 0; k < j; k++) diagonal -= (l[j * n + k] ?? 0) ** 2;
    const scale = Math.abs(a[j * n + j] ?? 0) + Number.MIN_VALUE;
    if (!(diagonal > 1e-14 * scale)) {
      throw new ValidationError(
        `choleskyDecompose: matrix is not positive definite (pivot ${j} is ${diagonal})`,
      );
    }
    const ljj = Math.sqrt(diagonal);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      l[i * n + j] = sum / ljj;
    }
  }
  return l;
}

/**
 * Solves A·x = b given the factor L of {@link choleskyDecompose} (forward then back
 * substitution).
 * @throws ValidationError when L is not n × n or b does not hold n finite values.
 */
export function choleskySolve(l: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  checkSquareMatrix(l, n, 'choleskySolve');
  checkVector(b, n, 'choleskySolve right-hand side');
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] ?? 0;
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] ?? 0) * (y[k] ?? 0);
    y[i] = sum / (l[i * n + i] ?? 1);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] ?? 0;
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] ?? 0) * (x[k] ?? 0);
    x[i] = sum / (l[i * n + i] ?? 1);
  }
  return x;
}
