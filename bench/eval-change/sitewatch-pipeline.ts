/**
 * sitewatch's unsupervised change pipeline, assembled from the pure core for the benchmark:
 * co-register (translation, when confident) → IR-MAD chi-square or standardised CVA
 * magnitude → optional neighbourhood mean → automatic threshold → opening/closing → minimum
 * mapping unit. Every parameter is fixed once for all datasets (see README.md).
 */
import { combinedChangeMask } from '../../src/core/change/combined-change.ts';
import { createCvaStatsAccumulator, cvaWindow } from '../../src/core/change/cva.ts';
import type { CombinedChangeConfig } from '../../src/core/change/defaults.ts';
import { createHistogramAccumulator } from '../../src/core/change/histogram.ts';
import { madWindow, runIrmad } from '../../src/core/change/irmad.ts';
import {
  applyThreshold,
  chiSquareQuantile,
  hysteresisLevelsOf,
  hysteresisMask,
  resolveThreshold,
} from '../../src/core/change/threshold.ts';
import { computeValidMask } from '../../src/core/change/valid-mask.ts';
import { estimateTranslationPyramid } from '../../src/core/coregister/pyramid.ts';
import { shiftImage } from '../../src/core/coregister/shift-image.ts';
import {
  minimumMappingUnitPixels,
  removeSmallComponents,
} from '../../src/core/raster/connected-components.ts';
import { closeMask, openMask } from '../../src/core/raster/morphology.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { neighbourhoodMean } from '../../src/core/change/neighbourhood.ts';
import type { ChangePair } from './datasets.ts';

export interface SitewatchOptions {
  /** `combined`: {@link combinedChangeMask} with `combined` (threshold and smoothing unused). */
  readonly statistic: 'irmad' | 'cva' | 'combined';
  readonly combined?: CombinedChangeConfig;
  /** IR-MAD iterations (the first is unweighted). */
  readonly iterations: number;
  /** Co-register B onto A when the pyramid estimate's confidence reaches this; null: never. */
  readonly coregisterMinConfidence: number | null;
  /** Shifts smaller than this (px) are not applied (resampling B alone blurs it). */
  readonly coregisterMinShiftPx: number;
  /**
   * `otsu` / `mixture` on a histogram of the statistic (log axis for IR-MAD, linear for CVA);
   * `robust-quantile`: scale the squared statistic so its median is the χ²(n) median (most
   * pixels are taken as unchanged), then change where it exceeds the χ²(n) quantile p;
   * `hysteresis`: the product's automatic levels for `compare --method irmad|cva`
   * (`hysteresisLevelsOf` in src/core/change/threshold.ts, 4096-bin histograms, the robust
   * χ²(n) 0.99 quantile as the no-change level); a region is change when it reaches grow
   * and holds a seed pixel.
   */
  readonly threshold:
    | { readonly kind: 'otsu' | 'mixture' | 'hysteresis' }
    | { readonly kind: 'robust-quantile'; readonly probability: number };
  /** Box-mean radius (px) of the statistic before thresholding; 0: none. */
  readonly smoothingRadiusPx: number;
  /** Square opening then closing radius (px); 0: none. */
  readonly morphologyRadiusPx: number;
  /** Components smaller than this area (m²) are dropped. */
  readonly minimumMappingUnitSquareMeters: number;
}

/** What the pipeline decided on one pair, for the per-pair record. */
export interface SitewatchDiagnostics {
  readonly shiftPx: {
    readonly dx: number;
    readonly dy: number;
    readonly confidence: number;
  } | null;
  readonly shiftApplied: boolean;
  readonly threshold: number;
  readonly changedFraction: number;
}

export interface Aligned {
  readonly bandsB: Float32Array[];
  readonly valid: Uint8Array;
  readonly shift: SitewatchDiagnostics['shiftPx'];
  readonly applied: boolean;
}

function meanBand(bands: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(bands[0]?.length ?? 0);
  for (const band of bands)
    for (let p = 0; p < out.length; p++) out[p] = (out[p] ?? 0) + (band[p] ?? 0);
  for (let p = 0; p < out.length; p++) out[p] = (out[p] ?? 0) / bands.length;
  return out;
}

