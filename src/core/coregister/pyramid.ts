/**
 * Translation of images of any size with bounded work: a coarse phase correlation on a
 * box-decimated copy (≤ coarseMaxSizePx on its longer side), then upsampled phase correlation on
 * a few full-resolution tiles chosen for texture, combined robustly. Same sign convention as
 * estimateTranslation: reference(x, y) ≈ moving(x − dx, y − dy).
 */
import { ValidationError } from '../errors.ts';
import { checkImage, type ImageSamples } from './correlation-input.ts';
import { decimateBox } from './decimate.ts';
import {
  estimateTranslation,
  NO_TRANSLATION,
  type TranslationEstimate,
  type TranslationOptions,
} from './phase-correlation.ts';
import { chooseRefinementChips, combineChipShifts } from './refinement-chips.ts';
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

/**
 * The translation carrying `moving` onto `reference` for images of any size (see the module
 * comment). Tiles are chosen by chooseRefinementChips (textured, spread) and combined by
 * combineChipShifts (weighted median, then the weighted mean of the tiles that agree with
 * it; see refinement-chips.ts). Work is about one 1024²
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
  const chosen = chooseRefinementChips(coarseReference, width, height, {
    cellSizePx: tileSize,
    insetPx: 0,
    maxChips: maxTiles,
    shift: coarse,
    nodata,
  });
  const tiles = chosen.map((tile) =>
    estimateTileShift(reference, moving, width, height, tile, coarse, options),
  );
  const combined = combineChipShifts(tiles, options.minConfidence ?? 0.3);
  const tileShifts = tiles.map(({ tile }) => tile);
  if (combined === null) return { ...coarse, method: 'coarse', coarse, tiles: tileShifts };
  return { ...combined, method: 'tiles', coarse, tiles: tileShifts };
}

function checkOption(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new ValidationError(`${name} must be an integer ≥ ${minimum}; got ${value}`);
  }
}
