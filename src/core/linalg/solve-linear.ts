/** Solving a small dense linear system A·x = b (row-major, see square-matrix.ts). */
import { ValidationError } from '../errors.ts';
import { checkSquareMatrix, checkVector } from './square-matrix.ts';

/**
 * x with A·x = b, by Gaussian elimination with partial pivoting. Inputs are not modified.
 * @throws ValidationError when A is not n × n and finite, b does not hold n finite values, or
 * A is singular to working precision (names the column whose pivot vanished).
 */
export function solveLinear(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  checkSquareMatrix(a, n, 'solveLinear');
  checkVector(b, n, 'solveLinear right-hand side');
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  let largest = 0;
  for (let i = 0; i < m.length; i++) largest = Math.max(largest, Math.abs(m[i] ?? 0));
  const tiny = largest * n * Number.EPSILON;
  for (let col = 0; col < n; col++) {
    let pivotRow = col;
    for (let row = col + 1; row < n; row++) {
      if (Math.abs(m[row * n + col] ?? 0) > Math.abs(m[pivotRow * n + col] ?? 0)) pivotRow = row;
    }
    const pivot = m[pivotRow * n + col] ?? 0;
    if (!(Math.abs(pivot) > tiny)) {
      throw new ValidationError(
        `solveLinear: matrix is singular (column ${col} has pivot ${pivot}, largest entry ${largest})`,
      );
    }
    if (pivotRow !== col) swapRows(m, x, n, col, pivotRow);
    for (let row = col + 1; row < n; row++) {
      const factor = (m[row * n + col] ?? 0) / pivot;
      if (factor === 0) continue;
      for (let k = col; k < n; k++)
        m[row * n + k] = (m[row * n + k] ?? 0) - factor * (m[col * n + k] ?? 0);
      x[row] = (x[row] ?? 0) - factor * (x[col] ?? 0);
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    let sum = x[row] ?? 0;
    for (let k = row + 1; k < n; k++) sum -= (m[row * n + k] ?? 0) * (x[k] ?? 0);
    x[row] = sum / (m[row * n + row] ?? 1);
  }
  return x;
}

function swapRows(m: Float64Array, x: Float64Array, n: number, a: number, b: number): void {
  for (let k = 0; k < n; k++) {
    const t = m[a * n + k] ?? 0;
    m[a * n + k] = m[b * n + k] ?? 0;
    m[b * n + k] = t;
  }
  const t = x[a] ?? 0;
  x[a] = x[b] ?? 0;
  x[b] = t;
}