export function coregister(pair: ChangePair, options: SitewatchOptions): Aligned {
  const valid = new Uint8Array(pair.width * pair.height);
  const unshifted = (): Aligned => ({
    bandsB: pair.bandsB,
    valid: computeValidMask(pair.bandsA, pair.bandsB, null, null, valid),
    shift: null,
    applied: false,
  });
  if (options.coregisterMinConfidence === null) return unshifted();
  const estimate = estimateTranslationPyramid(
    meanBand(pair.bandsA),
    meanBand(pair.bandsB),
    pair.width,
    pair.height,
  );
  const shift = { dx: estimate.dx, dy: estimate.dy, confidence: estimate.confidence };
  const apply =
    estimate.confidence >= options.coregisterMinConfidence &&
    Math.hypot(estimate.dx, estimate.dy) >= options.coregisterMinShiftPx;
  if (!apply) return { ...unshifted(), shift };
  const bandsB = pair.bandsB.map((band) =>
    shiftImage(band, pair.width, pair.height, estimate.dx, estimate.dy, 'cubic', Number.NaN),
  );
  return {
    bandsB,
    valid: computeValidMask(pair.bandsA, bandsB, null, null, valid),
    shift,
    applied: true,
  };
}

export function irmadStatistic(
  pair: ChangePair,
  aligned: Aligned,
  iterations: number,
): Float32Array {
  const window = { bandsA: pair.bandsA, bandsB: aligned.bandsB, valid: aligned.valid };
  const { parameters } = runIrmad(() => [window], { iterations });
  const count = aligned.valid.length;
  const chiSquare = new Float32Array(count);
  madWindow(parameters, pair.bandsA, aligned.bandsB, aligned.valid, {
    chiSquare,
    weights: new Float32Array(count),
  });
  return chiSquare;
}

export function cvaStatistic(pair: ChangePair, aligned: Aligned): Float32Array {
  const stats = createCvaStatsAccumulator(pair.bandsA.length);
  stats.add(pair.bandsA, aligned.bandsB, aligned.valid);
  const magnitude = new Float32Array(aligned.valid.length);
  cvaWindow(
    pair.bandsA,
    aligned.bandsB,
    null,
    null,
    { magnitude, valid: aligned.valid },
    {
      standardisation: { mode: 'per-image', statistics: stats.result() },
    },
  );
  return magnitude;
}

/** Finite range of the valid values, for the histogram bins. */
function valueRange(values: Float32Array, valid: Uint8Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let p = 0; p < values.length; p++) {
    const v = values[p] ?? Number.NaN;
    if (valid[p] === 0 || !Number.isFinite(v)) continue;
    if (v > 0 && v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) && max > min ? { min, max } : { min: 1e-6, max: 1 };
}

function thresholdOf(
  values: Float32Array,
  valid: Uint8Array,
  options: SitewatchOptions,
  bandCount: number,
): number {
  const { threshold } = options;
  if (threshold.kind === 'robust-quantile') {
    return robustQuantileThreshold(
      values,
      valid,
      options.statistic,
      bandCount,
      threshold.probability,
    );
  }
  const { kind } = threshold;
  if (kind === 'hysteresis') throw new ValidationError('hysteresis has two levels, not one');
  const range = valueRange(values, valid);
  const log = options.statistic === 'irmad';
  const histogram = createHistogramAccumulator({
    binCount: 512,
    min: log ? range.min : 0,
    max: range.max,
    scale: log ? 'log' : 'linear',
  });
  histogram.add(values, valid);
  return resolveThreshold({ kind }, histogram.result());
}

/** Median of the valid, finite values (0 when there are none). */
function medianOf(values: Float32Array, valid: Uint8Array): number {
  const kept = values.filter((v, p) => valid[p] !== 0 && Number.isFinite(v)).sort();
  return kept.length === 0 ? 0 : (kept[kept.length >> 1] ?? 0);
}

function robustQuantileThreshold(
  values: Float32Array,
  valid: Uint8Array,
  statistic: SitewatchOptions['statistic'],
  n: number,
  probability: number,
): number {
  const squared = statistic === 'irmad';
  const median = medianOf(values, valid);
  const chiMedian = chiSquareQuantile(0.5, n);
  const chiCut = chiSquareQuantile(probability, n);
  // Z · (chiMedian / medianZ) ≥ chiCut; CVA magnitude m = √Z, so compare m with √(cut).
  const cutZ = (squared ? median : median * median) * (chiCut / chiMedian);
  return squared ? cutZ : Math.sqrt(cutZ);
}

