/**
 * Translation of images of any size with bounded work: a coarse phase correlation on a
 * box-decimated copy (≤ coarseMaxSizePx on its longer side), then upsampled phase correlation on
 * a few full-resolution tiles chosen for texture, combined robustly. Same sign convention as
 * estimateTranslation: reference(x, y) ≈ moving(x − dx, y − dy).
 */
import { ValidationError } from '../errors.ts';
import { checkImage, type ImageSamples } from './correlation-input.ts';
import { decimateBox, type DecimatedImage } from './decimate.ts';
import { windowInside, windowTexture } from './image-window.ts';
import {
  estimateTranslation,
  NO_TRANSLATION,
  type TranslationEstimate,
  type TranslationOptions,
} from './phase-correlation.ts';
import { weightedMedian } from './robust-stats.ts';
import { estimateTileShift, type TileShift } from './tile-shift.ts';

export interface PyramidOptions extends TranslationOptions {
  /** Longer side (px) of the decimated copy for the coarse estimate; default 1024. */
  readonly coarseMaxSizePx?: number;
  /** Side (px) of the full-resolution refinement tiles; default 512. */
  readonly tileSizePx?: number;
  /** Most refinement tiles, the most textured first; default 9. */
  readonly maxTiles?: number;
  /** Tiles below this confidence are not combined; default 0.3. */
  readonly minConfidence?: number;
}

export interface PyramidEstimate extends TranslationEstimate {
  /**
   * 'direct': one full-resolution correlation (image within coarseMaxSizePx); 'tiles': the
   * combination of confident tiles; 'coarse': the coarse estimate alone (no confident tile).
   */
  readonly method: 'direct' | 'tiles' | 'coarse';
  /** The coarse estimate in full-resolution pixels, and the decimation factor; null if direct. */
  readonly coarse: (TranslationEstimate & { readonly factor: number }) | null;
  /** The refinement tiles, confident or not. */
  readonly tiles: TileShift[];
}

/** Tiles further than this from the combined shift (px) count as disagreeing. */
const AGREEMENT_PX = 0.5;
const MIN_TILE_DATA_FRACTION = 0.9;

/**
 * The translation carrying `moving` onto `reference` for images of any size (see the module
 * comment). Combination: the confidence-weighted median of the confident tiles' dx and dy;
 * confidence = median tile confidence × the fraction of confident tiles within 0.5 px of the
 * result; peakRatio and peakHeight are the confident tiles' medians. Work is about one 1024²
 * and maxTiles 512² correlations plus one pass over the pixels, whatever the image size.
 * @throws ValidationError when the images do not hold width × height samples or an option is
 * out of range (coarseMaxSizePx < 64, tileSizePx < 32, maxTiles < 1).
 */
export function estimateTranslationPyramid(
  reference: ImageSamples,
  moving: ImageSamples,
  width: number,
  height: number,
  options: PyramidOptions = {},
): PyramidEstimate {
  checkImage(reference, width, height, 'estimateTranslationPyramid reference');
  checkImage(moving, width, height, 'estimateTranslationPyramid moving');
  const coarseMax = options.coarseMaxSizePx ?? 1024;
  const tileSize = Math.min(options.tileSizePx ?? 512, width, height);
  const maxTiles = options.maxTiles ?? 9;
  checkOption('coarseMaxSizePx', coarseMax, 64);
  checkOption('tileSizePx', options.tileSizePx ?? 512, 32);
  checkOption('maxTiles', maxTiles, 1);
  if (Math.max(width, height) <= coarseMax) {
    const direct = estimateTranslation(reference, moving, width, height, options);
    return { ...direct, method: 'direct', coarse: null, tiles: [] };
  }
  const factor = Math.ceil(Math.max(width, height) / coarseMax);
  const nodata = options.nodata ?? null;
  const coarseReference = decimateBox(reference, width, height, factor, nodata);
  const coarseMoving = decimateBox(moving, width, height, factor, nodata);
  const coarseEstimate = estimateTranslation(
    coarseReference.data,
    coarseMoving.data,
    coarseReference.width,
    coarseReference.height,
    { ...options, upsampleFactor: Math.min(options.upsampleFactor ?? 100, 20), nodata: null },
  );
  const coarse = {
    ...coarseEstimate,
    dx: coarseEstimate.dx * factor,
    dy: coarseEstimate.dy * factor,
    factor,
  };
  if (coarseEstimate.confidence === 0) {
    return { ...NO_TRANSLATION, method: 'coarse', coarse, tiles: [] };
  }
  const chosen = chooseTiles(coarseReference, width, height, tileSize, coarse, maxTiles, nodata);
  const tiles = chosen.map((tile) =>
    estimateTileShift(reference, moving, width, height, tile, coarse, options),
  );
  const combined = combineTiles(tiles, options.minConfidence ?? 0.3);
  const tileShifts = tiles.map(({ tile }) => tile);
  if (combined === null) return { ...coarse, method: 'coarse', coarse, tiles: tileShifts };
  return { ...combined, method: 'tiles', coarse, tiles: tileShifts };
}

