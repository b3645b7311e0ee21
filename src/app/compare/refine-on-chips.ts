/**
 * Full-resolution refinement of the coarse co-registration shift: a few textured chips spread
 * over the grid (chosen on the decimated luminance of A), each read from both images through
 * their RasterSource (only the chip's window is decoded), warped onto the grid, and correlated
 * by upsampled phase correlation on the runner's threads; the chips' shifts are combined
 * robustly, and their spread about the result is the local residual.
 */
import {
  chooseRefinementChips,
  combineChipShifts,
  type ChipShift,
  type CoarseReference,
} from '../../core/coregister/refinement-chips.ts';
import type { TranslationEstimate } from '../../core/coregister/phase-correlation.ts';
import type { TileShift } from '../../core/coregister/tile-shift.ts';
import type { PixelWindow } from '../../core/raster/raster.ts';
import type { StripWorkspace } from '../ports.ts';
import { readSideInput, type ComparisonPair, type PairSide } from './comparison-pair.ts';
import type { Standardiser, StripSide } from './strip-kernels.ts';
import { mapStrips, stripsInFlight, type StripPassOptions } from './strip-pipeline.ts';

/** Side of the grid cells chips are cut from, px (a common GeoTIFF tile size). */
export const CHIP_CELL_PX = 512;
/**
 * Gap between a chip and its cell's edges, px: with cells on the tiles of A, a chip and its
 * kernel margin, and B's chip offset by a few pixels, each decode one tile, not four.
 */
export const CHIP_INSET_PX = 16;
/** Most chips correlated. */
export const MAX_CHIPS = 9;
/** Chips below this confidence are left out of the shift and the residual. */
export const CHIP_MIN_CONFIDENCE = 0.3;
/** Smallest chip side worth correlating, px. */
const MIN_CHIP_PX = 64;

export interface ChipRefinement {
  /** The combined shift of the confident chips; null when none was confident. */
  readonly estimate: TranslationEstimate | null;
  /** Every chip correlated, confident or not (shift carrying B onto A, grid px). */
  readonly chips: readonly TileShift[];
}

/**
 * Refines `coarse` (grid px, B onto A) on full-resolution chips of both images. Returns no
 * chip when the grid is too small for one.
 * @throws CancelledError when the signal aborts; the sources' read errors.
 */
export async function refineOnChips(
  pair: ComparisonPair,
  workspace: StripWorkspace,
  input: {
    readonly coarse: { readonly dx: number; readonly dy: number };
    readonly coarseReference: CoarseReference;
    readonly standardiserA: Standardiser;
    readonly standardiserB: Standardiser;
  },
  options: StripPassOptions,
): Promise<ChipRefinement> {
  const { width, height } = pair.grid;
  const cell = Math.min(CHIP_CELL_PX, width, height);
  if (cell - 2 * CHIP_INSET_PX < MIN_CHIP_PX) return { estimate: null, chips: [] };
  const chips = chooseRefinementChips(input.coarseReference, width, height, {
    cellSizePx: cell,
    insetPx: CHIP_INSET_PX,
    maxChips: MAX_CHIPS,
    shift: input.coarse,
    nodata: null,
  });
  const ox = Math.round(input.coarse.dx);
  const oy = Math.round(input.coarse.dy);
  const measured = await mapStrips(
    chips.length,
    stripsInFlight(workspace),
    options,
    async (index): Promise<ChipShift> => {
      const { col0, row0, size } = chips[index] ?? { col0: 0, row0: 0, size: 0 };
      const windowA = { col0, row0, width: size, height: size };
      const windowB = { ...windowA, col0: col0 - ox, row0: row0 - oy };
      const a = await readChip(pair.a, windowA, workspace, options.signal);
      const b = await readChip(pair.b, windowB, workspace, options.signal);
      const valid = a.valid.map((v, p) => v & (b.valid[p] ?? 0));
      const estimate = await workspace.runner.run('chipShift', {
        chip: { row0: 0, height: size, bandsA: a.bands, bandsB: b.bands, valid },
        standardiserA: input.standardiserA,
        standardiserB: input.standardiserB,
      });
      const tile = {
        col0,
        row0,
        size,
        dx: ox + estimate.dx,
        dy: oy + estimate.dy,
        confidence: estimate.confidence,
      };
      return { tile, estimate };
    },
  );
  return {
    estimate: combineChipShifts(measured, CHIP_MIN_CONFIDENCE),
    chips: measured.map(({ tile }) => tile),
  };
}

async function readChip(
  side: PairSide,
  window: PixelWindow,
  workspace: StripWorkspace,
  signal: AbortSignal | undefined,
): Promise<StripSide> {
  return workspace.runner.run('warp', await readSideInput(side, side.mapping, window, signal));
}
