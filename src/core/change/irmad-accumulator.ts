/**
 * The streaming half of IR-MAD: weighted means and the 2n × 2n covariance of the stacked
 * vector [A₁ … Aₙ, B₁ … Bₙ], fed window by window in float64. Windows are processed in
 * chunks of {@link IRMAD_CHUNK_PIXELS}: each chunk's co-moments are centred on its own
 * weighted mean and merged with the pairwise update of Chan et al., so sums over hundreds of
 * millions of uint16 pixels keep full precision and the result does not depend on the window
 * split (to rounding).
 * Memory is O(n² + n · chunk), independent of the window size.
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';
import { checkBandPair } from './valid-mask.ts';

/** Pixels per inner chunk: the scratch (2n planes of float64) stays in the L1/L2 cache. */
export const IRMAD_CHUNK_PIXELS = 1024;

/** Largest band count IR-MAD accepts (the stacked covariance is 2n × 2n). */
export const IRMAD_MAX_BANDS = 16;

/** Accumulated weighted moments of the stacked vector z = [A; B] (length 2n). */
export interface IrmadMoments {
  readonly bandCount: number;
  /** Valid pixels seen (weight ignored). */
  readonly pixelCount: number;
  /** Σ w over valid pixels. */
  readonly totalWeight: number;
  /** Weighted mean of z, length 2n: A's bands then B's. */
  readonly mean: Float64Array;
  /** Σ w (z − mean)(z − mean)ᵀ, row-major 2n × 2n (divide by totalWeight for covariance). */
  readonly comoment: Float64Array;
}

/** Streaming accumulator for one IR-MAD iteration (one pass over the image). */
export interface IrmadAccumulator {
  /**
   * Adds one window. `weights` (null: all 1) are the no-change probabilities of the previous
   * iteration, in [0, 1]; pixels with `valid[p] === 0` are skipped whatever their values.
   * @throws ValidationError when band counts or lengths disagree.
   */
  add(
    bandsA: readonly PixelArray[],
    bandsB: readonly PixelArray[],
    weights: Float32Array | null,
    valid: Uint8Array,
  ): void;
  /** Merges moments accumulated elsewhere (e.g. by another worker over other windows). */
  addMoments(moments: IrmadMoments): void;
  /** A copy of the moments so far. */
  moments(): IrmadMoments;
}

interface State {
  pixelCount: number;
  totalWeight: number;
  readonly mean: Float64Array;
  readonly comoment: Float64Array;
}

function mergeInto(state: State, part: IrmadMoments | State, m: number): void {
  if (part.totalWeight <= 0) {
    state.pixelCount += part.pixelCount;
    return;
  }
  const total = state.totalWeight + part.totalWeight;
  const factor = (state.totalWeight * part.totalWeight) / total;
  const ratio = part.totalWeight / total;
  for (let j = 0; j < m; j++) {
    const dj = (part.mean[j] ?? 0) - (state.mean[j] ?? 0);
    for (let k = 0; k < m; k++) {
      const dk = (part.mean[k] ?? 0) - (state.mean[k] ?? 0);
      const index = j * m + k;
      state.comoment[index] =
        (state.comoment[index] ?? 0) + (part.comoment[index] ?? 0) + dj * dk * factor;
    }
  }
  for (let j = 0; j < m; j++) {
    state.mean[j] = (state.mean[j] ?? 0) + ((part.mean[j] ?? 0) - (state.mean[j] ?? 0)) * ratio;
  }
  state.totalWeight = total;
  state.pixelCount += part.pixelCount;
}

/**
 * Chunk reduction. Values are shifted by a per-band constant (the weighted mean of the first
 * chunk with weight) in the same loop that loads them, the 2 × 2-blocked sums of shifted
 * products are centred on the chunk mean afterwards (C = S − W m mᵀ, cancellation only
 * within one chunk and relative to the shift), and chunks are merged pairwise.
 */
