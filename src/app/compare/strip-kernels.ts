/**
 * The per-strip work of a comparison as pure functions of plain data (typed arrays and
 * numbers), so a {@link StripKernelRunner} can run them in the calling thread or on worker
 * threads with the same result: warping decoded source pixels onto a grid strip, the
 * co-registration luminance, IR-MAD moments and statistic, normalisation moments, band
 * histograms, CVA statistics and magnitude. Results over strips are merged by the caller in
 * strip order, so the outcome does not depend on how many threads ran the strips.
 */
import {
  createBivariateMoments,
  windowBivariateMoments,
  type BivariateMoments,
} from '../../core/change/bivariate-moments.ts';
import { cvaWindow, type CvaStatistics } from '../../core/change/cva.ts';
import { createHistogramAccumulator, type Histogram } from '../../core/change/histogram.ts';
import { applyHistogramMatch, type HistogramMatch } from '../../core/change/histogram-match.ts';
import {
  createIrmadAccumulator,
  madWindow,
  type IrmadMoments,
  type IrmadParameters,
} from '../../core/change/irmad.ts';
import {
  estimateTranslation,
  type TranslationEstimate,
} from '../../core/coregister/phase-correlation.ts';
import { mapWindowByAffine, type CornerAffine } from '../../core/grid/pixel-mapping.ts';
import { translationOffsets, warpTranslation } from '../../core/grid/warp-translation.ts';
import { warpWindow } from '../../core/grid/warp-window.ts';
import type { PixelArray, PixelWindow } from '../../core/raster/raster.ts';

/** One side (image) of a grid strip: its bands on the grid and where they hold data. */
export interface StripSide {
  readonly bands: Float32Array[];
  /** 1 where every band of this image is valid. */
  readonly valid: Uint8Array;
}

/** Both images' samples of grid rows row0 … row0 + height − 1 (NaN where invalid). */
export interface StripPixels {
  readonly row0: number;
  readonly height: number;
  readonly bandsA: Float32Array[];
  readonly bandsB: Float32Array[];
  /** 1 where every band of both images is valid. */
  readonly valid: Uint8Array;
}

/** Where each grid pixel of a strip samples the source: one affine map, or listed positions. */
export type SourcePositions =
  | { readonly kind: 'affine'; readonly affine: CornerAffine }
  | { readonly kind: 'points'; readonly cols: Float64Array; readonly rows: Float64Array };

export interface WarpInput {
  /** The grid window of the strip (full grid width). */
  readonly window: PixelWindow;
  /** Decoded source bands of `sourceWindow`; empty with a null window (nothing to read). */
  readonly sources: readonly PixelArray[];
  readonly sourceWindow: PixelWindow | null;
  readonly sourceRasterWidth: number;
  readonly sourceRasterHeight: number;
  readonly nodata: number | null;
  readonly bandCount: number;
  readonly positions: SourcePositions | null;
}

/** The source position of every pixel of a strip, listed. */
function positionList(
  window: PixelWindow,
  positions: SourcePositions,
): { readonly cols: Float64Array; readonly rows: Float64Array } {
  if (positions.kind === 'points') return positions;
  const count = window.width * window.height;
  const cols = new Float64Array(count);
  const rows = new Float64Array(count);
  mapWindowByAffine(positions.affine, window, cols, rows);
  return { cols, rows };
}

/**
 * Resamples one image's decoded source window onto a grid strip (bilinear); through the
 * translation fast path when the grid pixels map onto the source by a shift only.
 */
export function warpStripSide(input: WarpInput): StripSide {
  const count = input.window.width * input.window.height;
  const bands = Array.from({ length: input.bandCount }, () => new Float32Array(count));
  const valid = new Uint8Array(count);
  const { sourceWindow, positions } = input;
  if (sourceWindow === null || positions === null) {
    for (const band of bands) band.fill(Number.NaN);
    return { bands, valid };
  }
  const offsets = positions.kind === 'affine' ? translationOffsets(positions.affine) : null;
  const list = offsets === null ? positionList(input.window, positions) : null;
  valid.fill(1);
  const bandValid = new Uint8Array(count);
  input.sources.forEach((source, i) => {
    const target = bands[i];
    if (target === undefined) return;
    const request = {
      source,
      sourceWindow,
      sourceRasterWidth: input.sourceRasterWidth,
      sourceRasterHeight: input.sourceRasterHeight,
      method: 'bilinear',
      nodataIn: input.nodata,
      out: target,
      valid: bandValid,
    } as const;
    if (offsets !== null) warpTranslation({ ...request, ...offsets, window: input.window });
    else if (list !== null) warpWindow({ ...request, sourceCol: list.cols, sourceRow: list.rows });
    for (let p = 0; p < count; p += 1) valid[p] = (valid[p] ?? 0) & (bandValid[p] ?? 0);
  });
  return { bands, valid };
}

/** Per-band standardisation of the co-registration luminance. */
export interface Standardiser {
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
}

