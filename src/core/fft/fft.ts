/**
 * Fast Fourier transforms on separate real and imaginary Float64Arrays, for power-of-two
 * sizes: iterative radix-2 (decimation in time) with a cached plan per size (bit-reversal
 * table and twiddle factors).
 *
 * Conventions: the forward transform is X[k] = Σₙ x[n]·e^(−2πi·k·n/N), unscaled; the inverse is
 * x[n] = (1/N)·Σₖ X[k]·e^(+2πi·k·n/N), so a forward then inverse round trip is the identity.
 * Frequency index k in [0, N) stands for the signed frequency k (k < N/2) or k − N (k ≥ N/2).
 * 2-D arrays are row-major: sample (x, y) — column x, row y — sits at index y·width + x.
 */
import { ValidationError } from '../errors.ts';

/** The precomputed tables of one transform size. */
interface FftPlan {
  readonly size: number;
  /** bitReverse[i] is i with its log2(size) bits reversed. */
  readonly bitReverse: Uint32Array;
  /** cos(2πk/size) and sin(2πk/size) for k in [0, size/2). */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

const plans = new Map<number, FftPlan>();

/** True when `n` is a positive integer power of two (1, 2, 4, …). */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0 && n <= 2 ** 30;
}

/**
 * The smallest power of two ≥ `n`.
 * @throws ValidationError when `n` is not a positive finite number or exceeds 2^30.
 */
export function nextPowerOfTwo(n: number): number {
  if (!Number.isFinite(n) || n <= 0 || n > 2 ** 30) {
    throw new ValidationError(`expected a size in (0, 2^30]; got ${n}`);
  }
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function planFor(size: number, what: string): FftPlan {
  const cached = plans.get(size);
  if (cached !== undefined) return cached;
  if (!isPowerOfTwo(size)) {
    throw new ValidationError(`${what} must be a power of two (1, 2, 4, … 2^30); got ${size}`);
  }
  const bits = Math.round(Math.log2(size));
  const bitReverse = new Uint32Array(size);
  for (let i = 1; i < size; i++) {
    bitReverse[i] = ((bitReverse[i >> 1] ?? 0) >> 1) | ((i & 1) << (bits - 1));
  }
  const half = size >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    // Exact values at the quarter turn avoid cos(π/2) ≈ 6e-17 leaking into every transform.
    const angle = (2 * Math.PI * k) / size;
    cos[k] = 4 * k === size ? 0 : Math.cos(angle);
    sin[k] = 4 * k === size ? 1 : Math.sin(angle);
  }
  const plan = { size, bitReverse, cos, sin };
  plans.set(size, plan);
  return plan;
}

function checkPair(re: Float64Array, im: Float64Array, expected: number, what: string): void {
  if (re.length !== expected || im.length !== expected) {
    throw new ValidationError(
      `${what}: re and im must hold ${expected} samples each; got ${re.length} and ${im.length}`,
    );
  }
}

/**
 * In-place 1-D complex FFT of `re` + i·`im` (length N, a power of two).
 * @param inverse false: forward, unscaled; true: inverse, scaled by 1/N.
 * @throws ValidationError when N is not a power of two or the arrays differ in length.
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const plan = planFor(re.length, 'FFT length');
  checkPair(re, im, plan.size, 'fft');
  transformRows(re, im, plan, 1, inverse);
}

/**
 * In-place 2-D complex FFT of a row-major width × height array (both powers of two): rows,
 * then columns. The inverse is scaled by 1/(width·height).
 * @throws ValidationError when width or height is not a power of two or the arrays do not hold
 * width·height samples.
 */
export function fft2d(
  re: Float64Array,
  im: Float64Array,
  width: number,
  height: number,
  inverse = false,
): void {
  const rowPlan = planFor(width, 'FFT width');
  const columnPlan = planFor(height, 'FFT height');
  checkPair(re, im, width * height, `fft2d ${width}×${height}`);
  transformRows(re, im, rowPlan, height, inverse);
  transformColumns(re, im, columnPlan, width, inverse);
}

/** FFT of each of `count` contiguous rows of plan.size samples. */
function transformRows(
  re: Float64Array,
  im: Float64Array,
  plan: FftPlan,
  count: number,
  inverse: boolean,
): void {
  const { size: n, bitReverse, cos, sin } = plan;
  const sign = inverse ? 1 : -1;
  const scale = inverse ? 1 / n : 1;
  for (let row = 0; row < count; row++) {
    const base = row * n;
    for (let i = 0; i < n; i++) {
      const j = bitReverse[i] ?? 0;
      if (j > i) {
        const a = base + i;
        const b = base + j;
        const tr = re[a] ?? 0;
        const ti = im[a] ?? 0;
        re[a] = re[b] ?? 0;
        im[a] = im[b] ?? 0;
        re[b] = tr;
        im[b] = ti;
      }
    }
    for (let span = 1; span < n; span <<= 1) {
      const stride = n / (2 * span);
      for (let start = base; start < base + n; start += 2 * span) {
        for (let j = 0; j < span; j++) {
          const wr = cos[j * stride] ?? 0;
          const wi = sign * (sin[j * stride] ?? 0);
          const a = start + j;
          const b = a + span;
          const br = re[b] ?? 0;
          const bi = im[b] ?? 0;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = re[a] ?? 0;
          const ai = im[a] ?? 0;
          re[b] = ar - tr;
          im[b] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
    if (inverse) {
      for (let i = base; i < base + n; i++) {
        re[i] = (re[i] ?? 0) * scale;
        im[i] = (im[i] ?? 0) * scale;
      }
    }
  }
}

/**
 * FFT along the columns of a row-major array with `width` columns and plan.size rows. Each
 * butterfly combines two whole rows, so the inner loop walks memory contiguously.
 */
function transformColumns(
  re: Float64Array,
  im: Float64Array,
  plan: FftPlan,
  width: number,
  inverse: boolean,
): void {
  const { size: n, bitReverse, cos, sin } = plan;
  const sign = inverse ? 1 : -1;
  for (let i = 0; i < n; i++) {
    const j = bitReverse[i] ?? 0;
    if (j > i) swapRows(re, im, i * width, j * width, width);
  }
  for (let span = 1; span < n; span <<= 1) {
    const stride = n / (2 * span);
    for (let start = 0; start < n; start += 2 * span) {
      for (let j = 0; j < span; j++) {
        const wr = cos[j * stride] ?? 0;
        const wi = sign * (sin[j * stride] ?? 0);
        const a0 = (start + j) * width;
        const b0 = a0 + span * width;
        for (let x = 0; x < width; x++) {
          const a = a0 + x;
          const b = b0 + x;
          const br = re[b] ?? 0;
          const bi = im[b] ?? 0;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = re[a] ?? 0;
          const ai = im[a] ?? 0;
          re[b] = ar - tr;
          im[b] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
  }
  if (inverse) {
    const scale = 1 / n;
    for (let i = 0; i < re.length; i++) {
      re[i] = (re[i] ?? 0) * scale;
      im[i] = (im[i] ?? 0) * scale;
    }
  }
}

function swapRows(re: Float64Array, im: Float64Array, a0: number, b0: number, width: number): void {
  for (let x = 0; x < width; x++) {
    const tr = re[a0 + x] ?? 0;
    const ti = im[a0 + x] ?? 0;
    re[a0 + x] = re[b0 + x] ?? 0;
    im[a0 + x] = im[b0 + x] ?? 0;
    re[b0 + x] = tr;
    im[b0 + x] = ti;
  }
}
