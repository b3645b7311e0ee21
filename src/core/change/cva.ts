/**
 * Change vector analysis (CVA): per pixel, the vector of band differences d = B − A, its
 * length (magnitude) and its direction. Optionally each difference is standardised first from
 * statistics accumulated over the whole image (see {@link createCvaStatsAccumulator}).
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';
import type { BivariateMoments } from './bivariate-moments.ts';
import {
  createBivariateMoments,
  mergeBivariateMoments,
  windowBivariateMoments,
} from './bivariate-moments.ts';
import { checkBandPair, computeValidMask } from './valid-mask.ts';

/** Per-band statistics over the valid pixels of the whole image pair (population std). */
export interface CvaStatistics {
  readonly pixelCount: number;
  readonly meanA: Float64Array;
  readonly stdA: Float64Array;
  readonly meanB: Float64Array;
  readonly stdB: Float64Array;
  /** Mean of B − A per band. */
  readonly meanDifference: Float64Array;
  /** Standard deviation of B − A per band. */
  readonly stdDifference: Float64Array;
}

/** Streaming accumulator of {@link CvaStatistics}, fed window by window. */
export interface CvaStatsAccumulator {
  /**
   * Adds one window: bands of A and B (same length) and the validity mask.
   * @throws ValidationError when band counts or lengths disagree.
   */
  add(bandsA: readonly PixelArray[], bandsB: readonly PixelArray[], valid: Uint8Array): void;
  /** Statistics so far (zeros where no valid pixel was seen). */
  result(): CvaStatistics;
}

/**
 * Creates a {@link CvaStatsAccumulator} for `bandCount` bands (float64, merged per window).
 * @throws ValidationError when bandCount is not a positive integer.
 */
export function createCvaStatsAccumulator(bandCount: number): CvaStatsAccumulator {
  if (!Number.isInteger(bandCount) || bandCount < 1) {
    throw new ValidationError(`bandCount must be a positive integer, got ${bandCount}`);
  }
  const moments = Array.from({ length: bandCount }, createBivariateMoments);
  return {
    add(bandsA, bandsB, valid) {
      const n = checkBandPair(bandsA, bandsB, valid.length, 'CvaStatsAccumulator.add');
      if (n !== bandCount) {
        throw new ValidationError(`CvaStatsAccumulator.add: expected ${bandCount} bands, got ${n}`);
      }
      moments.forEach((m, j) => {
        const a = bandsA[j];
        const b = bandsB[j];
        if (a !== undefined && b !== undefined) {
          mergeBivariateMoments(m, windowBivariateMoments(a, b, valid));
        }
      });
    },
    result: () => cvaStatisticsOf(moments),
  };
}

/**
 * CVA statistics from per-band moments (x = A, y = B). With `standardiseBWithA`, B is given
 * A's mean and standard deviation (for a B already normalised to A's radiometry, so that
 * per-image standardisation does not undo the normalisation).
 */
export function cvaStatisticsOf(
  moments: readonly BivariateMoments[],
  options: { readonly standardiseBWithA?: boolean } = {},
): CvaStatistics {
  const withA = options.standardiseBWithA === true;
  const n = moments.length;
  const stats = {
    pixelCount: moments[0]?.count ?? 0,
    meanA: new Float64Array(n),
    stdA: new Float64Array(n),
    meanB: new Float64Array(n),
    stdB: new Float64Array(n),
    meanDifference: new Float64Array(n),
    stdDifference: new Float64Array(n),
  };
  moments.forEach((m, j) => {
    if (m.count === 0) return;
    const stdA = Math.sqrt(m.sxx / m.count);
    stats.meanA[j] = m.meanX;
    stats.meanB[j] = withA ? m.meanX : m.meanY;
    stats.stdA[j] = stdA;
    stats.stdB[j] = withA ? stdA : Math.sqrt(m.syy / m.count);
    stats.meanDifference[j] = m.meanY - m.meanX;
    stats.stdDifference[j] = Math.sqrt(Math.max(0, m.sxx + m.syy - 2 * m.sxy) / m.count);
  });
  return stats;
}

/**
 * How differences are scaled before the norm:
 * - `none`: d = B − A in data units (sensitive to gain/offset differences between dates);
 * - `per-image`: each date is z-scored on its own, d = (B − μB)/σB − (A − μA)/σA, which
 *   cancels a global linear gain/offset between the dates;
 * - `difference`: d = (B − A − μd)/σd, so bands with a wide dynamic range do not dominate.
 */
export type CvaStandardisation =
  | { readonly mode: 'none' }
  | { readonly mode: 'per-image' | 'difference'; readonly statistics: CvaStatistics };

/**
 * Direction of the change vector:
 * - `angle`: atan2(d₁, d₀) in radians, (−π, π], in the plane of the first two bands (one band:
 *   0 for an increase, π for a decrease);
 * - `dominant-band`: ±(j + 1) where band j has the largest |dⱼ| and the sign is that of dⱼ
 *   (0 where d = 0).
 */
export type CvaDirectionMode = 'angle' | 'dominant-band';

/** Outputs of {@link cvaWindow}, one element per pixel of the window. */
export interface CvaOutput {
  /** ‖d‖₂ (data units, or unitless when standardised); NaN where not valid. */
  readonly magnitude: Float32Array;
  /** Written when given, per `directionMode`; NaN where not valid. */
  readonly direction?: Float32Array;
  /** 1 where every band of both images holds data, else 0. */
  readonly valid: Uint8Array;
}

export interface CvaOptions {
  readonly standardisation?: CvaStandardisation;
  /** Default `angle`. */
  readonly directionMode?: CvaDirectionMode;
}

