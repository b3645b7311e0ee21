/**
 * The change statistic of a co-registered pair over the whole grid, streamed strip by strip:
 * IR-MAD (chi-square statistic Z after {@link IRMAD_ITERATIONS} reweighted passes) or CVA
 * (magnitude of the per-image standardised change vector).
 *
 * Memory: one strip of both images plus the full-size outputs, a Float32 magnitude and a
 * Uint8 validity mask per grid pixel (5 bytes per pixel), which the clean-up and labelling
 * need whole.
 */
import type { ChangeMethod } from '../../core/change/comparison.ts';
import { createCvaStatsAccumulator, cvaWindow } from '../../core/change/cva.ts';
import {
  createIrmadAccumulator,
  madWindow,
  solveIrmad,
  type IrmadParameters,
} from '../../core/change/irmad.ts';
import { ValidationError } from '../../core/errors.ts';
import type { PixelMapping } from '../../core/grid/approximate-mapping.ts';
import {
  readStrip,
  stripRows,
  throwIfCancelled,
  type ComparisonPair,
  type StripPixels,
} from './comparison-pair.ts';

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
}

export interface ChangeFieldOptions {
  readonly method: ChangeMethod;
  /** B's mapping, corrected by the co-registration when applied. */
  readonly mappingB: PixelMapping;
  readonly signal?: AbortSignal | undefined;
  /** Called after each pass over the images with its 1-based number. */
  readonly onPass?: ((pass: number) => void) | undefined;
}

async function forEachStrip(
  pair: ComparisonPair,
  options: ChangeFieldOptions,
  fn: (strip: StripPixels) => void,
): Promise<void> {
  for (const { row0, height } of stripRows(pair.grid.height)) {
    throwIfCancelled(options.signal);
    fn(await readStrip(pair, options.mappingB, row0, height, options.signal));
  }
}

async function irmadParameters(
  pair: ComparisonPair,
  options: ChangeFieldOptions,
): Promise<IrmadParameters> {
  let params: IrmadParameters | null = null;
  for (let pass = 1; pass <= IRMAD_ITERATIONS; pass += 1) {
    const accumulator = createIrmadAccumulator(pair.bandNames.length);
    const previous: IrmadParameters | null = params;
    await forEachStrip(pair, options, (strip) => {
      if (previous === null) {
        accumulator.add(strip.bandsA, strip.bandsB, null, strip.valid);
        return;
      }
      const count = strip.valid.length;
      const out = { chiSquare: new Float32Array(count), weights: new Float32Array(count) };
      madWindow(previous, strip.bandsA, strip.bandsB, strip.valid, out);
      accumulator.add(strip.bandsA, strip.bandsB, out.weights, strip.valid);
    });
    params = solveIrmad(accumulator.moments(), { regularisation: IRMAD_REGULARISATION });
    options.onPass?.(pass);
  }
  if (params === null) throw new ValidationError('IR-MAD ran no pass');
  return params;
}

/**
 * Computes the change statistic for every grid pixel.
 * @throws ValidationError when no pixel is valid in both images (naming them), or IR-MAD's
 *   covariance is singular.
 */
export async function computeChangeField(
  pair: ComparisonPair,
  options: ChangeFieldOptions,
): Promise<ChangeField> {
  const { width, height } = pair.grid;
  const magnitude = new Float32Array(width * height).fill(Number.NaN);
  const valid = new Uint8Array(width * height);
  let validPixels = 0;
  const place = (strip: StripPixels) => {
    valid.set(strip.valid, strip.row0 * width);
    for (const v of strip.valid) validPixels += v;
  };
  if (options.method === 'irmad') {
    const params = await irmadParameters(pair, options);
    await forEachStrip(pair, options, (strip) => {
      const offset = strip.row0 * width;
      const count = strip.valid.length;
      const chiSquare = magnitude.subarray(offset, offset + count);
      madWindow(params, strip.bandsA, strip.bandsB, strip.valid, {
        chiSquare,
        weights: new Float32Array(count),
      });
      place(strip);
    });
  } else {
    const stats = createCvaStatsAccumulator(pair.bandNames.length);
    await forEachStrip(pair, options, (strip) => {
      stats.add(strip.bandsA, strip.bandsB, strip.valid);
    });
    options.onPass?.(1);
    const statistics = stats.result();
    await forEachStrip(pair, options, (strip) => {
      const offset = strip.row0 * width;
      const count = strip.valid.length;
      const cvaValid = new Uint8Array(count);
      const out = { magnitude: magnitude.subarray(offset, offset + count), valid: cvaValid };
      if (strip.valid.some((v) => v === 1)) {
        cvaWindow(strip.bandsA, strip.bandsB, null, null, out, {
          standardisation: { mode: 'per-image', statistics },
        });
      }
      for (let p = 0; p < count; p += 1) if (strip.valid[p] !== 1) out.magnitude[p] = Number.NaN;
      place(strip);
    });
  }
  options.onPass?.(options.method === 'irmad' ? IRMAD_ITERATIONS + 1 : 2);
  return {
    magnitude,
    valid,
    validPixels,
    irmadIterations: options.method === 'irmad' ? IRMAD_ITERATIONS : null,
  };
}
