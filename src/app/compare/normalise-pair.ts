/**
 * Relative radiometric normalisation of B to A, so that season, sun and sensor gain do not
 * read as change:
 * - `irmad` (default): per band, orthogonal regression A ≈ gain · B + offset over the
 *   invariant pixels, those whose IR-MAD no-change probability exceeds
 *   {@link NORMALISE_MIN_NO_CHANGE_PROBABILITY} (Canty & Nielsen 2008). Only unchanged
 *   pixels shape it, and it costs no extra pass when IR-MAD runs anyway.
 * - `histogram`: B's quantiles sent to A's, band by band. Non-linear, but real change shifts
 *   the mapping (it assumes both dates hold the same mixture of surfaces).
 * - `none`: B as read (CVA then standardises each date on its own).
 * IR-MAD is invariant to a linear transform of either image, so a linear normalisation leaves
 * its statistic unchanged; it matters for CVA, whose difference it makes radiometric.
 */
import type { BivariateMoments } from '../../core/change/bivariate-moments.ts';
import {
  createBivariateMoments,
  mergeBivariateMoments,
} from '../../core/change/bivariate-moments.ts';
import { createHistogramAccumulator, type Histogram } from '../../core/change/histogram.ts';
import { createHistogramMatch } from '../../core/change/histogram-match.ts';
import { orthogonalRegression } from '../../core/change/normalise.ts';
import { ValidationError } from '../../core/errors.ts';
import type { StripLayout, StripWorkspace } from '../ports.ts';
import type { ComparisonPair } from './comparison-pair.ts';
import type { BandNormalisation, HistogramRange } from './strip-kernels.ts';
import { eachCachedStrip, type StripPassOptions } from './strip-pipeline.ts';

export type NormaliseMethod = 'irmad' | 'histogram' | 'none';

export const NORMALISE_METHODS: readonly NormaliseMethod[] = ['irmad', 'histogram', 'none'];

/** The default: invariant pixels found by IR-MAD (see the module comment). */
export const DEFAULT_NORMALISE_METHOD: NormaliseMethod = 'irmad';

/** Invariant pixels have IR-MAD no-change probability above this (change probability < 0.05). */
export const NORMALISE_MIN_NO_CHANGE_PROBABILITY = 0.95;

/** Bins of the histograms matched by `histogram`. */
export const HISTOGRAM_MATCH_BINS = 4096;

/** What the normalisation did, as stored with the comparison and printed by `--json`. */
export interface NormalisationRecord {
  readonly method: NormaliseMethod;
  /**
   * Per band: B′ = gain · B + offset (null for `histogram` and `none`), and the correlation
   * of A and B over the pixels used (null for `none`).
   */
  readonly bands: readonly {
    readonly name: string;
    readonly gain: number | null;
    readonly offset: number | null;
    readonly correlation: number | null;
  }[];
  /** Pixels the normalisation was fitted on: invariant pixels (irmad), valid pixels (histogram). */
  readonly pixelCount: number;
  /** The invariant-pixel cut (irmad), else null. */
  readonly minNoChangeProbability: number | null;
  /** Histogram bins (histogram), else null. */
  readonly histogramBins: number | null;
}

export interface FittedNormalisation {
  readonly normalisation: BandNormalisation;
  readonly record: NormalisationRecord;
}

/** No normalisation. */
export function noNormalisation(bandNames: readonly string[]): FittedNormalisation {
  return {
    normalisation: { kind: 'none' },
    record: {
      method: 'none',
      bands: bandNames.map((name) => ({ name, gain: null, offset: null, correlation: null })),
      pixelCount: 0,
      minNoChangeProbability: null,
      histogramBins: null,
    },
  };
}

/** Per-band moments of several strips merged in strip order. */
export function mergeBandMoments(
  parts: readonly (readonly BivariateMoments[])[],
  bandCount: number,
): BivariateMoments[] {
  const merged = Array.from({ length: bandCount }, createBivariateMoments);
  for (const part of parts) {
    part.forEach((m, j) => {
      const into = merged[j];
      if (into !== undefined) mergeBivariateMoments(into, m);
    });
  }
  return merged;
}

