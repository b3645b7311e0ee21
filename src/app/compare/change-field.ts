/**
 * The change statistic of a co-registered pair over the whole grid, from the cached strips:
 * IR-MAD (chi-square statistic Z after {@link IRMAD_ITERATIONS} reweighted passes) or CVA
 * (magnitude of the change vector), with B radiometrically normalised to A first (see
 * `normalise-pair.ts`); or, for `combined`, both: the CVA magnitude with per-image
 * standardisation (each date by its own mean and σ, as bench/eval-change's
 * `sitewatch-default`) and the IR-MAD Z, on B as read (no normalisation: the per-image
 * standardisation cancels a linear one, and IR-MAD is invariant to it).
 *
 * Passes over the cache: IR-MAD 5 + 1 (the last also yields the invariant pixels);
 * CVA 2, plus 6 for the `irmad` normalisation or 1 for `histogram`; combined 5 + 1 + 2.
 *
 * Memory: the strips in flight plus the full-size outputs, a Float32 magnitude and a Uint8
 * validity mask per grid pixel (5 bytes per pixel), which the clean-up and labelling need
 * whole; `combined` adds a second Float32 plane (Z).
 */
import type { BivariateMoments } from '../../core/change/bivariate-moments.ts';
import type { ChangeMethod } from '../../core/change/comparison.ts';
import { cvaStatisticsOf } from '../../core/change/cva.ts';
import {
  createIrmadAccumulator,
  solveIrmad,
  type IrmadParameters,
} from '../../core/change/irmad.ts';
import { ValidationError } from '../../core/errors.ts';
import type { StripLayout, StripWorkspace } from '../ports.ts';
import type { ComparisonPair } from './comparison-pair.ts';
import {
  fitHistogramNormalisation,
  fitLinearNormalisation,
  mergeBandMoments,
  noNormalisation,
  NORMALISE_MIN_NO_CHANGE_PROBABILITY,
  type FittedNormalisation,
  type NormaliseMethod,
  type NormalisationRecord,
} from './normalise-pair.ts';
import type { BandNormalisation, StripPixels } from './strip-kernels.ts';
import { eachCachedStrip, type ProgressListener, type StripPassOptions } from './strip-pipeline.ts';

/** IR-MAD passes (the first unweighted). */
export const IRMAD_ITERATIONS = 5;
/** Ridge regularisation of IR-MAD, for collinear bands (e.g. bands resampled from one). */
export const IRMAD_REGULARISATION = 1e-4;

export interface ChangeField {
  /** Per grid pixel, row-major; NaN where not valid. */
  readonly magnitude: Float32Array;
  /** 1 where both images hold data in every paired band. */
  readonly valid: Uint8Array;
  readonly validPixels: number;
  readonly irmadIterations: number | null;
  /** `combined` only: IR-MAD Z per grid pixel (NaN where not valid); else null. */
  readonly chiSquare: Float32Array | null;
}

export interface ChangeFieldOptions {
  readonly method: ChangeMethod;
  readonly normalise: NormaliseMethod;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ProgressListener | undefined;
}

interface Context {
  readonly pair: ComparisonPair;
  readonly layout: StripLayout;
  readonly workspace: StripWorkspace;
  readonly options: ChangeFieldOptions;
}

function pass(context: Context, stage: string): StripPassOptions {
  return { signal: context.options.signal, onProgress: context.options.onProgress, stage };
}

async function irmadParameters(
  context: Context,
  normalisation: BandNormalisation,
): Promise<IrmadParameters> {
  const { workspace, layout, pair } = context;
  let params: IrmadParameters | null = null;
  for (let iteration = 1; iteration <= IRMAD_ITERATIONS; iteration += 1) {
    const previous: IrmadParameters | null = params;
    const parts = await eachCachedStrip(
      layout,
      workspace,
      pass(context, `IR-MAD pass ${iteration}/${IRMAD_ITERATIONS}`),
      (strip) => workspace.runner.run('irmadMoments', { strip, previous, normalisation }),
    );
    const accumulator = createIrmadAccumulator(pair.bandNames.length);
    for (const moments of parts) accumulator.addMoments(moments);
    params = solveIrmad(accumulator.moments(), { regularisation: IRMAD_REGULARISATION });
  }
  if (params === null) throw new ValidationError('IR-MAD ran no pass');
  return params;
}

/** Full-size outputs, filled strip by strip. */
class FieldBuilder {
  readonly magnitude: Float32Array;
  readonly valid: Uint8Array;
  validPixels = 0;

  constructor(
    readonly width: number,
    height: number,
  ) {
    this.magnitude = new Float32Array(width * height).fill(Number.NaN);
    this.valid = new Uint8Array(width * height);
  }

  place(strip: StripPixels, magnitude: Float32Array): void {
    const offset = strip.row0 * this.width;
    this.valid.set(strip.valid, offset);
    this.magnitude.set(magnitude, offset);
    for (const v of strip.valid) this.validPixels += v;
  }
}