class ChunkReducer {
  readonly planes: Float64Array;
  readonly weight = new Float64Array(IRMAD_CHUNK_PIXELS);
  readonly weighted: Float64Array;
  readonly chunk: State;
  /** Per-band shift; set from the first chunk that has weight. */
  readonly shift: Float64Array;
  private hasShift = false;
  /** Chunk means of the shifted values. */
  private readonly shiftedMean: Float64Array;

  constructor(readonly m: number) {
    this.planes = new Float64Array(m * IRMAD_CHUNK_PIXELS);
    this.weighted = new Float64Array(m * IRMAD_CHUNK_PIXELS);
    this.shift = new Float64Array(m);
    this.shiftedMean = new Float64Array(m);
    this.chunk = {
      pixelCount: 0,
      totalWeight: 0,
      mean: new Float64Array(m),
      comoment: new Float64Array(m * m),
    };
  }

  /** Loads weights; returns false when the chunk has no weight. */
  loadWeights(weights: Float32Array | null, valid: Uint8Array, start: number, length: number) {
    const w = this.weight;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < length; i++) {
      const isValid = valid[start + i] !== 0;
      const value = isValid ? (weights === null ? 1 : (weights[start + i] ?? 0)) : 0;
      w[i] = value;
      sum += value;
      count += isValid ? 1 : 0;
    }
    this.chunk.totalWeight = sum;
    this.chunk.pixelCount = count;
    return sum > 0;
  }

  /** Sets the shifts from the weighted means of this chunk (once per accumulator). */
  ensureShift(sources: readonly PixelArray[], start: number, length: number): void {
    if (this.hasShift) return;
    const w = this.weight;
    for (let j = 0; j < this.m; j++) {
      const source = sources[j];
      if (source === undefined) continue;
      let sum = 0;
      for (let i = 0; i < length; i++) {
        const wi = w[i] ?? 0;
        if (wi !== 0) sum += wi * (source[start + i] ?? 0);
      }
      this.shift[j] = sum / this.chunk.totalWeight;
    }
    this.hasShift = true;
  }

  /** Loads band j shifted (0 where the weight is 0) and its weighted copy. */
  loadPlane(j: number, source: PixelArray, start: number, length: number): void {
    const { planes, weighted } = this;
    const w = this.weight;
    const offset = j * IRMAD_CHUNK_PIXELS;
    const shift = this.shift[j] ?? 0;
    let sum = 0;
    for (let i = 0; i < length; i++) {
      const wi = w[i] ?? 0;
      const value = wi === 0 ? 0 : (source[start + i] ?? 0) - shift;
      const weightedValue = wi * value;
      planes[offset + i] = value;
      weighted[offset + i] = weightedValue;
      sum += weightedValue;
    }
    const shiftedMean = sum / this.chunk.totalWeight;
    this.shiftedMean[j] = shiftedMean;
    this.chunk.mean[j] = shift + shiftedMean;
  }

  /** Turns the sums of shifted products into sums of products centred on the chunk mean. */
  centre(): void {
    const { m, shiftedMean } = this;
    const comoment = this.chunk.comoment;
    const total = this.chunk.totalWeight;
    for (let j = 0; j < m; j++) {
      const scaled = total * (shiftedMean[j] ?? 0);
      for (let k = 0; k < m; k++) {
        comoment[j * m + k] = (comoment[j * m + k] ?? 0) - scaled * (shiftedMean[k] ?? 0);
      }
    }
  }

  /**
   * Weighted cross products of the loaded planes. The 2n planes are taken two by two
   * (2 × 2 register blocks: four independent sums per pixel instead of one dependent chain,
   * about 1.6× faster in V8); the upper triangle is mirrored.
   */
  comoments(length: number): void {
    const { planes, weighted, m } = this;
    const comoment = this.chunk.comoment;
    for (let j = 0; j < m; j += 2) {
      const j0 = j * IRMAD_CHUNK_PIXELS;
      const j1 = j0 + IRMAD_CHUNK_PIXELS;
      for (let k = 0; k <= j; k += 2) {
        const k0 = k * IRMAD_CHUNK_PIXELS;
        const k1 = k0 + IRMAD_CHUNK_PIXELS;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let i = 0; i < length; i++) {
          const x0 = weighted[j0 + i] ?? 0;
          const x1 = weighted[j1 + i] ?? 0;
          const y0 = planes[k0 + i] ?? 0;
          const y1 = planes[k1 + i] ?? 0;
          s00 += x0 * y0;
          s01 += x0 * y1;
          s10 += x1 * y0;
          s11 += x1 * y1;
        }
        storeBlock(comoment, m, j, k, s00, s01, s10, s11);
      }
    }
  }
}

