/**
 * Global translation between two images of one place by phase correlation, with sub-pixel
 * refinement by the upsampled DFT and a confidence score.
 *
 * Convention: the estimate (dx, dy), in pixels (x to the right along columns, y down along
 * rows), is the shift that carries `moving` onto `reference`:
 *   reference(x, y) ≈ moving(x − dx, y − dy),
 * so a feature at column c of `moving` appears at column c + dx of `reference`, and
 * `shiftImage(moving, width, height, dx, dy, …)` resamples `moving` onto `reference`.
 */
import { TooLargeError, ValidationError } from '../errors.ts';
import { fft2d, nextPowerOfTwo } from '../fft/fft.ts';
import { fft2dRealPair } from '../fft/real-pair.ts';
import {
  checkImage,
  dataStats,
  isFlat,
  prepareForCorrelation,
  type CorrelationWindow,
  type ImageSamples,
} from './correlation-input.ts';
import { refinePeak, type HermitianSpectrum, type Peak } from './upsampled-dft.ts';

export interface TranslationOptions {
  /** Precision of the refinement is 1/upsampleFactor px; integer in [1, 1000], default 100. */
  readonly upsampleFactor?: number;
  /** Apodisation before the FFT; default 'hann' (recommended: it also tames zero-padding). */
  readonly window?: CorrelationWindow;
  /** A sample value meaning "no data" (NaN and ±Infinity always do); default none. */
  readonly nodata?: number | null;
  /** Largest padded FFT size accepted, in pixels; default 4096² (use the pyramid above). */
  readonly maxFftPixels?: number;
  /**
   * Radius, in cycles per pixel, at which the raised-cosine weighting of the normalised
   * cross-power spectrum, cos²(π/2 · |f| / radius), reaches 0; in (0, 0.71], default 0.3.
   * null weighs every frequency alike (plain phase correlation, as scikit-image).
   * The weighting is real, even and non-negative, so it leaves the peak of a pure translation
   * where it is; it discards the high frequencies whose phase resampling, aliasing and noise
   * corrupt, which otherwise bias sub-pixel estimates on resampled images by up to 0.15 px.
   */
  readonly lowPassCyclesPerPx?: number | null;
}

/** A translation estimate; see the module comment for the sign convention. */
export interface TranslationEstimate {
  /** Shift along x (columns) in pixels carrying `moving` onto `reference`. */
  readonly dx: number;
  /** Shift along y (rows) in pixels carrying `moving` onto `reference`. */
  readonly dy: number;
  /**
   * Height of the refined correlation peak, 1 for a pure cyclic shift, near 0 for unrelated
   * images (the weighted phase-only correlation divided by the sum of its weights).
   */
  readonly peakHeight: number;
  /**
   * peakHeight / the highest correlation value outside the square of radius 4 px around the
   * peak (radius min(4, FFT side / 4) on tiny images); ≥ 0, finite (the runner-up is floored
   * at 1e-12, so identical images give about 1e12).
   */
  readonly peakRatio: number;
  /**
   * 1 − 1/peakRatio clamped to [0, 1]: 0 when another peak is as high (ambiguous or
   * unrelated images, flat images), 0.5 when the peak is twice the runner-up, 0.9 at ten times,
   * → 1 for a clear single peak.
   */
  readonly confidence: number;
}

const DEFAULT_UPSAMPLE = 100;
const DEFAULT_MAX_FFT_PIXELS = 4096 * 4096;
const DEFAULT_LOW_PASS_CYCLES_PER_PX = 0.3;
/** Radius (px) around the peak excluded when looking for the runner-up (less on tiny FFTs). */
const EXCLUSION_RADIUS = 4;
/** Floor of the runner-up, so the ratio stays finite for exact (e.g. identical) pairs. */
const RUNNER_UP_FLOOR = 1e-12;

/** The estimate returned for pairs that carry no usable signal (flat or empty images). */
export const NO_TRANSLATION: TranslationEstimate = {
  dx: 0,
  dy: 0,
  peakHeight: 0,
  peakRatio: 0,
  confidence: 0,
};

