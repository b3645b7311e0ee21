/**
 * Local shifts on a grid of tiles, to measure the misregistration that a global model leaves
 * behind (terrain, a rotation, a rolling-shutter skew, a bad tile of the orthorectification).
 */
import { ValidationError } from '../errors.ts';
import { checkImage, type ImageSamples } from './correlation-input.ts';
import type { TranslationOptions } from './phase-correlation.ts';
import { quantile } from './robust-stats.ts';
import { estimateTileShift, type TileShift } from './tile-shift.ts';

export type { TileShift } from './tile-shift.ts';

export interface LocalShiftOptions extends TranslationOptions {
  /** Side of each square tile in pixels (≥ 8, ≤ the image's width and height); e.g. 256. */
  readonly tileSize: number;
  /** Distance between tile origins in pixels; default tileSize (tiles touch, no overlap). */
  readonly step?: number;
  /** Tiles below this confidence are reported but left out of the residual; default 0.3. */
  readonly minConfidence?: number;
  /**
   * The global model whose residual is measured, as the shift (px) carrying moving onto
   * reference; also the prediction that offsets each moving tile. Default (0, 0).
   */
  readonly global?: { readonly dx: number; readonly dy: number };
}

/** Summary of residual misregistration distances, in pixels. */
export interface ResidualSummary {
  /** Median residual in pixels; null when count is 0. */
  readonly medianPx: number | null;
  /** 90th percentile residual in pixels; null when count is 0. */
  readonly p90Px: number | null;
  /** Number of values summarised. */
  readonly count: number;
}

export interface LocalShifts {
  /** Every tile of the grid, row-major, confident or not. */
  readonly tiles: TileShift[];
  /** |local − global| (Euclidean, px) over the tiles with confidence ≥ minConfidence. */
  readonly residual: ResidualSummary;
}

const DEFAULT_MIN_CONFIDENCE = 0.3;

/**
 * Median and 90th percentile (linear interpolation between order statistics, as numpy) of the
 * finite `values` in pixels; nulls and count 0 when there is none.
 */
export function summariseResiduals(values: readonly number[]): ResidualSummary {
  const finite = values.filter((v) => Number.isFinite(v));
  return { medianPx: quantile(finite, 0.5), p90Px: quantile(finite, 0.9), count: finite.length };
}

/**
 * Shifts (same convention as estimateTranslation) of square tiles laid from the top-left
 * corner every `step` pixels while they fit, and the residual against options.global. Each
 * moving tile is offset by the rounded global shift (clamped inside the image), so large global
 * shifts still correlate overlapping content. Cost: one phase correlation per tile.
 * @throws ValidationError when the images do not hold width × height samples, tileSize is not
 * an integer in [8, min(width, height)], step is not a positive integer, or the global shift is
 * not finite.
 */
export function estimateLocalShifts(
  reference: ImageSamples,
  moving: ImageSamples,
  width: number,
  height: number,
  options: LocalShiftOptions,
): LocalShifts {
  checkImage(reference, width, height, 'estimateLocalShifts reference');
  checkImage(moving, width, height, 'estimateLocalShifts moving');
  const { tileSize } = options;
  const step = options.step ?? tileSize;
  const global = options.global ?? { dx: 0, dy: 0 };
  if (!Number.isInteger(tileSize) || tileSize < 8 || tileSize > Math.min(width, height)) {
    throw new ValidationError(
      `tileSize must be an integer in [8, ${Math.min(width, height)}] px for a ${width} × ${height} image; got ${tileSize}`,
    );
  }
  if (!Number.isInteger(step) || step < 1) {
    throw new ValidationError(`step must be a positive integer (px); got ${step}`);
  }
  if (!Number.isFinite(global.dx) || !Number.isFinite(global.dy)) {
    throw new ValidationError(`global shift must be finite; got (${global.dx}, ${global.dy})`);
  }
  const minConfidence = options.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  const tiles: TileShift[] = [];
  const residuals: number[] = [];
  for (let row0 = 0; row0 + tileSize <= height; row0 += step) {
    for (let col0 = 0; col0 + tileSize <= width; col0 += step) {
      const { tile } = estimateTileShift(
        reference,
        moving,
        width,
        height,
        { col0, row0, size: tileSize },
        global,
        options,
      );
      tiles.push(tile);
      if (tile.confidence >= minConfidence) {
        residuals.push(Math.hypot(tile.dx - global.dx, tile.dy - global.dy));
      }
    }
  }
  return { tiles, residual: summariseResiduals(residuals) };
}
