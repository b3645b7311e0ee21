/**
 * Two-component Gaussian mixture fitted by EM to a histogram (bin centres weighted by counts),
 * and the threshold where the two weighted densities cross. On a log-binned histogram of the
 * IR-MAD statistic this is EM on log Z; on a linear histogram of CVA magnitude, a Gaussian
 * mixture on the magnitude.
 */
import { ValidationError } from '../errors.ts';
import { otsuThreshold } from './otsu-threshold.ts';

export interface MixtureComponent {
  /** Mixing proportion in [0, 1]. */
  readonly weight: number;
  /** Mean and standard deviation on the histogram axis. */
  readonly mean: number;
  readonly stdDev: number;
}

export interface MixtureFit {
  /** Axis value where the weighted densities cross (change: axis ≥ threshold). */
  readonly threshold: number;
  /** [no change (lower mean), change]. */
  readonly components: readonly [MixtureComponent, MixtureComponent];
  readonly iterations: number;
  readonly converged: boolean;
  /** True when the Otsu threshold was returned because the fit did not separate two classes. */
  readonly fellBackToOtsu: boolean;
}

interface Component {
  weight: number;
  mean: number;
  variance: number;
}

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

function logDensity(c: Component, x: number): number {
  const d = x - c.mean;
  return (
    Math.log(c.weight) - 0.5 * Math.log(c.variance) - LOG_SQRT_TWO_PI - (d * d) / (2 * c.variance)
  );
}

/** Moments of bins [from, to) as a component (weight as a fraction of `total`). */
function componentOf(
  counts: Float64Array,
  from: number,
  to: number,
  centre: (i: number) => number,
  total: number,
  minVariance: number,
): Component {
  let weight = 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    weight += counts[i] ?? 0;
    sum += (counts[i] ?? 0) * centre(i);
  }
  const mean = weight > 0 ? sum / weight : centre(from);
  let squares = 0;
  for (let i = from; i < to; i++) squares += (counts[i] ?? 0) * (centre(i) - mean) ** 2;
  const variance = Math.max(minVariance, weight > 0 ? squares / weight : minVariance);
  return { weight: weight / total, mean, variance };
}

/** One EM step; returns the log-likelihood of the previous parameters. */
function emStep(
  counts: Float64Array,
  centre: (i: number) => number,
  c0: Component,
  c1: Component,
  total: number,
  minVariance: number,
): number {
  let logLikelihood = 0;
  const sums = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    if (count === 0) continue;
    const x = centre(i);
    const l0 = logDensity(c0, x);
    const l1 = logDensity(c1, x);
    const top = Math.max(l0, l1);
    const logSum = top + Math.log(Math.exp(l0 - top) + Math.exp(l1 - top));
    logLikelihood += count * logSum;
    const r1 = Math.exp(l1 - logSum);
    const w0 = count * (1 - r1);
    const w1 = count * r1;
    sums[0] = (sums[0] ?? 0) + w0;
    sums[1] = (sums[1] ?? 0) + w0 * x;
    sums[2] = (sums[2] ?? 0) + w0 * x * x;
    sums[3] = (sums[3] ?? 0) + w1;
    sums[4] = (sums[4] ?? 0) + w1 * x;
    sums[5] = (sums[5] ?? 0) + w1 * x * x;
  }
  const [n0 = 0, s0 = 0, q0 = 0, n1 = 0, s1 = 0, q1 = 0] = sums;
  for (const [c, n, s, q] of [
    [c0, n0, s0, q0],
    [c1, n1, s1, q1],
  ] as const) {
    if (n <= 0) continue;
    c.weight = n / total;
    c.mean = s / n;
    c.variance = Math.max(minVariance, q / n - c.mean * c.mean);
  }
  return logLikelihood;
}

/** Where c0's weighted density equals c1's, searched by bisection between the means. */
function crossing(c0: Component, c1: Component): number | null {
  const f = (x: number) => logDensity(c0, x) - logDensity(c1, x);
  let low = c0.mean;
  let high = c1.mean;
  if (!(f(low) > 0 && f(high) < 0)) return null;
  for (let i = 0; i < 200 && high - low > 1e-12 * Math.max(1, Math.abs(low)); i++) {
    const middle = 0.5 * (low + high);
    if (f(middle) > 0) low = middle;
    else high = middle;
  }
  return 0.5 * (low + high);
}

/**
 * Fits two Gaussians by EM (initialised from the Otsu split; at most `maxIterations`, stop when
 * the log-likelihood gains less than 1e-10 relative) and returns their crossing point.
 * Variances are floored at binWidth²/12 (the resolution of the histogram).
 * @param binMin axis value of the lower edge of bin 0; binWidth > 0.
 * @throws ValidationError when binWidth is not positive.
 */
export function mixtureThreshold(
  histogram: Float64Array,
  binMin: number,
  binWidth: number,
  options: { readonly maxIterations?: number } = {},
): MixtureFit {
  const maxIterations = options.maxIterations ?? 500;
  const otsu = otsuThreshold(histogram, binMin, binWidth);
  const minVariance = (binWidth * binWidth) / 12;
  const centre = (i: number) => binMin + (i + 0.5) * binWidth;
  const total = histogram.reduce((a, b) => a + b, 0);
  const split = Number.isFinite(otsu) ? Math.round((otsu - binMin) / binWidth) : histogram.length;
  const c0 = componentOf(histogram, 0, split, centre, total, minVariance);
  const c1 = componentOf(histogram, split, histogram.length, centre, total, minVariance);
  const components = (): [MixtureComponent, MixtureComponent] => [
    { weight: c0.weight, mean: c0.mean, stdDev: Math.sqrt(c0.variance) },
    { weight: c1.weight, mean: c1.mean, stdDev: Math.sqrt(c1.variance) },
  ];
  if (!Number.isFinite(otsu)) {
    if (!(binWidth > 0))
      throw new ValidationError(`mixtureThreshold: binWidth must be > 0, got ${binWidth}`);
    return {
      threshold: Infinity,
      components: components(),
      iterations: 0,
      converged: true,
      fellBackToOtsu: true,
    };
  }
  let previous = -Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations += 1;
    const logLikelihood = emStep(histogram, centre, c0, c1, total, minVariance);
    if (Math.abs(logLikelihood - previous) <= 1e-10 * Math.abs(logLikelihood)) {
      converged = true;
      break;
    }
    previous = logLikelihood;
  }
  const [low, high] = c0.mean <= c1.mean ? [c0, c1] : [c1, c0];
  const threshold = crossing(low, high);
  const ordered = c0.mean <= c1.mean ? components() : ([components()[1], components()[0]] as const);
  return {
    threshold: threshold ?? otsu,
    components: [ordered[0], ordered[1]],
    iterations,
    converged,
    fellBackToOtsu: threshold === null,
  };
}