function checkOption(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new ValidationError(`${name} must be an integer ≥ ${minimum}; got ${value}`);
  }
}

/**
 * Non-overlapping tiles of a centred grid whose moving counterpart (offset by the rounded
 * coarse shift) stays inside the image, ranked by the gradient energy of their footprint on
 * the decimated reference; tiles with under 90 % data are skipped.
 */
function chooseTiles(
  coarseReference: DecimatedImage,
  width: number,
  height: number,
  tileSize: number,
  shift: { readonly dx: number; readonly dy: number },
  maxTiles: number,
  nodata: number | null,
): { col0: number; row0: number; size: number }[] {
  const ox = Math.round(shift.dx);
  const oy = Math.round(shift.dy);
  const columns = Math.floor(width / tileSize);
  const rows = Math.floor(height / tileSize);
  const marginX = Math.floor((width - columns * tileSize) / 2);
  const marginY = Math.floor((height - rows * tileSize) / 2);
  const { factor } = coarseReference;
  const candidates: { col0: number; row0: number; size: number; score: number }[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const col0 = marginX + c * tileSize;
      const row0 = marginY + r * tileSize;
      const movingWindow = { col0: col0 - ox, row0: row0 - oy, width: tileSize, height: tileSize };
      if (!windowInside(movingWindow, width, height)) continue;
      const footprint = {
        col0: Math.floor(col0 / factor),
        row0: Math.floor(row0 / factor),
        width: Math.max(2, Math.floor(tileSize / factor)),
        height: Math.max(2, Math.floor(tileSize / factor)),
      };
      if (!windowInside(footprint, coarseReference.width, coarseReference.height)) continue;
      const texture = windowTexture(coarseReference.data, coarseReference.width, footprint, nodata);
      if (texture.dataFraction < MIN_TILE_DATA_FRACTION) continue;
      candidates.push({ col0, row0, size: tileSize, score: texture.gradientEnergy });
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  return candidates.slice(0, maxTiles).map(({ col0, row0, size }) => ({ col0, row0, size }));
}

function combineTiles(
  tiles: readonly { readonly tile: TileShift; readonly estimate: TranslationEstimate }[],
  minConfidence: number,
): TranslationEstimate | null {
  const confident = tiles.filter(
    ({ tile }) => tile.confidence >= minConfidence && tile.confidence > 0,
  );
  const weights = confident.map(({ tile }) => tile.confidence);
  const dx = weightedMedian(
    confident.map(({ tile }) => tile.dx),
    weights,
  );
  const dy = weightedMedian(
    confident.map(({ tile }) => tile.dy),
    weights,
  );
  if (dx === null || dy === null) return null;
  const agreeing = confident.filter(
    ({ tile }) => Math.hypot(tile.dx - dx, tile.dy - dy) <= AGREEMENT_PX,
  );
  const median = (values: number[]): number =>
    weightedMedian(
      values,
      values.map(() => 1),
    ) ?? 0;
  return {
    dx,
    dy,
    confidence: median(weights) * (agreeing.length / confident.length),
    peakRatio: median(confident.map(({ estimate }) => estimate.peakRatio)),
    peakHeight: median(confident.map(({ estimate }) => estimate.peakHeight)),
  };
}