export interface LuminanceInput {
  readonly strip: StripPixels;
  readonly factor: number;
  /** Width of the decimated image. */
  readonly cellsWide: number;
  readonly gridWidth: number;
  readonly standardiserA: Standardiser;
  readonly standardiserB: Standardiser;
}

/** Block sums of the luminance of the strip's cell rows (first cell row: row0 / factor). */
export interface LuminanceSums {
  readonly firstCellRow: number;
  readonly sumsA: Float64Array;
  readonly sumsB: Float64Array;
  readonly counts: Float64Array;
}

function addLuminance(
  input: LuminanceInput,
  bands: readonly Float32Array[],
  s: Standardiser,
  sums: Float64Array,
  firstCellRow: number,
  counts: Float64Array | null,
): void {
  const { strip, factor, cellsWide, gridWidth } = input;
  for (let r = 0; r < strip.height; r += 1) {
    const cellRow = (Math.floor((strip.row0 + r) / factor) - firstCellRow) * cellsWide;
    for (let c = 0; c < gridWidth; c += 1) {
      const p = r * gridWidth + c;
      if (strip.valid[p] !== 1) continue;
      let sum = 0;
      bands.forEach((band, i) => {
        sum += ((band[p] ?? 0) - (s.mean[i] ?? 0)) * (s.invStd[i] ?? 1);
      });
      const cell = cellRow + Math.floor(c / factor);
      sums[cell] = (sums[cell] ?? 0) + sum / bands.length;
      if (counts !== null) counts[cell] = (counts[cell] ?? 0) + 1;
    }
  }
}

/** The decimated luminance sums of both images over one strip. */
export function luminanceSums(input: LuminanceInput): LuminanceSums {
  const { strip, factor, cellsWide } = input;
  const firstCellRow = Math.floor(strip.row0 / factor);
  const lastCellRow = Math.floor((strip.row0 + strip.height - 1) / factor);
  const cells = (lastCellRow - firstCellRow + 1) * cellsWide;
  const sumsA = new Float64Array(cells);
  const sumsB = new Float64Array(cells);
  const counts = new Float64Array(cells);
  addLuminance(input, strip.bandsA, input.standardiserA, sumsA, firstCellRow, counts);
  addLuminance(input, strip.bandsB, input.standardiserB, sumsB, firstCellRow, null);
  return { firstCellRow, sumsA, sumsB, counts };
}

/** A square chip of each image (A's and B's windows may differ), for a full-resolution shift. */
export interface ChipShiftInput {
  /** row0 0, height = the chip side; `valid` = A's valid ∧ B's valid, pixel by pixel. */
  readonly chip: StripPixels;
  readonly standardiserA: Standardiser;
  readonly standardiserB: Standardiser;
}

/**
 * The translation carrying B's chip onto A's (upsampled phase correlation, 1/100 px) on their
 * full-resolution luminance; pixels invalid in either chip are left out.
 */
export function chipShift(input: ChipShiftInput): TranslationEstimate {
  const { chip } = input;
  const side = chip.height;
  const sums = luminanceSums({
    ...input,
    strip: chip,
    factor: 1,
    cellsWide: side,
    gridWidth: side,
  });
  const luminanceOf = (values: Float64Array): Float64Array =>
    values.map((v, p) => (sums.counts[p] === 1 ? v : Number.NaN));
  return estimateTranslation(luminanceOf(sums.sumsA), luminanceOf(sums.sumsB), side, side);
}

/** IR-MAD moments of one strip, weighted by the previous pass's no-change probabilities. */
export function irmadStripMoments(input: {
  readonly strip: StripPixels;
  readonly previous: IrmadParameters | null;
  readonly normalisation: BandNormalisation;
}): IrmadMoments {
  const { strip, previous } = input;
  const bandsB = normaliseBands(strip.bandsB, input.normalisation);
  const accumulator = createIrmadAccumulator(strip.bandsA.length);
  if (previous === null) {
    accumulator.add(strip.bandsA, bandsB, null, strip.valid);
  } else {
    const count = strip.valid.length;
    const out = { chiSquare: new Float32Array(count), weights: new Float32Array(count) };
    madWindow(previous, strip.bandsA, bandsB, strip.valid, out);
    accumulator.add(strip.bandsA, bandsB, out.weights, strip.valid);
  }
  return accumulator.moments();
}

/** The IR-MAD statistic of one strip, and the moments of its invariant pixels. */
export interface IrmadStripResult {
  /** Z per pixel, NaN where not valid. */
  readonly chiSquare: Float32Array;
  /** Per band, moments of (x = B, y = A) over pixels with no-change probability > the cut. */
  readonly invariant: BivariateMoments[];
}

/**
 * Z = Σ MAD²/σ² with the final parameters and, for the normalisation, the moments of the
 * pixels whose no-change probability exceeds `minNoChangeProbability`.
 */
