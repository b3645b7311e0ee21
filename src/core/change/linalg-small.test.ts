import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { generalizedSymmetricEigen } from './linalg-small.ts';

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k]! * b[k * n + j]!;
      out[i * n + j] = sum;
    }
  }
  return out;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j]!;
  return out;
}

/** A random symmetric positive definite matrix M Mᵀ + n I from integer entries. */
const spdMatrix = (n: number) =>
  fc
    .array(fc.integer({ min: -9, max: 9 }), { minLength: n * n, maxLength: n * n })
    .map((values) => {
      const m = Float64Array.from(values);
      const spd = multiply(m, transpose(m, n), n);
      for (let i = 0; i < n; i++) spd[i * n + i] = spd[i * n + i]! + n;
      return spd;
    });

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tolerance);
  }
}

describe('generalizedSymmetricEigen', () => {
  it('solves A v = λ B v with B-orthonormal vectors', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((n) => fc.tuple(fc.constant(n), spdMatrix(n), spdMatrix(n))),
        ([n, a, b]) => {
          const { values, vectors } = generalizedSymmetricEigen(a, b, n);
          const av = multiply(a, vectors, n);
          const bv = multiply(b, vectors, n);
          const gram = multiply(transpose(vectors, n), bv, n);
          const scale = Math.max(...a.map(Math.abs));
          for (let i = 0; i < n; i++) {
            for (let k = 0; k < n; k++) {
              expect(Math.abs(av[i * n + k]! - values[k]! * bv[i * n + k]!)).toBeLessThan(
                1e-9 * scale,
              );
              expect(gram[i * n + k]!).toBeCloseTo(i === k ? 1 : 0, 9);
            }
          }
        },
      ),
      { seed: 13, numRuns: 100 },
    );
  });

  it('matches a hand-computed diagonal case', () => {
    // A = diag(2, 12), B = diag(1, 4): λ = 2, 3 with v = (1, 0) and (0, 1/2).
    const { values, vectors } = generalizedSymmetricEigen(
      Float64Array.from([2, 0, 0, 12]),
      Float64Array.from([1, 0, 0, 4]),
      2,
    );
    expectClose(values, [2, 3], 1e-14);
    expectClose(vectors.map(Math.abs), [1, 0, 0, 0.5], 1e-14);
  });

  it('rejects a B that is not positive definite', () => {
    const a = Float64Array.from([1, 0, 0, 1]);
    expect(() => generalizedSymmetricEigen(a, Float64Array.from([1, 2, 2, 1]), 2)).toThrow(
      ValidationError,
    );
  });
});