/** A second full-size plane (the same validity as the {@link FieldBuilder}), strip by strip. */
class PlaneBuilder {
  readonly values: Float32Array;

  constructor(
    readonly width: number,
    height: number,
  ) {
    this.values = new Float32Array(width * height).fill(Number.NaN);
  }

  place(strip: StripPixels, values: Float32Array): void {
    this.values.set(values, strip.row0 * this.width);
  }
}

/**
 * The final IR-MAD pass: Z into `field` (when given) and the invariant-pixel moments.
 */
async function irmadStatistic(
  context: Context,
  parameters: IrmadParameters,
  normalisation: BandNormalisation,
  field: FieldBuilder | PlaneBuilder | null,
): Promise<BivariateMoments[]> {
  const { workspace, layout } = context;
  const parts = await eachCachedStrip(
    layout,
    workspace,
    pass(context, field === null ? 'invariant pixels' : 'IR-MAD statistic'),
    async (strip) => {
      const result = await workspace.runner.run('irmadStatistic', {
        strip,
        parameters,
        minNoChangeProbability: NORMALISE_MIN_NO_CHANGE_PROBABILITY,
        normalisation,
      });
      field?.place(strip, result.chiSquare);
      return result.invariant;
    },
  );
  return mergeBandMoments(parts, context.pair.bandNames.length);
}

async function cvaField(
  context: Context,
  normalisation: BandNormalisation,
  field: FieldBuilder,
): Promise<void> {
  const { workspace, layout, pair } = context;
  const parts = await eachCachedStrip(layout, workspace, pass(context, 'CVA statistics'), (strip) =>
    workspace.runner.run('bandMoments', { strip, normalisation }),
  );
  // With B normalised to A, B is standardised with A's statistics.
  const statistics = cvaStatisticsOf(mergeBandMoments(parts, pair.bandNames.length), {
    standardiseBWithA: normalisation.kind !== 'none',
  });
  await eachCachedStrip(layout, workspace, pass(context, 'CVA magnitude'), async (strip) => {
    field.place(
      strip,
      await workspace.runner.run('cvaMagnitude', { strip, normalisation, statistics }),
    );
  });
}

/**
 * Computes the change statistic for every grid pixel from the cached strips, normalising B
 * to A first.
 * @throws ValidationError when IR-MAD's covariance is singular or the normalisation cannot be
 *   fitted; CancelledError when the signal aborts.
 */
export async function computeChangeField(
  pair: ComparisonPair,
  layout: StripLayout,
  workspace: StripWorkspace,
  options: ChangeFieldOptions,
): Promise<{ readonly field: ChangeField; readonly normalisation: NormalisationRecord }> {
  const context: Context = { pair, layout, workspace, options };
  const field = new FieldBuilder(pair.grid.width, pair.grid.height);
  if (options.method === 'combined') {
    if (options.normalise !== 'none') {
      throw new ValidationError(
        `the combined method compares each image standardised by its own mean and σ: normalise must be none; got ${options.normalise}`,
      );
    }
    const fitted = noNormalisation(pair.bandNames);
    const chiSquare = new PlaneBuilder(pair.grid.width, pair.grid.height);
    const parameters = await irmadParameters(context, fitted.normalisation);
    await irmadStatistic(context, parameters, fitted.normalisation, chiSquare);
    await cvaField(context, fitted.normalisation, field);
    return {
      field: {
        magnitude: field.magnitude,
        valid: field.valid,
        validPixels: field.validPixels,
        irmadIterations: IRMAD_ITERATIONS,
        chiSquare: chiSquare.values,
      },
      normalisation: fitted.record,
    };
  }
  const labels = `${pair.a.image.id} and ${pair.b.image.id}`;
  let fitted: FittedNormalisation = noNormalisation(pair.bandNames);
  if (options.normalise === 'histogram') {
    fitted = await fitHistogramNormalisation(pair, layout, workspace, pass(context, 'histograms'));
  }
  if (options.method === 'irmad' || options.normalise === 'irmad') {
    // A linear normalisation leaves IR-MAD unchanged, so it runs on B as read unless the
    // normalisation is a (non-linear) histogram match.
    const parameters = await irmadParameters(context, fitted.normalisation);
    const invariant = await irmadStatistic(
      context,
      parameters,
      fitted.normalisation,
      options.method === 'irmad' ? field : null,
    );
    if (options.normalise === 'irmad') {
      fitted = fitLinearNormalisation(invariant, pair.bandNames, labels);
    }
  }
  if (options.method === 'cva') await cvaField(context, fitted.normalisation, field);
  return {
    field: {
      magnitude: field.magnitude,
      valid: field.valid,
      validPixels: field.validPixels,
      irmadIterations: options.method === 'irmad' ? IRMAD_ITERATIONS : null,
      chiSquare: null,
    },
    normalisation: fitted.record,
  };
}
