/**
 * Eigen-decomposition of a small dense symmetric matrix by the cyclic Jacobi method: accurate
 * (eigenvalues to a few ulps of the matrix norm) and simple, for n up to a few dozen.
 */
import { ValidationError } from '../errors.ts';
import { checkSquareMatrix } from './square-matrix.ts';

/** Eigenvalues and eigenvectors with A·V = V·diag(values). */
export interface SymmetricEigen {
  /** The n eigenvalues in descending order. */
  readonly values: Float64Array;
  /**
   * Row-major n × n orthonormal matrix V whose column j (entries j, n + j, 2n + j, …) is the
   * unit eigenvector of values[j]. Each column's sign is chosen so its largest-magnitude entry
   * is positive, which makes the output deterministic.
   */
  readonly vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/**
 * Eigenvalues (descending) and orthonormal eigenvectors of the symmetric n × n matrix `a`
 * (row-major). Only symmetry to rounding is expected: a is symmetrised as (A + Aᵀ)/2.
 * @throws ValidationError when `a` is not n × n and finite, or is not symmetric within
 * 1e-8 of its largest entry (names the worst pair).
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  checkSquareMatrix(a, n, 'symmetricEigen');
  const m = symmetrised(a, n);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    if (offDiagonalNorm(m, n) <= 1e-30 + 1e-15 * frobeniusNorm(m)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) rotate(m, v, n, p, q);
    }
  }
  return sortedEigen(m, v, n);
}

function symmetrised(a: ArrayLike<number>, n: number): Float64Array {
  const m = new Float64Array(n * n);
  let largest = 0;
  for (let i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(a[i] ?? 0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const aij = a[i * n + j] ?? 0;
      const aji = a[j * n + i] ?? 0;
      if (Math.abs(aij - aji) > 1e-8 * largest) {
        throw new ValidationError(
          `symmetricEigen: matrix is not symmetric (entry (${i}, ${j}) = ${aij} but (${j}, ${i}) = ${aji})`,
        );
      }
      m[i * n + j] = (aij + aji) / 2;
    }
  }
  return m;
}

/** One Jacobi rotation in the (p, q) plane that zeroes m[p][q]; accumulates it into v. */
function rotate(m: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = m[p * n + q] ?? 0;
  if (apq === 0) return;
  const app = m[p * n + p] ?? 0;
  const aqq = m[q * n + q] ?? 0;
  const theta = (aqq - app) / (2 * apq);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const mkp = m[k * n + p] ?? 0;
    const mkq = m[k * n + q] ?? 0;
    m[k * n + p] = c * mkp - s * mkq;
    m[k * n + q] = s * mkp + c * mkq;
  }
  for (let k = 0; k < n; k++) {
    const mpk = m[p * n + k] ?? 0;
    const mqk = m[q * n + k] ?? 0;
    m[p * n + k] = c * mpk - s * mqk;
    m[q * n + k] = s * mpk + c * mqk;
  }
  m[p * n + q] = 0;
  m[q * n + p] = 0;
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p] ?? 0;
    const vkq = v[k * n + q] ?? 0;
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

function offDiagonalNorm(m: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) sum += (m[i * n + j] ?? 0) ** 2;
  }
  return Math.sqrt(sum);
}

function frobeniusNorm(m: Float64Array): number {
  let sum = 0;
  for (const x of m) sum += x * x;
  return Math.sqrt(sum);
}

function sortedEigen(m: Float64Array, v: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (i, j) => (m[j * n + j] ?? 0) - (m[i * n + i] ?? 0),
  );
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((source, target) => {
    values[target] = m[source * n + source] ?? 0;
    let largest = 0;
    for (let k = 0; k < n; k++) {
      const x = v[k * n + source] ?? 0;
      if (Math.abs(x) > Math.abs(largest)) largest = x;
    }
    const sign = largest < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[k * n + target] = sign * (v[k * n + source] ?? 0);
  });
  return { values, vectors };
}
