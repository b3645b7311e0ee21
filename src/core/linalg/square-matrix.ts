/**
 * Small dense matrices as row-major Float64Arrays: entry (row i, column j) of an n × n matrix
 * sits at index i·n + j. Shared checks of the linear algebra functions.
 */
import { ValidationError } from '../errors.ts';

/**
 * Checks that `matrix` holds n × n finite values.
 * @throws ValidationError naming `what`, n and the offending length or entry.
 */
export function checkSquareMatrix(matrix: ArrayLike<number>, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new ValidationError(`${what}: size n must be a positive integer; got ${n}`);
  }
  if (matrix.length !== n * n) {
    throw new ValidationError(
      `${what}: expected ${n}×${n} = ${n * n} entries; got ${matrix.length}`,
    );
  }
  for (let i = 0; i < matrix.length; i++) {
    const v = matrix[i] ?? Number.NaN;
    if (!Number.isFinite(v)) {
      throw new ValidationError(
        `${what}: entry (${Math.floor(i / n)}, ${i % n}) must be finite; got ${v}`,
      );
    }
  }
}

/**
 * Checks that `vector` holds n finite values.
 * @throws ValidationError naming `what`, n and the offending length or entry.
 */
export function checkVector(vector: ArrayLike<number>, n: number, what: string): void {
  if (vector.length !== n) {
    throw new ValidationError(`${what}: expected ${n} entries; got ${vector.length}`);
  }
  for (let i = 0; i < n; i++) {
    const v = vector[i] ?? Number.NaN;
    if (!Number.isFinite(v)) {
      throw new ValidationError(`${what}: entry ${i} must be finite; got ${v}`);
    }
  }
}