export function irmadStripStatistic(input: {
  readonly strip: StripPixels;
  readonly parameters: IrmadParameters;
  readonly minNoChangeProbability: number;
  readonly normalisation: BandNormalisation;
}): IrmadStripResult {
  const { strip, parameters } = input;
  const count = strip.valid.length;
  const chiSquare = new Float32Array(count);
  const weights = new Float32Array(count);
  const bandsB = normaliseBands(strip.bandsB, input.normalisation);
  madWindow(parameters, strip.bandsA, bandsB, strip.valid, { chiSquare, weights });
  const selected = new Uint8Array(count);
  for (let p = 0; p < count; p += 1) {
    selected[p] = strip.valid[p] === 1 && (weights[p] ?? 0) > input.minNoChangeProbability ? 1 : 0;
  }
  const invariant = strip.bandsA.map((a, j) => {
    const b = bandsB[j];
    return b === undefined ? createBivariateMoments() : windowBivariateMoments(b, a, selected);
  });
  return { chiSquare, invariant };
}

/** Linear radiometric normalisation of B (B′ = gain · B + offset), or a histogram match. */
export type BandNormalisation =
  | { readonly kind: 'none' }
  | { readonly kind: 'linear'; readonly gain: Float64Array; readonly offset: Float64Array }
  | { readonly kind: 'histogram'; readonly matches: readonly HistogramMatch[] };

/** B's bands with the normalisation applied (the same arrays when it is 'none'). */
export function normaliseBands(
  bandsB: readonly Float32Array[],
  normalisation: BandNormalisation,
): Float32Array[] {
  if (normalisation.kind === 'none') return [...bandsB];
  return bandsB.map((band, j) => {
    if (normalisation.kind === 'histogram') {
      const match = normalisation.matches[j];
      return match === undefined ? band : applyHistogramMatch(band, match);
    }
    const gain = normalisation.gain[j] ?? 1;
    const offset = normalisation.offset[j] ?? 0;
    const out = new Float32Array(band.length);
    for (let p = 0; p < band.length; p += 1) out[p] = gain * (band[p] ?? Number.NaN) + offset;
    return out;
  });
}

/** Per band (x = A, y = normalised B) moments over the valid pixels of one strip. */
export function bandStripMoments(input: {
  readonly strip: StripPixels;
  readonly normalisation: BandNormalisation;
}): BivariateMoments[] {
  const { strip } = input;
  const bandsB = normaliseBands(strip.bandsB, input.normalisation);
  return strip.bandsA.map((a, j) => {
    const b = bandsB[j];
    return b === undefined ? createBivariateMoments() : windowBivariateMoments(a, b, strip.valid);
  });
}

/** Value range and bins of one band's histogram. */
export interface HistogramRange {
  readonly min: number;
  readonly max: number;
}

/** Histograms of A's and B's bands over the valid pixels of one strip. */
export function bandStripHistograms(input: {
  readonly strip: StripPixels;
  readonly binCount: number;
  readonly rangesA: readonly HistogramRange[];
  readonly rangesB: readonly HistogramRange[];
}): { readonly a: Histogram[]; readonly b: Histogram[] } {
  const { strip, binCount } = input;
  const histogramsOf = (bands: readonly Float32Array[], ranges: readonly HistogramRange[]) =>
    bands.map((band, j) => {
      const range = ranges[j] ?? { min: 0, max: 1 };
      const histogram = createHistogramAccumulator({ binCount, min: range.min, max: range.max });
      histogram.add(band, strip.valid);
      return histogram.result();
    });
  return {
    a: histogramsOf(strip.bandsA, input.rangesA),
    b: histogramsOf(strip.bandsB, input.rangesB),
  };
}

/** CVA magnitude of one strip (NaN where not valid). */
export function cvaStripMagnitude(input: {
  readonly strip: StripPixels;
  readonly normalisation: BandNormalisation;
  readonly statistics: CvaStatistics;
}): Float32Array {
  const { strip } = input;
  const count = strip.valid.length;
  const magnitude = new Float32Array(count).fill(Number.NaN);
  if (!strip.valid.some((v) => v === 1)) return magnitude;
  const bandsB = normaliseBands(strip.bandsB, input.normalisation);
  cvaWindow(
    strip.bandsA,
    bandsB,
    null,
    null,
    { magnitude, valid: new Uint8Array(count) },
    { standardisation: { mode: 'per-image', statistics: input.statistics } },
  );
  for (let p = 0; p < count; p += 1) if (strip.valid[p] !== 1) magnitude[p] = Number.NaN;
  return magnitude;
}

/** Every kernel by name: what a runner can be asked to run. */
export const STRIP_KERNELS = {
  warp: warpStripSide,
  luminance: luminanceSums,
  chipShift,
  irmadMoments: irmadStripMoments,
  irmadStatistic: irmadStripStatistic,
  bandMoments: bandStripMoments,
  bandHistograms: bandStripHistograms,
  cvaMagnitude: cvaStripMagnitude,
} as const;

export type StripKernels = typeof STRIP_KERNELS;
export type StripKernelName = keyof StripKernels;
export type StripKernelInput<K extends StripKernelName> = Parameters<StripKernels[K]>[0];
export type StripKernelOutput<K extends StripKernelName> = ReturnType<StripKernels[K]>;
