/**
 * Translation of one square tile of the reference, shared by the local-shift grid and the
 * pyramid estimator.
 */
import type { ImageSamples } from './correlation-input.ts';
import { extractWindow } from './image-window.ts';
import {
  estimateTranslation,
  type TranslationEstimate,
  type TranslationOptions,
} from './phase-correlation.ts';

/** The shift measured on one tile (same sign convention as estimateTranslation). */
export interface TileShift {
  /** Column and row of the tile's top-left pixel in the reference, and its side, in pixels. */
  readonly col0: number;
  readonly row0: number;
  readonly size: number;
  /** Shift in pixels carrying `moving` onto `reference` at this tile. */
  readonly dx: number;
  readonly dy: number;
  /** Confidence of the tile's correlation peak, in [0, 1]. */
  readonly confidence: number;
}

/**
 * The shift at the reference tile (col0, row0, size), correlating it with the moving tile
 * displaced by the integer prediction (predictedDx, predictedDy) — clamped so it stays inside
 * the image — so that large shifts keep the tiles overlapping. The tile must fit the image.
 */
export function estimateTileShift(
  reference: ImageSamples,
  moving: ImageSamples,
  width: number,
  height: number,
  tile: { readonly col0: number; readonly row0: number; readonly size: number },
  prediction: { readonly dx: number; readonly dy: number },
  options: TranslationOptions,
): { readonly tile: TileShift; readonly estimate: TranslationEstimate } {
  const { col0, row0, size } = tile;
  const movingCol0 = clamp(col0 - Math.round(prediction.dx), 0, width - size);
  const movingRow0 = clamp(row0 - Math.round(prediction.dy), 0, height - size);
  const estimate = estimateTranslation(
    extractWindow(reference, width, { col0, row0, width: size, height: size }),
    extractWindow(moving, width, { col0: movingCol0, row0: movingRow0, width: size, height: size }),
    size,
    size,
    options,
  );
  const tileShift = {
    col0,
    row0,
    size,
    dx: col0 - movingCol0 + estimate.dx,
    dy: row0 - movingRow0 + estimate.dy,
    confidence: estimate.confidence,
  };
  return { tile: tileShift, estimate };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
