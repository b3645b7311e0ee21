/**
 * The chi-square distribution: an accurate CDF and quantile (for thresholds and tests) and a
 * fast closed-form survival function for integer degrees of freedom (for per-pixel weights).
 */
import { ValidationError } from '../errors.ts';

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_TERMS = 100_000;

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] ?? 1;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** e^(−x) xᵃ / Γ(a), the common prefactor of both incomplete-gamma expansions. */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** P(a, x) by its power series; converges quickly for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let denominator = a;
  let term = 1 / a;
  let sum = term;
  for (let i = 0; i < MAX_TERMS; i++) {
    denominator += 1;
    term *= x / denominator;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * gammaPrefactor(a, x);
}

/** Q(a, x) by the modified Lentz continued fraction; converges quickly for x ≥ a + 1. */
function upperGammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h * gammaPrefactor(a, x);
}

function checkDegrees(k: number, name: string): void {
  if (!(k > 0) || !Number.isFinite(k)) {
    throw new ValidationError(`${name}: degrees of freedom must be finite and > 0, got ${k}`);
  }
}

/**
 * Regularised lower incomplete gamma P(a, x) = γ(a, x) / Γ(a), absolute error below 1e-13.
 * @throws ValidationError when a ≤ 0.
 */
export function regularizedLowerGamma(a: number, x: number): number {
  checkDegrees(a, 'regularizedLowerGamma');
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? lowerGammaSeries(a, x) : 1 - upperGammaFraction(a, x);
}

/**
 * P(Z ≤ x) for Z ~ χ²(k), absolute error below 1e-13 (k need not be an integer).
 * @throws ValidationError when k is not finite and > 0.
 */
export function chiSquareCdf(x: number, k: number): number {
  checkDegrees(k, 'chiSquareCdf');
  return regularizedLowerGamma(k / 2, x / 2);
}

/**
 * P(Z > x) for Z ~ χ²(k), accurate in the far upper tail too (no 1 − cdf cancellation).
 * @throws ValidationError when k is not finite and > 0.
 */
export function chiSquareSurvival(x: number, k: number): number {
  checkDegrees(k, 'chiSquareSurvival');
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  const a = k / 2;
  const h = x / 2;
  return h < a + 1 ? 1 - lowerGammaSeries(a, h) : upperGammaFraction(a, h);
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function erfcApprox(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * P(Z > x) for Z ~ χ²(k) with integer k ≥ 1, by the closed forms (a finite Poisson sum for even
 * k, erfc plus a finite sum for odd k). Exact in exact arithmetic for even k; absolute error
 * below 2e-7 for odd k (from {@link erfcApprox}). Meant for per-pixel weights, which are
 * stored as float32 anyway; k is not validated here (callers check it once).
 */
export function chiSquareSurvivalFast(x: number, k: number): number {
  if (!(x > 0)) return x === x ? 1 : Number.NaN;
  const h = 0.5 * x;
  const expMinusH = Math.exp(-h);
  if ((k & 1) === 0) {
    let term = expMinusH;
    let sum = term;
    const terms = k >> 1;
    for (let i = 1; i < terms; i++) {
      term *= h / i;
      sum += term;
    }
    return sum;
  }
  const root = Math.sqrt(h);
  let term = expMinusH * root * TWO_OVER_SQRT_PI;
  let sum = k > 1 ? term : 0;
  const terms = (k - 1) >> 1;
  for (let i = 2; i <= terms; i++) {
    term *= h / (i - 0.5);
    sum += term;
  }
  return erfcApprox(root) + sum;
}

function chiSquareDensity(x: number, k: number): number {
  const a = k / 2;
  return Math.exp((a - 1) * Math.log(x) - x / 2 - a * Math.LN2 - logGamma(a));
}

/**
 * The x with P(Z ≤ x) = p for Z ~ χ²(k) (safeguarded Newton iteration on
 * {@link chiSquareCdf}; relative error about 1e-13). p = 0 gives 0 and p = 1 gives Infinity.
 * @throws ValidationError when p is outside [0, 1] or k is not finite and > 0.
 */
export function chiSquareQuantile(p: number, k: number): number {
  checkDegrees(k, 'chiSquareQuantile');
  if (!(p >= 0 && p <= 1)) {
    throw new ValidationError(`chiSquareQuantile: probability must be in [0, 1], got ${p}`);
  }
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  let low = 0;
  let high = Math.max(1, k);
  while (chiSquareCdf(high, k) < p) {
    low = high;
    high *= 2;
  }
  let x = 0.5 * (low + high);
  for (let i = 0; i < 300; i++) {
    const error = chiSquareCdf(x, k) - p;
    if (error === 0) return x;
    if (error < 0) low = x;
    else high = x;
    const newton = x - error / chiSquareDensity(x, k);
    const next = newton > low && newton < high ? newton : 0.5 * (low + high);
    if (Math.abs(next - x) <= 1e-15 * x) return next;
    x = next;
  }
  return x;
}
