/**
 * The full-resolution refinement of a coarse translation: which chips to correlate (textured,
 * spread over the image, their moving counterparts inside it) and how to combine the chips'
 * shifts (robustly: a confidence-weighted median, then the confidence-weighted mean of the
 * chips that agree with it). Shared by the in-memory pyramid and the compare pipeline, which
 * reads only the chips' windows of its images.
 */
import { ValidationError } from '../errors.ts';
import type { ImageSamples } from './correlation-input.ts';
import { windowInside, windowTexture, type ImageWindow } from './image-window.ts';
import type { TranslationEstimate } from './phase-correlation.ts';
import { weightedMedian } from './robust-stats.ts';
import type { TileShift } from './tile-shift.ts';

/** A coarse (decimated) copy of the reference: pixel (u, v) covers fine [u·f, u·f + f)². */
export interface CoarseReference {
  readonly data: ImageSamples;
  readonly width: number;
  readonly height: number;
  readonly factor: number;
}

/** A square chip of the reference: top-left pixel and side, in full-resolution pixels. */
export interface Chip {
  readonly col0: number;
  readonly row0: number;
  readonly size: number;
}

export interface ChipSelection {
  /** Side of the cells of the centred grid the chips are cut from, px. */
  readonly cellSizePx: number;
  /** Pixels left between each chip and its cell's edges (chip side = cell − 2·inset); ≥ 0. */
  readonly insetPx: number;
  /** Most chips returned. */
  readonly maxChips: number;
  /** The coarse shift (px) carrying moving onto reference; its rounding offsets moving chips. */
  readonly shift: { readonly dx: number; readonly dy: number };
  readonly nodata: number | null;
}

/** Chips with under this fraction of data samples (on the coarse reference) are skipped. */
const MIN_CHIP_DATA_FRACTION = 0.9;
/** Spread picks must have at least this fraction of the plain top-K's lowest texture. */
const SPREAD_MIN_TEXTURE_FRACTION = 0.25;
/** Chips further than this from the weighted median (px) count as disagreeing. */
export const CHIP_AGREEMENT_PX = 0.5;

/**
 * Up to maxChips chips of a centred grid of cells whose moving counterpart (offset by the
 * rounded coarse shift) stays inside the width × height image and whose footprint on the coarse
 * reference holds ≥ 90 % data. Ranked by the footprint's gradient energy; first the most
 * textured chip of each of ⌈√maxChips⌉² regions of the grid (when it has at least a quarter of
 * the texture of the plain top-maxChips' least textured), so the chips spread over the image,
 * then the most textured of the rest.
 * @throws ValidationError when the inset leaves a chip under 8 px or maxChips < 1.
 */
export function chooseRefinementChips(
  coarse: CoarseReference,
  width: number,
  height: number,
  selection: ChipSelection,
): Chip[] {
  const { cellSizePx, insetPx, maxChips, shift, nodata } = selection;
  const size = cellSizePx - 2 * insetPx;
  if (!Number.isInteger(size) || size < 8 || insetPx < 0 || !(maxChips >= 1)) {
    throw new ValidationError(
      `refinement chips need cell − 2·inset ≥ 8 px and maxChips ≥ 1; got cell ${cellSizePx}, inset ${insetPx}, maxChips ${maxChips}`,
    );
  }
  const ox = Math.round(shift.dx);
  const oy = Math.round(shift.dy);
  const columns = Math.floor(width / cellSizePx);
  const rows = Math.floor(height / cellSizePx);
  const marginX = Math.floor((width - columns * cellSizePx) / 2);
  const marginY = Math.floor((height - rows * cellSizePx) / 2);
  const regions = Math.ceil(Math.sqrt(maxChips));
  const { factor } = coarse;
  const candidates: (Chip & { score: number; region: number })[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const col0 = marginX + c * cellSizePx + insetPx;
      const row0 = marginY + r * cellSizePx + insetPx;
      const moving: ImageWindow = { col0: col0 - ox, row0: row0 - oy, width: size, height: size };
      if (!windowInside(moving, width, height)) continue;
      const side = Math.max(2, Math.floor(size / factor));
      const footprint = {
        col0: Math.floor(col0 / factor),
        row0: Math.floor(row0 / factor),
        width: side,
        height: side,
      };
      if (!windowInside(footprint, coarse.width, coarse.height)) continue;
      const texture = windowTexture(coarse.data, coarse.width, footprint, nodata);
      if (texture.dataFraction < MIN_CHIP_DATA_FRACTION) continue;
      const region =
        Math.floor((r * regions) / Math.max(1, rows)) * regions +
        Math.floor((c * regions) / Math.max(1, columns));
      candidates.push({ col0, row0, size, score: texture.gradientEnergy, region });
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  const floor =
    SPREAD_MIN_TEXTURE_FRACTION *
    (candidates[Math.min(maxChips, candidates.length) - 1]?.score ?? 0);
  const chosen = new Set<(typeof candidates)[number]>();
  const regionsTaken = new Set<number>();
  for (const candidate of candidates) {
    if (regionsTaken.has(candidate.region) || !(candidate.score > floor)) continue;
    regionsTaken.add(candidate.region);
    chosen.add(candidate);
  }
  for (const candidate of candidates) chosen.add(candidate);
  return [...chosen].slice(0, maxChips).map(({ col0, row0 }) => ({ col0, row0, size }));
}

/** A chip's measured shift with the correlation it came from. */
export interface ChipShift {
  readonly tile: TileShift;
  readonly estimate: TranslationEstimate;
}

/**
 * The translation from the chips with confidence ≥ minConfidence: the confidence-weighted
 * median of dx and dy, then the confidence-weighted mean of the chips within
 * {@link CHIP_AGREEMENT_PX} of it (outliers rejected, the rest averaged for precision).
 * Confidence = median chip confidence × the fraction of confident chips that agree; peakRatio
 * and peakHeight are the confident chips' medians. Null when no chip is confident.
 */
export function combineChipShifts(
  chips: readonly ChipShift[],
  minConfidence: number,
): TranslationEstimate | null {
  const confident = chips.filter(
    ({ tile }) => tile.confidence >= minConfidence && tile.confidence > 0,
  );
  const weights = confident.map(({ tile }) => tile.confidence);
  const medianDx = weightedMedian(
    confident.map(({ tile }) => tile.dx),
    weights,
  );
  const medianDy = weightedMedian(
    confident.map(({ tile }) => tile.dy),
    weights,
  );
  if (medianDx === null || medianDy === null) return null;
  const agreeing = confident.filter(
    ({ tile }) => Math.hypot(tile.dx - medianDx, tile.dy - medianDy) <= CHIP_AGREEMENT_PX,
  );
  let weightSum = 0;
  let dx = 0;
  let dy = 0;
  for (const { tile } of agreeing) {
    weightSum += tile.confidence;
    dx += tile.confidence * tile.dx;
    dy += tile.confidence * tile.dy;
  }
  const median = (values: number[]): number =>
    weightedMedian(
      values,
      values.map(() => 1),
    ) ?? 0;
  return {
    dx: weightSum > 0 ? dx / weightSum : medianDx,
    dy: weightSum > 0 ? dy / weightSum : medianDy,
    confidence: median(weights) * (agreeing.length / confident.length),
    peakRatio: median(confident.map(({ estimate }) => estimate.peakRatio)),
    peakHeight: median(confident.map(({ estimate }) => estimate.peakHeight)),
  };
}
