/**
 * Iteratively reweighted MAD (IR-MAD, Nielsen 2007) for bitemporal change detection.
 *
 * The work is split so the streaming pipeline can process images of any size in windows:
 * - {@link createIrmadAccumulator} (one pass = feeding all windows) accumulates the weighted
 *   2n × 2n covariance in float64;
 * - {@link solveIrmad} turns it into canonical correlations and MAD coefficients;
 * - {@link madWindow} maps one window to the chi-square statistic Z and the no-change weights
 *   that feed the next pass.
 * Iteration i's pass computes the weights with the parameters of iteration i − 1 and
 * accumulates with them, so each iteration costs one read of the image; one more pass of
 * {@link madWindow} with the final parameters yields the change map.
 *
 * {@link runIrmad} drives these over in-memory windows (tests, small images).
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';
import { createIrmadAccumulator } from './irmad-accumulator.ts';
import type { IrmadParameters } from './irmad-solve.ts';
import { solveIrmad } from './irmad-solve.ts';
import { madWindow } from './mad-window.ts';

export { chiSquareCdf, chiSquareQuantile, chiSquareSurvival } from './chi-square.ts';
export { createIrmadAccumulator, IRMAD_MAX_BANDS } from './irmad-accumulator.ts';
export type { IrmadAccumulator, IrmadMoments } from './irmad-accumulator.ts';
export { MAD_VARIANCE_FLOOR, solveIrmad } from './irmad-solve.ts';
export type { IrmadParameters, IrmadSolveOptions } from './irmad-solve.ts';
export { madWindow } from './mad-window.ts';
export type { MadOutput } from './mad-window.ts';

/** One window of a co-registered pair, with its validity mask. */
export interface IrmadWindow {
  readonly bandsA: readonly PixelArray[];
  readonly bandsB: readonly PixelArray[];
  readonly valid: Uint8Array;
}

export interface IrmadRunOptions {
  /** Maximum number of iterations (passes); the first is unweighted. */
  readonly iterations: number;
  /** Ridge regularisation λ in [0, 1) (see `IrmadSolveOptions`). Default 0. */
  readonly regularisation?: number;
  /** Stop when max |Δρ| between iterations is below this. Default 1e-3. */
  readonly tolerance?: number;
}

export interface IrmadRunResult {
  /** Parameters of the last iteration: apply with {@link madWindow}. */
  readonly parameters: IrmadParameters;
  readonly iterations: number;
  /** Whether max |Δρ| fell below the tolerance before the iteration limit. */
  readonly converged: boolean;
  /** ρ after each iteration (increasing within each entry). */
  readonly rhoHistory: readonly Float64Array[];
}

/** Largest |Δρ| between two iterations (Infinity for the first). */
export function maxRhoChange(previous: Float64Array | null, current: Float64Array): number {
  if (previous === null) return Infinity;
  let change = 0;
  for (let k = 0; k < current.length; k++) {
    change = Math.max(change, Math.abs((current[k] ?? 0) - (previous[k] ?? 0)));
  }
  return change;
}

function onePass(
  windows: () => Iterable<IrmadWindow>,
  previous: IrmadParameters | null,
  regularisation: number,
): IrmadParameters {
  let accumulator: ReturnType<typeof createIrmadAccumulator> | null = null;
  let chiSquare = new Float32Array(0);
  let weights = new Float32Array(0);
  for (const window of windows()) {
    accumulator ??= createIrmadAccumulator(window.bandsA.length);
    if (previous === null) {
      accumulator.add(window.bandsA, window.bandsB, null, window.valid);
      continue;
    }
    if (chiSquare.length !== window.valid.length) {
      chiSquare = new Float32Array(window.valid.length);
      weights = new Float32Array(window.valid.length);
    }
    madWindow(previous, window.bandsA, window.bandsB, window.valid, { chiSquare, weights });
    accumulator.add(window.bandsA, window.bandsB, weights, window.valid);
  }
  if (accumulator === null) throw new ValidationError('runIrmad: windows() yielded no window');
  return solveIrmad(accumulator.moments(), { regularisation });
}

/**
 * Runs IR-MAD over in-memory windows: up to `iterations` passes, stopping early once
 * max |Δρ| < tolerance. `windows` is called once per pass and must yield the same windows.
 * @throws ValidationError for bad options, no windows, or a singular covariance.
 */
export function runIrmad(
  windows: () => Iterable<IrmadWindow>,
  options: IrmadRunOptions,
): IrmadRunResult {
  const { iterations, regularisation = 0, tolerance = 1e-3 } = options;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new ValidationError(`runIrmad: iterations must be a positive integer, got ${iterations}`);
  }
  if (!(tolerance >= 0)) {
    throw new ValidationError(`runIrmad: tolerance must be ≥ 0, got ${tolerance}`);
  }
  const rhoHistory: Float64Array[] = [];
  let parameters: IrmadParameters | null = null;
  for (let iteration = 1; iteration <= iterations; iteration++) {
    const next = onePass(windows, parameters, regularisation);
    const change = maxRhoChange(parameters?.rho ?? null, next.rho);
    rhoHistory.push(next.rho);
    parameters = next;
    if (change < tolerance)
      return { parameters, iterations: iteration, converged: true, rhoHistory };
  }
  if (parameters === null) throw new ValidationError('runIrmad: no iteration ran');
  return { parameters, iterations, converged: false, rhoHistory };
}
