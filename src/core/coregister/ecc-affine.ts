/**
 * Affine co-registration by ECC maximisation (Evangelidis & Psarakis 2008, see ecc-level.ts)
 * on a box-filter pyramid, initialised from the phase-correlation translation. Handles rotation,
 * scale and shear that a translation leaves behind. Works at the resolution it is given: for
 * large images pass a decimated copy or a window (cost ∝ pixels × iterations).
 */
import { ValidationError } from '../errors.ts';
import {
  cornerDisagreementPx,
  invertAffine,
  translationAffine,
  type AffineMatrix,
} from './affine.ts';
import { checkImage, isDataSample, type ImageSamples } from './correlation-input.ts';
import { decimateBox } from './decimate.ts';
import { accumulateEcc, eccUpdate, imageGradients, type EccLevel } from './ecc-level.ts';
import { estimateTranslationPyramid } from './pyramid.ts';

export interface EccOptions {
  /**
   * Starting map from moving to reference pixel coordinates; default: the translation from
   * estimateTranslationPyramid.
   */
  readonly initial?: AffineMatrix;
  /** Most pyramid levels (factor 2 each), stopping before a side drops under 32 px; default 4. */
  readonly maxLevels?: number;
  /** Most iterations per level; default 50. */
  readonly maxIterations?: number;
  /** Stop a level when the update moves no image corner by more than this (level px); default 1e-3. */
  readonly tolerancePx?: number;
  /** A sample value meaning "no data" (NaN and ±Infinity always do); such pixels are ignored. */
  readonly nodata?: number | null;
}

export interface EccResult {
  /** Maps moving pixel coordinates to reference pixel coordinates (see affine.ts). */
  readonly movingToReference: AffineMatrix;
  /** Its inverse: reference(p) ≈ moving(referenceToMoving(p)); the map warpAffine needs. */
  readonly referenceToMoving: AffineMatrix;
  /** Correlation coefficient of reference and warped moving at full resolution, in [−1, 1]. */
  readonly correlation: number;
  /** Updates made over all levels. */
  readonly iterations: number;
  /**
   * True when the full-resolution level stopped because an update moved no corner by more
   * than tolerancePx; false when it ran out of iterations or a level's ECC step was undefined
   * (uncorrelated or non-overlapping images).
   */
  readonly converged: boolean;
}

const MIN_LEVEL_SIZE_PX = 32;

/**
 * The affine map between `moving` and `reference` (both width × height, row-major) that
 * maximises their correlation coefficient; see {@link EccResult} for the direction of each
 * matrix. Missing samples are ignored.
 * @throws ValidationError when the images do not hold width × height samples (sides ≥ 16 px),
 * an option is out of range, or `initial` is not invertible.
 */
export function estimateAffineEcc(
  reference: ImageSamples,
  moving: ImageSamples,
  width: number,
  height: number,
  options: EccOptions = {},
): EccResult {
  checkImage(reference, width, height, 'estimateAffineEcc reference', 16);
  checkImage(moving, width, height, 'estimateAffineEcc moving', 16);
  const maxLevels = options.maxLevels ?? 4;
  const maxIterations = options.maxIterations ?? 50;
  const tolerancePx = options.tolerancePx ?? 1e-3;
  if (
    !Number.isInteger(maxLevels) ||
    maxLevels < 1 ||
    !Number.isInteger(maxIterations) ||
    maxIterations < 1
  ) {
    throw new ValidationError(
      `maxLevels and maxIterations must be positive integers; got ${maxLevels} and ${maxIterations}`,
    );
  }
  if (!(tolerancePx > 0)) throw new ValidationError(`tolerancePx must be > 0; got ${tolerancePx}`);
  const nodata = options.nodata ?? null;
  const initial =
    options.initial ?? initialFromTranslation(reference, moving, width, height, nodata);
  const levels = buildLevels(reference, moving, width, height, maxLevels, nodata);
  let warp = toCoarser(invertAffine(initial), levels.length - 1);
  let iterations = 0;
  let converged = true;
  for (let index = levels.length - 1; index >= 0; index--) {
    const level = levels[index];
    if (level === undefined) continue;
    const run = refineLevel(level, warp, maxIterations, tolerancePx);
    warp = run.warp;
    iterations += run.iterations;
    if (run.stop === 'undefined-step' || (index === 0 && run.stop !== 'tolerance'))
      converged = false;
    if (index > 0) warp = toFiner(warp);
  }
  const full = levels[0];
  const correlation = full === undefined ? 0 : accumulateEcc(full, warp).correlation;
  return {
    movingToReference: invertAffine(warp),
    referenceToMoving: warp,
    correlation,
    iterations,
    converged,
  };
}

