import { describe, expect, it } from 'vitest';
import { randomArray } from '../coregister/test-support.ts';
import { ValidationError } from '../errors.ts';
import { solveLinear } from './solve-linear.ts';

describe('solveLinear', () => {
  for (const n of [1, 3, 8, 20]) {
    it(`solves a random non-symmetric system (n = ${n}) to 1e-9`, () => {
      const a = randomArray(n * n, 100 + n);
      const expected = randomArray(n, 200 + n);
      const b = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) b[i] = b[i]! + a[i * n + k]! * expected[k]!;
      }
      const x = solveLinear(a, b, n);
      for (let i = 0; i < n; i++) expect(Math.abs(x[i]! - expected[i]!)).toBeLessThan(1e-9);
    });
  }

  it('needs pivoting for a zero leading entry', () => {
    expect(Array.from(solveLinear([0, 1, 1, 0], [2, 3], 2))).toEqual([3, 2]);
  });

  it('does not modify its inputs', () => {
    const a = [2, 1, 1, 3];
    const b = [1, 2];
    solveLinear(a, b, 2);
    expect(a).toEqual([2, 1, 1, 3]);
    expect(b).toEqual([1, 2]);
  });

  it('rejects singular systems and bad right-hand sides, naming the problem', () => {
    expect(() => solveLinear([1, 2, 2, 4], [1, 1], 2)).toThrow(/singular \(column 1/);
    expect(() => solveLinear([1, 0, 0, 1], [1], 2)).toThrow(
      /right-hand side: expected 2 entries; got 1/,
    );
    expect(() => solveLinear([1, 0, 0, 1], [1, Number.POSITIVE_INFINITY], 2)).toThrow(
      ValidationError,
    );
  });
});