/**
 * The translation carrying `moving` onto `reference` (see the module comment), to
 * 1/upsampleFactor px. Both images are width × height, row-major; missing samples are replaced
 * by the image mean. Sizes that are not powers of two are zero-padded after apodisation.
 * A flat or empty image gives {@link NO_TRANSLATION} (confidence 0), never NaN.
 * @throws ValidationError when the arrays do not hold width × height samples, a size is below
 * 4 px, upsampleFactor is not an integer in [1, 1000], or lowPassCyclesPerPx is outside
 * (0, 0.71].
 * @throws TooLargeError when the padded FFT would exceed maxFftPixels.
 */
export function estimateTranslation(
  reference: ImageSamples,
  moving: ImageSamples,
  width: number,
  height: number,
  options: TranslationOptions = {},
): TranslationEstimate {
  checkImage(reference, width, height, 'estimateTranslation reference');
  checkImage(moving, width, height, 'estimateTranslation moving');
  const upsampleFactor = options.upsampleFactor ?? DEFAULT_UPSAMPLE;
  if (!Number.isInteger(upsampleFactor) || upsampleFactor < 1 || upsampleFactor > 1000) {
    throw new ValidationError(
      `upsampleFactor must be an integer in [1, 1000]; got ${upsampleFactor}`,
    );
  }
  const lowPass =
    options.lowPassCyclesPerPx === undefined
      ? DEFAULT_LOW_PASS_CYCLES_PER_PX
      : options.lowPassCyclesPerPx;
  if (lowPass !== null && !(lowPass > 0 && lowPass <= 0.71)) {
    throw new ValidationError(`lowPassCyclesPerPx must be in (0, 0.71] or null; got ${lowPass}`);
  }
  const padded = { width: nextPowerOfTwo(width), height: nextPowerOfTwo(height) };
  const maxFftPixels = options.maxFftPixels ?? DEFAULT_MAX_FFT_PIXELS;
  if (padded.width * padded.height > maxFftPixels) {
    throw new TooLargeError(
      `phase correlation of ${width} × ${height} needs a ${padded.width} × ${padded.height} FFT, ` +
        `above ${maxFftPixels} px; use estimateTranslationPyramid`,
    );
  }
  const nodata = options.nodata ?? null;
  const window = options.window ?? 'hann';
  const referenceStats = dataStats(reference, nodata);
  const movingStats = dataStats(moving, nodata);
  if (isFlat(referenceStats) || isFlat(movingStats)) return NO_TRANSLATION;
  const a = prepareForCorrelation(reference, width, height, padded, {
    window,
    nodata,
    mean: referenceStats.mean,
  });
  const b = prepareForCorrelation(moving, width, height, padded, {
    window,
    nodata,
    mean: movingStats.mean,
  });
  const cross = crossPowerSpectrum(a, b, padded.width, padded.height, lowPass);
  if (cross.weightSum === 0) return NO_TRANSLATION;
  return locatePeak(cross, upsampleFactor);
}

interface CrossPower extends HermitianSpectrum {
  /** Sum of the weights of the frequencies kept: the height of a perfect peak. */
  readonly weightSum: number;
}

/**
 * The weighted, normalised cross-power spectrum w(f)·A·conj(B)/|A·conj(B)| whose inverse
 * transform peaks at the shift carrying b onto a. DC, the Nyquist row and column, and bins
 * with no energy are 0.
 */
