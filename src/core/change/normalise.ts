/**
 * Relative radiometric normalisation of image B to image A from invariant (no-change) pixels,
 * after Canty & Nielsen (2008, "Automatic radiometric normalization of multitemporal satellite
 * imagery with the iteratively re-weighted MAD transformation", RSE 112): pixels whose IR-MAD
 * no-change probability exceeds a cut are taken as invariant, and per band an orthogonal
 * (total least squares) regression A ≈ gain · B + offset is fitted, which, unlike ordinary
 * least squares, treats both dates' noise alike and is symmetric in A and B.
 * For the non-parametric alternative see `histogram-match.ts`.
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';
import type { BivariateMoments } from './bivariate-moments.ts';
import {
  createBivariateMoments,
  mergeBivariateMoments,
  windowBivariateMoments,
} from './bivariate-moments.ts';
import { checkBandPair } from './valid-mask.ts';

/** B′ = gain · B + offset per band maps B onto A's radiometry. */
export interface NormalisationParameters {
  readonly bandCount: number;
  readonly gain: Float64Array;
  readonly offset: Float64Array;
  /** Pearson correlation of A and B over the invariant pixels, per band (a quality check). */
  readonly correlation: Float64Array;
  /** Invariant pixels used. */
  readonly pixelCount: number;
}

export interface NormalisationAccumulator {
  /**
   * Adds the invariant pixels of one window: valid and (when given) no-change probability
   * above the cut.
   * @throws ValidationError when band counts or lengths disagree.
   */
  add(
    bandsA: readonly PixelArray[],
    bandsB: readonly PixelArray[],
    noChangeProbability: Float32Array | null,
    valid: Uint8Array,
  ): void;
  /**
   * Fits the regressions.
   * @throws ValidationError when fewer than 2 invariant pixels were seen, or a band has no
   *   positive covariance between the dates (nothing to fit: constant, or inverted).
   */
  result(): NormalisationParameters;
}

export interface NormalisationOptions {
  /** Invariant pixels have no-change probability strictly above this. Default 0.95. */
  readonly minNoChangeProbability?: number;
}

/** Orthogonal-regression slope and intercept of y on x, or null when sxy ≤ 0. */
export function orthogonalRegression(m: BivariateMoments): { gain: number; offset: number } | null {
  if (!(m.sxy > 0)) return null;
  const spread = m.syy - m.sxx;
  const gain = (spread + Math.sqrt(spread * spread + 4 * m.sxy * m.sxy)) / (2 * m.sxy);
  return { gain, offset: m.meanY - gain * m.meanX };
}

/**
 * Creates an accumulator of invariant-pixel moments (x = B, y = A per band; float64, merged
 * per window so the result does not depend on the window split).
 * @throws ValidationError when bandCount is not a positive integer or the cut is outside [0, 1).
 */
export function createNormalisationAccumulator(
  bandCount: number,
  options: NormalisationOptions = {},
): NormalisationAccumulator {
  const cut = options.minNoChangeProbability ?? 0.95;
  if (!Number.isInteger(bandCount) || bandCount < 1) {
    throw new ValidationError(`bandCount must be a positive integer, got ${bandCount}`);
  }
  if (!(cut >= 0 && cut < 1)) {
    throw new ValidationError(`minNoChangeProbability must be in [0, 1), got ${cut}`);
  }
  const moments = Array.from({ length: bandCount }, createBivariateMoments);
  let selected = new Uint8Array(0);
  return {
    add(bandsA, bandsB, noChangeProbability, valid) {
      const length = valid.length;
      const n = checkBandPair(bandsA, bandsB, length, 'NormalisationAccumulator.add');
      if (n !== bandCount) {
        throw new ValidationError(
          `NormalisationAccumulator.add: expected ${bandCount} bands, got ${n}`,
        );
      }
      if (noChangeProbability !== null && noChangeProbability.length !== length) {
        throw new ValidationError(
          `NormalisationAccumulator.add: probabilities have ${noChangeProbability.length} elements, expected ${length}`,
        );
      }
      if (selected.length !== length) selected = new Uint8Array(length);
      for (let p = 0; p < length; p++) {
        const probability = noChangeProbability === null ? 1 : (noChangeProbability[p] ?? 0);
        selected[p] = valid[p] !== 0 && probability > cut ? 1 : 0;
      }
      for (let j = 0; j < n; j++) {
        const a = bandsA[j];
        const b = bandsB[j];
        const m = moments[j];
        if (a && b && m) mergeBivariateMoments(m, windowBivariateMoments(b, a, selected));
      }
    },
    result() {
      const gain = new Float64Array(bandCount);
      const offset = new Float64Array(bandCount);
      const correlation = new Float64Array(bandCount);
      const pixelCount = moments[0]?.count ?? 0;
      if (pixelCount < 2) {
        throw new ValidationError(
          `normalisation needs at least 2 invariant pixels (no-change probability > ${cut}), got ${pixelCount}`,
        );
      }
      moments.forEach((m, j) => {
        const fit = orthogonalRegression(m);
        if (fit === null) {
          throw new ValidationError(
            `normalisation: band ${j} has covariance ${m.sxy / m.count} between the dates over invariant pixels; expected > 0`,
          );
        }
        gain[j] = fit.gain;
        offset[j] = fit.offset;
        correlation[j] = m.sxy / Math.sqrt(m.sxx * m.syy);
      });
      return { bandCount, gain, offset, correlation, pixelCount };
    },
  };
}

/**
 * Applies B′ = gain · B + offset band by band (float32 out). Nodata (and NaN) stays NaN.
 * @param options.out arrays to write into (reused across windows); allocated when absent.
 * @throws ValidationError when the band count differs from the parameters or `out` is the
 *   wrong shape.
 */
export function applyNormalisation(
  bandsB: readonly PixelArray[],
  params: NormalisationParameters,
  options: { readonly nodata?: number | null; readonly out?: readonly Float32Array[] } = {},
): Float32Array[] {
  if (bandsB.length !== params.bandCount) {
    throw new ValidationError(
      `applyNormalisation: parameters are for ${params.bandCount} bands, got ${bandsB.length}`,
    );
  }
  const nodata = options.nodata ?? null;
  return bandsB.map((band, j) => {
    const target = options.out?.[j] ?? new Float32Array(band.length);
    if (target.length !== band.length) {
      throw new ValidationError(
        `applyNormalisation: out[${j}] has ${target.length} elements, band ${band.length}`,
      );
    }
    const gain = params.gain[j] ?? 1;
    const offset = params.offset[j] ?? 0;
    const length = band.length;
    for (let p = 0; p < length; p++) {
      const value = band[p] ?? Number.NaN;
      target[p] = value === nodata ? Number.NaN : gain * value + offset;
    }
    return target;
  });
}
