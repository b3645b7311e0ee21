/**
 * The per-pixel half of IR-MAD: MAD variates, the chi-square change statistic and the
 * no-change weights of one window, a pure function of the window and the parameters of the
 * previous iteration.
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';
import { chiSquareSurvivalFast } from './chi-square.ts';
import type { IrmadParameters } from './irmad-solve.ts';
import { checkBandPair } from './valid-mask.ts';

const CHUNK = 1024;

/** Outputs of {@link madWindow}, one element per pixel of the window. */
export interface MadOutput {
  /**
   * Z = Σₖ MADₖ² / σₖ²; NaN where not valid. A change ranking rather than a calibrated χ²(n)
   * value: IR-MAD estimates σₖ² with the no-change probabilities as weights, which
   * down-weights the no-change tail too, so after reweighting σₖ² is underestimated and Z
   * inflated (at the fixed point on pure Gaussian no-change data the mean Z is about 13 for
   * n = 4, not 4; by simulation). After the first, unweighted iteration Z is deflated instead
   * (change inflates σₖ²). Thresholds found on the histogram (Otsu, mixture) are unaffected.
   */
  readonly chiSquare: Float32Array;
  /**
   * No-change probability w = 1 − P_χ²(Z; n) = P(χ²(n) > Z), in [0, 1]: the weights of the
   * next iteration and the selection of no-change pixels; 0 where not valid.
   */
  readonly weights: Float32Array;
  /** When given (n arrays), the MAD variates themselves; NaN where not valid. */
  readonly mad?: readonly Float32Array[];
}

/** Per-variate constant so that MADₖ = Σⱼ aₖⱼ Aⱼ − Σⱼ bₖⱼ Bⱼ − offsetₖ. */
function offsetsOf(params: IrmadParameters): Float64Array {
  const n = params.bandCount;
  const offsets = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sum = 0;
    for (let j = 0; j < n; j++) {
      sum += (params.a[k * n + j] ?? 0) * (params.meanA[j] ?? 0);
      sum -= (params.b[k * n + j] ?? 0) * (params.meanB[j] ?? 0);
    }
    offsets[k] = sum;
  }
  return offsets;
}

/**
 * For a pair of variates: v0[i] += Σq row0[j+q]·Sq[start+i] and v1[i] += Σq row1[j+q]·Sq[start+i]
 * over the sources S0 … S3 = sources[j … j+3] (or only S0, S1 when `four` is false). Reading
 * the bands directly and updating two variates per pass keeps the passes over a chunk few.
 */
function addSourcesToPair(
  v0: Float64Array,
  v1: Float64Array,
  sources: readonly PixelArray[],
  j: number,
  c: Float64Array,
  row0: number,
  row1: number,
  start: number,
  length: number,
): void {
  const s0 = sources[j];
  const s1 = sources[j + 1];
  if (s0 === undefined || s1 === undefined) return;
  const [a0, a1, b0, b1] = [
    c[row0 + j] ?? 0,
    c[row0 + j + 1] ?? 0,
    c[row1 + j] ?? 0,
    c[row1 + j + 1] ?? 0,
  ];
  const s2 = sources[j + 2];
  const s3 = sources[j + 3];
  if (s2 === undefined || s3 === undefined) {
    for (let i = 0; i < length; i++) {
      const x0 = s0[start + i] ?? 0;
      const x1 = s1[start + i] ?? 0;
      v0[i] = (v0[i] ?? 0) + a0 * x0 + a1 * x1;
      v1[i] = (v1[i] ?? 0) + b0 * x0 + b1 * x1;
    }
    return;
  }
  const [a2, a3, b2, b3] = [
    c[row0 + j + 2] ?? 0,
    c[row0 + j + 3] ?? 0,
    c[row1 + j + 2] ?? 0,
    c[row1 + j + 3] ?? 0,
  ];
  for (let i = 0; i < length; i++) {
    const x0 = s0[start + i] ?? 0;
    const x1 = s1[start + i] ?? 0;
    const x2 = s2[start + i] ?? 0;
    const x3 = s3[start + i] ?? 0;
    v0[i] = (v0[i] ?? 0) + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
    v1[i] = (v1[i] ?? 0) + b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
  }
}

/** z[i] += v0[i]²·scale0 + v1[i]²·scale1. */
function addSquares(
  z: Float64Array,
  v0: Float64Array,
  v1: Float64Array,
  scale0: number,
  scale1: number,
  length: number,
): void {
  for (let i = 0; i < length; i++) {
    const x0 = v0[i] ?? 0;
    const x1 = v1[i] ?? 0;
    z[i] = (z[i] ?? 0) + x0 * x0 * scale0 + x1 * x1 * scale1;
  }
}