function crossPowerSpectrum(
  a: Float64Array,
  b: Float64Array,
  width: number,
  height: number,
  lowPass: number | null,
): CrossPower {
  const { aRe, aIm, bRe, bIm } = fft2dRealPair(a, b, width, height);
  const re = aRe;
  const im = aIm;
  let largestSquared = 0;
  for (let i = 0; i < re.length; i++) {
    const ar = aRe[i] ?? 0;
    const ai = aIm[i] ?? 0;
    const br = bRe[i] ?? 0;
    const bi = bIm[i] ?? 0;
    const cr = ar * br + ai * bi;
    const ci = ai * br - ar * bi;
    re[i] = cr;
    im[i] = ci;
    const squared = cr * cr + ci * ci;
    if (squared > largestSquared) largestSquared = squared;
  }
  // Bins below 1e-13 of the strongest carry only rounding noise; normalising them would
  // give that noise full weight.
  const thresholdSquared = largestSquared * 1e-26;
  const weightX = axisFrequencies(width);
  const weightY = axisFrequencies(height);
  let weightSum = 0;
  for (let ky = 0; ky < height; ky++) {
    const fy = weightY[ky] ?? 0;
    for (let kx = 0; kx < width; kx++) {
      const i = ky * width + kx;
      const cr = re[i] ?? 0;
      const ci = im[i] ?? 0;
      const squared = cr * cr + ci * ci;
      const fx = weightX[kx] ?? 0;
      const weight = i === 0 || !(squared > thresholdSquared) ? 0 : spectralWeight(fx, fy, lowPass);
      const scale = weight === 0 ? 0 : weight / Math.sqrt(squared);
      re[i] = cr * scale;
      im[i] = ci * scale;
      weightSum += weight;
    }
  }
  return { re, im, width, height, weightSum };
}

/** Signed frequency of each index in cycles per pixel; NaN marks the Nyquist index. */
function axisFrequencies(size: number): Float64Array {
  return Float64Array.from({ length: size }, (_, k) =>
    size > 1 && 2 * k === size ? Number.NaN : (k < size / 2 ? k : k - size) / size,
  );
}

/** cos²(π/2 · |f| / lowPass) inside the radius, 0 outside and at Nyquist; 1 when lowPass is null. */
function spectralWeight(fx: number, fy: number, lowPass: number | null): number {
  if (Number.isNaN(fx) || Number.isNaN(fy)) return 0;
  if (lowPass === null) return 1;
  const rho = Math.sqrt(fx * fx + fy * fy) / lowPass;
  return rho >= 1 ? 0 : Math.cos((Math.PI / 2) * rho) ** 2;
}

/** Integer peak of the inverse transform, runner-up, then sub-pixel refinement. */
function locatePeak(cross: CrossPower, upsampleFactor: number): TranslationEstimate {
  const { width, height, weightSum } = cross;
  const surfaceRe = cross.re.slice();
  const surfaceIm = cross.im.slice();
  fft2d(surfaceRe, surfaceIm, width, height, true);
  const scale = (width * height) / weightSum;
  let peakIndex = 0;
  for (let i = 1; i < surfaceRe.length; i++) {
    if ((surfaceRe[i] ?? 0) > (surfaceRe[peakIndex] ?? 0)) peakIndex = i;
  }
  const px = peakIndex % width;
  const py = Math.floor(peakIndex / width);
  const runnerUp = highestOutside(surfaceRe, width, height, px, py) * scale;
  const start: Peak = {
    x: px < width / 2 ? px : px - width,
    y: py < height / 2 ? py : py - height,
    value: (surfaceRe[peakIndex] ?? 0) * scale,
  };
  const refined = refinePeak(cross, start, upsampleFactor, 1 / weightSum);
  const peakHeight = Math.max(refined.value, start.value);
  const peakRatio = Math.max(0, peakHeight) / Math.max(runnerUp, RUNNER_UP_FLOOR);
  const confidence = peakRatio <= 1 ? 0 : 1 - 1 / peakRatio;
  return { dx: refined.x + 0, dy: refined.y + 0, peakHeight, peakRatio, confidence };
}

/** Largest value of a cyclic surface outside a square around (px, py). */
function highestOutside(
  surface: Float64Array,
  width: number,
  height: number,
  px: number,
  py: number,
): number {
  const radius = Math.min(EXCLUSION_RADIUS, Math.floor(Math.min(width, height) / 4));
  let best = Number.NEGATIVE_INFINITY;
  for (let y = 0; y < height; y++) {
    const dyWrapped = Math.min(Math.abs(y - py), height - Math.abs(y - py));
    const rowNear = dyWrapped <= radius;
    for (let x = 0; x < width; x++) {
      if (rowNear) {
        const dxWrapped = Math.min(Math.abs(x - px), width - Math.abs(x - px));
        if (dxWrapped <= radius) continue;
      }
      const v = surface[y * width + x] ?? 0;
      if (v > best) best = v;
    }
  }
  return best;
}