/**
 * Runs the pipeline on one pair.
 * @returns the 0/1 change mask (row-major, width × height) and diagnostics.
 * @throws ValidationError from the core when the pair is degenerate (e.g. a constant band).
 */
export function runSitewatchPipeline(
  pair: ChangePair,
  options: SitewatchOptions,
): { mask: Uint8Array; diagnostics: SitewatchDiagnostics } {
  const { width, height } = pair;
  const aligned = coregister(pair, options);
  if (options.statistic === 'combined') return combinedPipeline(pair, aligned, options);
  const raw =
    options.statistic === 'irmad'
      ? irmadStatistic(pair, aligned, options.iterations)
      : cvaStatistic(pair, aligned);
  const statistic =
    options.smoothingRadiusPx > 0
      ? neighbourhoodMean(raw, aligned.valid, width, height, options.smoothingRadiusPx)
      : raw;
  if (options.threshold.kind === 'hysteresis') {
    const range = valueRange(statistic, aligned.valid);
    const log = createHistogramAccumulator({ binCount: 4096, ...range, scale: 'log' });
    log.add(statistic, aligned.valid);
    const linear = createHistogramAccumulator({ binCount: 4096, min: 0, max: range.max });
    linear.add(statistic, aligned.valid);
    const noChangeLevel = robustQuantileThreshold(
      statistic,
      aligned.valid,
      options.statistic,
      pair.bandsA.length,
      0.99,
    );
    const levels = hysteresisLevelsOf({
      statistic: options.statistic === 'irmad' ? 'irmad' : 'cva',
      log: log.result(),
      linear: linear.result(),
      noChangeLevel,
    });
    const mask = hysteresisMask(statistic, aligned.valid, width, height, levels);
    return finish(pair, aligned, options, mask, levels.grow);
  }
  const threshold = thresholdOf(statistic, aligned.valid, options, pair.bandsA.length);
  const mask: Uint8Array = new Uint8Array(width * height);
  applyThreshold(statistic, aligned.valid, threshold, mask);
  return finish(pair, aligned, options, mask, threshold);
}

function combinedPipeline(
  pair: ChangePair,
  aligned: Aligned,
  options: SitewatchOptions,
): { mask: Uint8Array; diagnostics: SitewatchDiagnostics } {
  if (options.combined === undefined) {
    throw new ValidationError('the combined statistic needs its `combined` configuration');
  }
  const result = combinedChangeMask(
    {
      cvaMagnitude: cvaStatistic(pair, aligned),
      chiSquare: irmadStatistic(pair, aligned, options.combined.irmadIterations),
      valid: aligned.valid,
      width: pair.width,
      height: pair.height,
      bandCount: pair.bandsA.length,
      gsdMeters: pair.gsdMeters,
    },
    options.combined,
  );
  return finish(pair, aligned, options, result.mask, result.chiSquareThreshold);
}

/** Opening/closing, minimum mapping unit and diagnostics. */
function finish(
  pair: ChangePair,
  aligned: Aligned,
  options: SitewatchOptions,
  thresholded: Uint8Array,
  threshold: number,
): { mask: Uint8Array; diagnostics: SitewatchDiagnostics } {
  const { width, height } = pair;
  let mask = thresholded;
  if (options.morphologyRadiusPx > 0) {
    const element = { shape: 'square', radius: options.morphologyRadiusPx } as const;
    mask = closeMask(openMask(mask, width, height, element), width, height, element);
  }
  const minPixels = minimumMappingUnitPixels(
    options.minimumMappingUnitSquareMeters,
    pair.gsdMeters,
  );
  mask = removeSmallComponents(mask, width, height, minPixels).mask;
  let changed = 0;
  for (const v of mask) changed += v;
  return {
    mask,
    diagnostics: {
      shiftPx: aligned.shift,
      shiftApplied: aligned.applied,
      threshold,
      changedFraction: changed / mask.length,
    },
  };
}
