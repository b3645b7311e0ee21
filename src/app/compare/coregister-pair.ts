/**
 * Co-registration of a comparison pair: a global translation (phase correlation, sub-pixel)
 * estimated on a decimated "luminance" of each image (the mean of its standardised common
 * bands, standardised with the image's ingest statistics) so memory stays at two images of at
 * most {@link COREGISTER_MAX_SIDE_PX}² floats; then, on images that had to be decimated,
 * refined at full resolution on a few chips read window by window (refine-on-chips.ts), whose
 * spread gives the local residual. Without usable chips, the residual comes from local tiles
 * of the decimated images. The same read fills the strip cache that the change statistic's
 * passes use.
 */
import type { RegistrationResult } from '../../core/change/comparison.ts';
import {
  estimateLocalShifts,
  summariseResiduals,
  type ResidualSummary,
} from '../../core/coregister/local-shifts.ts';
import { NO_TRANSLATION } from '../../core/coregister/phase-correlation.ts';
import { estimateTranslationPyramid } from '../../core/coregister/pyramid.ts';
import { ValidationError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { StripLayout, StripWorkspace } from '../ports.ts';
import type { ComparisonPair } from './comparison-pair.ts';
import { CHIP_MIN_CONFIDENCE, refineOnChips, type ChipRefinement } from './refine-on-chips.ts';
import type { Standardiser } from './strip-kernels.ts';
import { cacheStrips, type DecodedSources, type StripPassOptions } from './strip-pipeline.ts';

/** Longer side of the decimated luminance images, px. */
export const COREGISTER_MAX_SIDE_PX = 1024;
/** Global estimates below this confidence are flagged unreliable and not applied. */
export const RELIABILITY_THRESHOLD = 0.5;
/** Local tiles below this confidence do not count in the residual. */
const LOCAL_MIN_CONFIDENCE = 0.3;

function standardiserOf(image: ImageRecord, bandIndexes: readonly number[]): Standardiser {
  const mean = new Float64Array(bandIndexes.length);
  const invStd = new Float64Array(bandIndexes.length);
  bandIndexes.forEach((band, i) => {
    const stats = image.stats[band];
    mean[i] = stats?.mean ?? 0;
    const std = stats?.stdDev ?? 1;
    invStd[i] = std > 0 ? 1 / std : 1;
  });
  return { mean, invStd };
}

function luminanceImage(sums: Float64Array, counts: Float64Array): Float32Array {
  const out = new Float32Array(sums.length);
  for (let i = 0; i < out.length; i += 1) {
    const n = counts[i] ?? 0;
    out[i] = n > 0 ? (sums[i] ?? 0) / n : Number.NaN;
  }
  return out;
}

/**
 * Reads both images once onto the grid, caching their strips in the workspace (and B's
 * decoded windows in `decodedB`, for re-warping once the shift is known), and estimates
 * the translation carrying B onto A from the decimated luminance of those strips. Images
 * under 4 decimated pixels a side get dx = dy = 0, confidence 0 (unreliable).
 * @throws ValidationError when the images share no valid pixel; CancelledError.
 */
export async function coregisterPair(
  pair: ComparisonPair,
  layout: StripLayout,
  workspace: StripWorkspace,
  options: StripPassOptions & { readonly decodedB: DecodedSources },
): Promise<RegistrationResult> {
  const { width, height } = pair.grid;
  const factor = Math.max(1, Math.ceil(Math.max(width, height) / COREGISTER_MAX_SIDE_PX));
  const dw = Math.ceil(width / factor);
  const dh = Math.ceil(height / factor);
  const sumsA = new Float64Array(dw * dh);
  const sumsB = new Float64Array(dw * dh);
  const counts = new Float64Array(dw * dh);
  const standardiserA = standardiserOf(pair.a.image, pair.a.bandIndexes);
  const standardiserB = standardiserOf(pair.b.image, pair.b.bandIndexes);
  const parts = await cacheStrips(
    pair,
    layout,
    workspace,
    { sides: 'both', mappingB: pair.b.mapping, decodedB: options.decodedB },
    options,
    (strip) =>
      workspace.runner.run('luminance', {
        strip,
        factor,
        cellsWide: dw,
        gridWidth: width,
        standardiserA,
        standardiserB,
      }),
  );
  for (const part of parts) {
    const offset = part.firstCellRow * dw;
    for (let i = 0; i < part.counts.length; i += 1) {
      sumsA[offset + i] = (sumsA[offset + i] ?? 0) + (part.sumsA[i] ?? 0);
      sumsB[offset + i] = (sumsB[offset + i] ?? 0) + (part.sumsB[i] ?? 0);
      counts[offset + i] = (counts[offset + i] ?? 0) + (part.counts[i] ?? 0);
    }
  }
  if (!counts.some((n) => n > 0)) {
    throw new ValidationError(
      `images ${pair.a.image.id} and ${pair.b.image.id} share no valid pixel on the comparison grid (all nodata where they overlap)`,
    );
  }
  const luminanceA = luminanceImage(sumsA, counts);
  const luminanceB = luminanceImage(sumsB, counts);
  const global =
    Math.min(dw, dh) < 4
      ? NO_TRANSLATION
      : estimateTranslationPyramid(luminanceA, luminanceB, dw, dh);
  const coarse = { dx: global.dx * factor, dy: global.dy * factor, confidence: global.confidence };
  if (factor > 1 && global.confidence > 0) {
    const refined = await refineOnChips(
      pair,
      workspace,
      {
        coarse,
        coarseReference: { data: luminanceA, width: dw, height: dh, factor },
        standardiserA,
        standardiserB,
      },
      { ...options, stage: 'refining registration on full-resolution chips' },
    );
    const result = refinedRegistration(coarse, factor, refined, pair.gsdMeters);
    if (result !== null) return result;
  }
  const residual = coarseResidual(luminanceA, luminanceB, dw, dh, global);
  const toGrid = (px: number | null) => (px === null ? null : px * factor);
  return registration(
    coarse,
    { medianPx: toGrid(residual.medianPx), p90Px: toGrid(residual.p90Px) },
    factor,
    pair.gsdMeters,
  );
}

/** Residual of local tiles of the decimated images about `global` (decimated px). */
function coarseResidual(
  reference: Float32Array,
  moving: Float32Array,
  width: number,
  height: number,
  global: { readonly dx: number; readonly dy: number },
): ResidualSummary {
  if (Math.min(width, height) < 16) return summariseResiduals([]);
  const tileSize = Math.max(8, Math.min(64, Math.floor(Math.min(width, height) / 2)));
  return estimateLocalShifts(reference, moving, width, height, {
    tileSize,
    minConfidence: LOCAL_MIN_CONFIDENCE,
    global: { dx: global.dx, dy: global.dy },
  }).residual;
}

/**
 * The chips' shift, when it lies within half a decimated pixel of the coarse one (else the
 * coarse one stands), with the chips' residual about it; decimation 1 (full resolution).
 * Confidence: the larger of the coarse and the chips' (the coarse correlation vouches for the
 * alignment as a whole, the chips for its sub-pixel part).
 */
function refinedRegistration(
  coarse: { readonly dx: number; readonly dy: number; readonly confidence: number },
  factor: number,
  refined: ChipRefinement,
  gsdMeters: number | null,
): RegistrationResult | null {
  const { estimate } = refined;
  if (estimate === null) return null;
  if (Math.hypot(estimate.dx - coarse.dx, estimate.dy - coarse.dy) > factor / 2) {
    return null;
  }
  const residual = summariseResiduals(
    refined.chips
      .filter((chip) => chip.confidence >= CHIP_MIN_CONFIDENCE)
      .map((chip) => Math.hypot(chip.dx - estimate.dx, chip.dy - estimate.dy)),
  );
  return registration(
    {
      dx: estimate.dx,
      dy: estimate.dy,
      confidence: Math.max(coarse.confidence, estimate.confidence),
    },
    residual,
    1,
    gsdMeters,
  );
}

function registration(
  shift: { readonly dx: number; readonly dy: number; readonly confidence: number },
  residual: { readonly medianPx: number | null; readonly p90Px: number | null },
  decimation: number,
  gsdMeters: number | null,
): RegistrationResult {
  const { dx, dy, confidence } = shift;
  const residualMedianPx = residual.medianPx;
  const residualP90Px = residual.p90Px;
  const toMeters = (px: number | null) =>
    px === null || gsdMeters === null ? null : px * gsdMeters;
  const reliable = confidence >= RELIABILITY_THRESHOLD;
  return {
    dx,
    dy,
    residualMedianPx,
    residualP90Px,
    residualMedianM: toMeters(residualMedianPx),
    residualP90M: toMeters(residualP90Px),
    confidence,
    reliable,
    applied: reliable && (dx !== 0 || dy !== 0),
    decimation,
  };
}