/** Writes the 2 × 2 block at (j, k) and its mirror at (k, j). */
function storeBlock(
  c: Float64Array,
  m: number,
  j: number,
  k: number,
  s00: number,
  s01: number,
  s10: number,
  s11: number,
): void {
  // On the diagonal s01 and s10 are the same sum rounded differently: keep one, stay symmetric.
  const s10Symmetric = j === k ? s01 : s10;
  c[j * m + k] = s00;
  c[j * m + k + 1] = s01;
  c[(j + 1) * m + k] = s10Symmetric;
  c[(j + 1) * m + k + 1] = s11;
  c[k * m + j] = s00;
  c[(k + 1) * m + j] = s01;
  c[k * m + j + 1] = s10Symmetric;
  c[(k + 1) * m + j + 1] = s11;
}

/**
 * Creates an accumulator for `bandCount` bands per image.
 * @throws ValidationError when bandCount is not an integer in [1, {@link IRMAD_MAX_BANDS}].
 */
export function createIrmadAccumulator(bandCount: number): IrmadAccumulator {
  if (!Number.isInteger(bandCount) || bandCount < 1 || bandCount > IRMAD_MAX_BANDS) {
    throw new ValidationError(
      `IR-MAD bandCount must be an integer in [1, ${IRMAD_MAX_BANDS}], got ${bandCount}`,
    );
  }
  const m = 2 * bandCount;
  const state: State = {
    pixelCount: 0,
    totalWeight: 0,
    mean: new Float64Array(m),
    comoment: new Float64Array(m * m),
  };
  const reducer = new ChunkReducer(m);
  return {
    add(bandsA, bandsB, weights, valid) {
      const length = valid.length;
      const n = checkBandPair(bandsA, bandsB, length, 'IrmadAccumulator.add');
      if (n !== bandCount) {
        throw new ValidationError(`IrmadAccumulator.add: expected ${bandCount} bands, got ${n}`);
      }
      if (weights !== null && weights.length !== length) {
        throw new ValidationError(
          `IrmadAccumulator.add: weights have ${weights.length} elements, expected ${length}`,
        );
      }
      const sources = [...bandsA, ...bandsB];
      for (let start = 0; start < length; start += IRMAD_CHUNK_PIXELS) {
        const chunkLength = Math.min(IRMAD_CHUNK_PIXELS, length - start);
        if (!reducer.loadWeights(weights, valid, start, chunkLength)) {
          state.pixelCount += reducer.chunk.pixelCount;
          continue;
        }
        reducer.ensureShift(sources, start, chunkLength);
        for (let j = 0; j < m; j++) {
          const source = sources[j];
          if (source !== undefined) reducer.loadPlane(j, source, start, chunkLength);
        }
        reducer.comoments(chunkLength);
        reducer.centre();
        mergeInto(state, reducer.chunk, m);
      }
    },
    addMoments(moments) {
      if (moments.bandCount !== bandCount) {
        throw new ValidationError(
          `IrmadAccumulator.addMoments: expected ${bandCount} bands, got ${moments.bandCount}`,
        );
      }
      mergeInto(state, moments, m);
    },
    moments: () => ({
      bandCount,
      pixelCount: state.pixelCount,
      totalWeight: state.totalWeight,
      mean: Float64Array.from(state.mean),
      comoment: Float64Array.from(state.comoment),
    }),
  };
}