function initialFromTranslation(
  reference: ImageSamples,
  moving: ImageSamples,
  width: number,
  height: number,
  nodata: number | null,
): AffineMatrix {
  const shift = estimateTranslationPyramid(reference, moving, width, height, {
    nodata,
    upsampleFactor: 20,
  });
  return translationAffine(shift.dx, shift.dy);
}

function refineLevel(
  level: EccLevel,
  start: AffineMatrix,
  maxIterations: number,
  tolerancePx: number,
): {
  warp: AffineMatrix;
  iterations: number;
  stop: 'tolerance' | 'max-iterations' | 'undefined-step';
} {
  let warp = start;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const delta = eccUpdate(accumulateEcc(level, warp), level.width, level.height);
    if (delta === null) return { warp, iterations: iteration, stop: 'undefined-step' };
    const next: AffineMatrix = [
      warp[0] + delta[0],
      warp[1] + delta[1],
      warp[2] + delta[2],
      warp[3] + delta[3],
      warp[4] + delta[4],
      warp[5] + delta[5],
    ];
    const step = cornerDisagreementPx(next, warp, level.width, level.height);
    warp = next;
    if (step < tolerancePx) return { warp, iterations: iteration + 1, stop: 'tolerance' };
  }
  return { warp, iterations: maxIterations, stop: 'max-iterations' };
}

/** Level 0 at full resolution, then box-decimated by 2 while both sides stay ≥ 32 px. */
function buildLevels(
  reference: ImageSamples,
  moving: ImageSamples,
  width: number,
  height: number,
  maxLevels: number,
  nodata: number | null,
): EccLevel[] {
  const levels: EccLevel[] = [];
  let ref = withMissingAsNaN(reference, nodata);
  let mov = withMissingAsNaN(moving, nodata);
  let w = width;
  let h = height;
  for (;;) {
    const { gx, gy } = imageGradients(mov, w, h);
    levels.push({ width: w, height: h, reference: ref, moving: mov, gradientX: gx, gradientY: gy });
    if (levels.length >= maxLevels || Math.min(w, h) < 2 * MIN_LEVEL_SIZE_PX) return levels;
    const coarseRef = decimateBox(ref, w, h, 2);
    const coarseMov = decimateBox(mov, w, h, 2);
    ref = coarseRef.data;
    mov = coarseMov.data;
    w = coarseRef.width;
    h = coarseRef.height;
  }
}

function withMissingAsNaN(image: ImageSamples, nodata: number | null): Float64Array {
  const out = new Float64Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const v = image[i] ?? Number.NaN;
    out[i] = isDataSample(v, nodata) ? v : Number.NaN;
  }
  return out;
}

/**
 * The reference → moving warp at `steps` levels coarser. A coarse pixel u covers fine pixels
 * 2u and 2u + 1, so fine p = 2u + ½: W_fine(p) = A·p + 2·t_coarse + (I − A)·(½, ½).
 */
function toCoarser(warp: AffineMatrix, steps: number): AffineMatrix {
  let w = warp;
  for (let s = 0; s < steps; s++) {
    const [a, b, c, d, e, f] = w;
    w = [a, b, (c - 0.5 * (1 - a - b)) / 2, d, e, (f - 0.5 * (1 - d - e)) / 2];
  }
  return w;
}

function toFiner(warp: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = warp;
  return [a, b, 2 * c + 0.5 * (1 - a - b), d, e, 2 * f + 0.5 * (1 - d - e)];
}