interface Coefficients {
  readonly scaleA: Float64Array;
  readonly scaleB: Float64Array;
  readonly shift: Float64Array;
}

function safeInverse(std: number | undefined, name: string, band: number): number {
  if (std === undefined || !(std > 0)) {
    throw new ValidationError(
      `cvaWindow: ${name} of band ${band} is ${std}; standardisation needs a positive standard deviation`,
    );
  }
  return 1 / std;
}

/** d_j = scaleB_j · B − scaleA_j · A − shift_j. */
function coefficientsOf(standardisation: CvaStandardisation, n: number): Coefficients {
  const scaleA = new Float64Array(n).fill(1);
  const scaleB = new Float64Array(n).fill(1);
  const shift = new Float64Array(n);
  if (standardisation.mode === 'none') return { scaleA, scaleB, shift };
  const s = standardisation.statistics;
  if (s.meanA.length !== n) {
    throw new ValidationError(`cvaWindow: statistics have ${s.meanA.length} bands, images ${n}`);
  }
  for (let j = 0; j < n; j++) {
    if (standardisation.mode === 'per-image') {
      scaleA[j] = safeInverse(s.stdA[j], 'stdA', j);
      scaleB[j] = safeInverse(s.stdB[j], 'stdB', j);
      shift[j] = (s.meanB[j] ?? 0) * (scaleB[j] ?? 0) - (s.meanA[j] ?? 0) * (scaleA[j] ?? 0);
    } else {
      const inverse = safeInverse(s.stdDifference[j], 'stdDifference', j);
      scaleA[j] = inverse;
      scaleB[j] = inverse;
      shift[j] = (s.meanDifference[j] ?? 0) * inverse;
    }
  }
  return { scaleA, scaleB, shift };
}

/** Adds dⱼ² of one band to `sumSquares` and returns nothing; d is written to `differences`. */
function accumulateBand(
  a: PixelArray,
  b: PixelArray,
  scaleA: number,
  scaleB: number,
  shift: number,
  sumSquares: Float32Array,
  differences: Float32Array | null,
): void {
  const length = sumSquares.length;
  for (let p = 0; p < length; p++) {
    const d = scaleB * (b[p] ?? 0) - scaleA * (a[p] ?? 0) - shift;
    sumSquares[p] = (sumSquares[p] ?? 0) + d * d;
    if (differences !== null) differences[p] = d;
  }
}

/**
 * Change vector magnitude (and optionally direction) of one window.
 * @param nodataA nodata value of A (null: none; NaN always counts as nodata); same for B.
 * @throws ValidationError when band counts or lengths disagree with `out`, or a
 *   standardisation divides by a zero standard deviation.
 */
export function cvaWindow(
  bandsA: readonly PixelArray[],
  bandsB: readonly PixelArray[],
  nodataA: number | null,
  nodataB: number | null,
  out: CvaOutput,
  options: CvaOptions = {},
): void {
  const { magnitude, direction, valid } = out;
  const length = valid.length;
  const n = checkBandPair(bandsA, bandsB, length, 'cvaWindow');
  if (magnitude.length !== length || (direction !== undefined && direction.length !== length)) {
    throw new ValidationError(`cvaWindow: output arrays must all have ${length} elements`);
  }
  computeValidMask(bandsA, bandsB, nodataA, nodataB, valid);
  const { scaleA, scaleB, shift } = coefficientsOf(options.standardisation ?? { mode: 'none' }, n);
  const dominant = options.directionMode === 'dominant-band';
  const differences = direction === undefined ? null : new Float32Array(length);
  const best = dominant ? new Float32Array(length) : null;
  magnitude.fill(0);
  direction?.fill(0);
  for (let j = 0; j < n; j++) {
    const a = bandsA[j];
    const b = bandsB[j];
    if (a === undefined || b === undefined) continue;
    const keep = dominant || j < 2 ? differences : null;
    accumulateBand(a, b, scaleA[j] ?? 1, scaleB[j] ?? 1, shift[j] ?? 0, magnitude, keep);
    if (direction === undefined || differences === null) continue;
    if (best !== null) updateDominant(differences, best, direction, j);
    else if (j === 0) direction.set(differences);
    else if (j === 1) applyAngle(differences, direction);
  }
  if (direction !== undefined && !dominant && n === 1)
    applyAngle(new Float32Array(length), direction);
  finish(magnitude, direction, valid);
}

function updateDominant(d: Float32Array, best: Float32Array, direction: Float32Array, j: number) {
  const length = d.length;
  for (let p = 0; p < length; p++) {
    const value = d[p] ?? 0;
    const size = Math.abs(value);
    if (size > (best[p] ?? 0)) {
      best[p] = size;
      direction[p] = value > 0 ? j + 1 : -(j + 1);
    }
  }
}

/** direction holds d₀; replaces it with atan2(d₁, d₀). */
function applyAngle(d1: Float32Array, direction: Float32Array): void {
  const length = d1.length;
  for (let p = 0; p < length; p++) direction[p] = Math.atan2(d1[p] ?? 0, direction[p] ?? 0);
}

function finish(magnitude: Float32Array, direction: Float32Array | undefined, valid: Uint8Array) {
  const length = valid.length;
  for (let p = 0; p < length; p++) {
    if (valid[p] === 0) {
      magnitude[p] = Number.NaN;
      if (direction !== undefined) direction[p] = Number.NaN;
    } else {
      magnitude[p] = Math.sqrt(magnitude[p] ?? 0);
    }
  }
}