/**
 * The orthogonal regressions of A on B per band over the invariant pixels (moments with
 * x = B, y = A).
 * @throws ValidationError naming the images when fewer than 2 invariant pixels were found or
 *   a band's dates do not co-vary positively there.
 */
export function fitLinearNormalisation(
  invariant: readonly BivariateMoments[],
  bandNames: readonly string[],
  labels: string,
): FittedNormalisation {
  const pixelCount = invariant[0]?.count ?? 0;
  const hint = 'use --normalise histogram or none';
  if (pixelCount < 2) {
    throw new ValidationError(
      `cannot normalise ${labels}: ${pixelCount} invariant pixels (IR-MAD no-change probability > ${NORMALISE_MIN_NO_CHANGE_PROBABILITY}), need at least 2; ${hint}`,
    );
  }
  const gain = new Float64Array(bandNames.length);
  const offset = new Float64Array(bandNames.length);
  const bands = bandNames.map((name, j) => {
    const m = invariant[j] ?? createBivariateMoments();
    const fit = orthogonalRegression(m);
    if (fit === null) {
      throw new ValidationError(
        `cannot normalise ${labels}: band ${name} has covariance ${m.sxy / m.count} between the dates over ${m.count} invariant pixels, expected > 0; ${hint}`,
      );
    }
    gain[j] = fit.gain;
    offset[j] = fit.offset;
    const correlation = m.sxy / Math.sqrt(m.sxx * m.syy);
    return { name, gain: fit.gain, offset: fit.offset, correlation };
  });
  return {
    normalisation: { kind: 'linear', gain, offset },
    record: {
      method: 'irmad',
      bands,
      pixelCount,
      minNoChangeProbability: NORMALISE_MIN_NO_CHANGE_PROBABILITY,
      histogramBins: null,
    },
  };
}

function bandRanges(pair: ComparisonPair, side: 'a' | 'b'): HistogramRange[] {
  const { image, bandIndexes } = pair[side];
  return bandIndexes.map((band) => {
    const stats = image.stats[band];
    const min = Number.isFinite(stats?.min) ? (stats?.min ?? 0) : 0;
    const max = Number.isFinite(stats?.max) ? (stats?.max ?? 1) : 1;
    return { min, max: max > min ? max : min + 1 };
  });
}

function mergeHistograms(
  parts: readonly (readonly Histogram[])[],
  band: number,
  range: HistogramRange,
) {
  const histogram = createHistogramAccumulator({ binCount: HISTOGRAM_MATCH_BINS, ...range });
  for (const part of parts) {
    const h = part[band];
    if (h !== undefined) histogram.merge(h);
  }
  return histogram.result();
}

/**
 * Histogram matching of B to A, band by band, over the valid pixels of the cached strips
 * (one pass; histogram ranges from the images' ingest statistics).
 * @throws ValidationError when no pixel is valid.
 */
export async function fitHistogramNormalisation(
  pair: ComparisonPair,
  layout: StripLayout,
  workspace: StripWorkspace,
  options: StripPassOptions,
): Promise<FittedNormalisation> {
  const rangesA = bandRanges(pair, 'a');
  const rangesB = bandRanges(pair, 'b');
  const parts = await eachCachedStrip(layout, workspace, options, (strip) =>
    workspace.runner.run('bandHistograms', {
      strip,
      binCount: HISTOGRAM_MATCH_BINS,
      rangesA,
      rangesB,
    }),
  );
  const matches = pair.bandNames.map((_, j) =>
    createHistogramMatch(
      mergeHistograms(
        parts.map((p) => p.a),
        j,
        rangesA[j] ?? { min: 0, max: 1 },
      ),
      mergeHistograms(
        parts.map((p) => p.b),
        j,
        rangesB[j] ?? { min: 0, max: 1 },
      ),
    ),
  );
  const pixelCount = parts.reduce((sum, p) => sum + (p.a[0]?.total ?? 0), 0);
  return {
    normalisation: { kind: 'histogram', matches },
    record: {
      method: 'histogram',
      bands: pair.bandNames.map((name) => ({ name, gain: null, offset: null, correlation: null })),
      pixelCount,
      minNoChangeProbability: null,
      histogramBins: HISTOGRAM_MATCH_BINS,
    },
  };
}