/** Row k: [aₖ₀ … aₖₙ₋₁, −bₖ₀ … −bₖₙ₋₁], matching the sources [A₀ … Aₙ₋₁, B₀ … Bₙ₋₁]. */
function coefficientsOf(params: IrmadParameters): Float64Array {
  const n = params.bandCount;
  const m = 2 * n;
  const coefficients = new Float64Array(n * m);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      coefficients[k * m + j] = params.a[k * n + j] ?? 0;
      coefficients[k * m + n + j] = -(params.b[k * n + j] ?? 0);
    }
  }
  return coefficients;
}

function checkOutputs(out: MadOutput, length: number, n: number): void {
  const { chiSquare, weights, mad } = out;
  if (chiSquare.length !== length || weights.length !== length) {
    throw new ValidationError(
      `madWindow: chiSquare and weights must have ${length} elements, got ${chiSquare.length} and ${weights.length}`,
    );
  }
  if (mad !== undefined && (mad.length !== n || mad.some((v) => v.length !== length))) {
    throw new ValidationError(`madWindow: mad must be ${n} arrays of ${length} elements`);
  }
}

/**
 * Computes MAD variates, Z and the no-change weights for one window. Float64 inside, float32
 * out. Invalid pixels (valid[p] === 0) get Z = NaN, weight 0 and MAD = NaN, whatever their
 * values (nodata is never counted as change).
 * @throws ValidationError when band counts or lengths disagree with the parameters or `out`.
 */
export function madWindow(
  params: IrmadParameters,
  bandsA: readonly PixelArray[],
  bandsB: readonly PixelArray[],
  valid: Uint8Array,
  out: MadOutput,
): void {
  const length = valid.length;
  const n = checkBandPair(bandsA, bandsB, length, 'madWindow');
  if (n !== params.bandCount) {
    throw new ValidationError(`madWindow: parameters are for ${params.bandCount} bands, got ${n}`);
  }
  checkOutputs(out, length, n);
  const m = 2 * n;
  const offsets = offsetsOf(params);
  const coefficients = coefficientsOf(params);
  const inverseVariance = params.madVariance.map((v) => 1 / v);
  const sources = [...bandsA, ...bandsB];
  const v0 = new Float64Array(CHUNK);
  const v1 = new Float64Array(CHUNK);
  const z = new Float64Array(CHUNK);
  for (let start = 0; start < length; start += CHUNK) {
    const chunkLength = Math.min(CHUNK, length - start);
    z.fill(0);
    // Variates two at a time; with odd n the last one is paired with itself (scale 0).
    for (let k = 0; k < n; k += 2) {
      const k1 = Math.min(k + 1, n - 1);
      v0.fill(-(offsets[k] ?? 0));
      v1.fill(-(offsets[k1] ?? 0));
      for (let j = 0; j < m; j += 4) {
        addSourcesToPair(v0, v1, sources, j, coefficients, k * m, k1 * m, start, chunkLength);
      }
      const scale1 = k1 === k ? 0 : (inverseVariance[k1] ?? 0);
      addSquares(z, v0, v1, inverseVariance[k] ?? 0, scale1, chunkLength);
      const mad0 = out.mad?.[k];
      const mad1 = k1 === k ? undefined : out.mad?.[k1];
      if (mad0 !== undefined) writeMad(mad0, v0, valid, start, chunkLength);
      if (mad1 !== undefined) writeMad(mad1, v1, valid, start, chunkLength);
    }
    writeChiSquare(out, z, valid, n, start, chunkLength);
  }
}

function writeMad(
  target: Float32Array,
  variate: Float64Array,
  valid: Uint8Array,
  start: number,
  length: number,
): void {
  for (let i = 0; i < length; i++) {
    target[start + i] = valid[start + i] === 0 ? Number.NaN : (variate[i] ?? 0);
  }
}

function writeChiSquare(
  out: MadOutput,
  z: Float64Array,
  valid: Uint8Array,
  n: number,
  start: number,
  length: number,
): void {
  const { chiSquare, weights } = out;
  for (let i = 0; i < length; i++) {
    if (valid[start + i] === 0) {
      chiSquare[start + i] = Number.NaN;
      weights[start + i] = 0;
      continue;
    }
    const value = z[i] ?? 0;
    chiSquare[start + i] = value;
    weights[start + i] = chiSquareSurvivalFast(value, n);
  }
}
