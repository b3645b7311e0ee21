import { describe, expect, it } from 'vitest';
import { randomArray } from '../coregister/test-support.ts';
import { ValidationError } from '../errors.ts';
import { choleskyDecompose, choleskySolve } from './cholesky.ts';

/** A random symmetric positive-definite n × n matrix: Bᵀ·B + n·I. */
function randomSpd(n: number, seed: number): Float64Array {
  const b = randomArray(n * n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? n : 0;
      for (let k = 0; k < n; k++) sum += b[k * n + i]! * b[k * n + j]!;
      a[i * n + j] = sum;
    }
  }
  return a;
}

describe('choleskyDecompose', () => {
  for (const n of [1, 2, 6, 12]) {
    it(`reconstructs A = L·Lᵀ with L lower-triangular (n = ${n})`, () => {
      const a = randomSpd(n, 40 + n);
      const l = choleskyDecompose(a, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          if (j > i) expect(l[i * n + j]).toBe(0);
          let sum = 0;
          for (let k = 0; k < n; k++) sum += l[i * n + k]! * l[j * n + k]!;
          expect(sum).toBeCloseTo(a[i * n + j]!, 10);
        }
      }
    });
  }

  it('solves A·x = b through L', () => {
    const n = 6;
    const a = randomSpd(n, 3);
    const b = randomArray(n, 4);
    const x = choleskySolve(choleskyDecompose(a, n), b, n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k]! * x[k]!;
      expect(sum).toBeCloseTo(b[i]!, 10);
    }
  });

  it('rejects indefinite, singular and malformed matrices', () => {
    expect(() => choleskyDecompose([1, 2, 2, 1], 2)).toThrow(/not positive definite \(pivot 1/);
    expect(() => choleskyDecompose([1, 1, 1, 1], 2)).toThrow(ValidationError);
    expect(() => choleskyDecompose([1, 0, 0], 2)).toThrow(/expected 2×2 = 4 entries; got 3/);
    expect(() => choleskyDecompose([1, Number.NaN, 0, 1], 2)).toThrow(
      /entry \(0, 1\) must be finite/,
    );
  });
});
