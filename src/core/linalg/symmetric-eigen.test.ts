import { describe, expect, it } from 'vitest';
import { randomArray } from '../coregister/test-support.ts';
import { ValidationError } from '../errors.ts';
import { symmetricEigen } from './symmetric-eigen.ts';

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = randomArray(n * n, seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) a[i * n + j] = r[i * n + j]! + r[j * n + i]!;
  }
  return a;
}

describe('symmetricEigen', () => {
  it('finds the eigenpairs of [[2, 1], [1, 2]]', () => {
    const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    // Column 0 is (1, 1)/√2.
    expect(vectors[0]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(vectors[2]).toBeCloseTo(Math.SQRT1_2, 14);
  });

  for (const n of [1, 3, 6, 15]) {
    it(`satisfies A·V = V·Λ with orthonormal V and descending values (n = ${n})`, () => {
      const a = randomSymmetric(n, 7 + n);
      const { values, vectors } = symmetricEigen(a, n);
      for (let j = 0; j + 1 < n; j++) expect(values[j]!).toBeGreaterThanOrEqual(values[j + 1]!);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let av = 0;
          let vtv = 0;
          for (let k = 0; k < n; k++) {
            av += a[i * n + k]! * vectors[k * n + j]!;
            vtv += vectors[k * n + i]! * vectors[k * n + j]!;
          }
          expect(av).toBeCloseTo(vectors[i * n + j]! * values[j]!, 10);
          expect(vtv).toBeCloseTo(i === j ? 1 : 0, 12);
        }
      }
    });
  }

  it('keeps the trace and handles a diagonal matrix with repeated values', () => {
    const { values } = symmetricEigen([5, 0, 0, 0, 5, 0, 0, 0, -1], 3);
    expect(Array.from(values)).toEqual([5, 5, -1]);
  });

  it('rejects a non-symmetric matrix, naming the entries', () => {
    expect(() => symmetricEigen([1, 2, 3, 4], 2)).toThrow(/entry \(0, 1\) = 2 but \(1, 0\) = 3/);
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(ValidationError);
  });
});
