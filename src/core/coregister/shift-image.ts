/**
 * Sub-pixel translation of an image, with the co-registration sign convention: the output is
 * out(x, y) = src(x − dx, y − dy), so content moves by +dx columns and +dy rows, and shifting
 * `moving` by the (dx, dy) of estimateTranslation lands it on `reference`.
 */
import { ValidationError } from '../errors.ts';
import { fft2d, isPowerOfTwo } from '../fft/fft.ts';
import { checkImage, type ImageSamples } from './correlation-input.ts';

export type ShiftMethod = 'bilinear' | 'cubic';

/**
 * Taps of one axis: output i reads source samples i + offsets[k] (clamped to the edge) with
 * weights[k]. Outputs in [validStart, validEnd) have their source position inside the image;
 * those in [interiorStart, interiorEnd) need no clamping.
 */
interface AxisTaps {
  readonly offsets: Int32Array;
  readonly weights: Float64Array;
  readonly validStart: number;
  readonly validEnd: number;
  readonly interiorStart: number;
  readonly interiorEnd: number;
}

/** Keys cubic convolution kernel with a = −0.5 (Catmull-Rom), at offsets 1 + t, t, 1 − t, 2 − t. */
function cubicWeights(t: number): number[] {
  const a = -0.5;
  const near = (s: number): number => ((a + 2) * s - (a + 3)) * s * s + 1;
  const far = (s: number): number => ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
  return [far(1 + t), near(t), near(1 - t), far(2 - t)];
}

/**
 * The taps that sample src at i − shift for i in [0, size). Weights that are exactly 0 are
 * dropped, so an integer shift copies samples (and NaN never leaks into neighbours).
 */
function axisTaps(size: number, shift: number, method: ShiftMethod): AxisTaps {
  const position = -shift;
  const base = Math.floor(position);
  const t = position - base;
  const raw = method === 'bilinear' ? [1 - t, t] : cubicWeights(t);
  const first = method === 'bilinear' ? 0 : -1;
  const offsets: number[] = [];
  const weights: number[] = [];
  raw.forEach((w, k) => {
    if (w !== 0) {
      offsets.push(base + first + k);
      weights.push(w);
    }
  });
  const low = Math.min(...offsets);
  const high = Math.max(...offsets);
  const tolerance = 1e-9;
  const clampIndex = (i: number): number => Math.min(size, Math.max(0, i));
  return {
    offsets: Int32Array.from(offsets),
    weights: Float64Array.from(weights),
    validStart: clampIndex(Math.ceil(-position - tolerance)),
    validEnd: clampIndex(Math.floor(size - 1 - position + tolerance) + 1),
    interiorStart: clampIndex(-low),
    interiorEnd: Math.max(clampIndex(-low), clampIndex(size - high)),
  };
}

/**
 * src translated by (dx, dy) pixels: out(x, y) = src(x − dx, y − dy), by bilinear or cubic
 * (Keys, a = −0.5) interpolation; output pixels whose source position falls outside
 * [0, width − 1] × [0, height − 1] get `fill`. Cubic taps beyond the edge repeat the edge
 * sample. Separable: each source row is interpolated along x once, then rows are combined
 * along y.
 * @param out where to write the result (same type and length as src, not src itself); by
 * default a new array. Reusing one across bands saves the cost of touching fresh memory.
 * @returns `out`, or a new array of the type of `src`.
 * @throws ValidationError when src does not hold width × height samples, a shift is not
 * finite, or `out` is src or has another length.
 */
export function shiftImage<T extends ImageSamples>(
  src: T,
  width: number,
  height: number,
  dx: number,
  dy: number,
  method: ShiftMethod,
  fill: number,
  out: T = (src instanceof Float32Array
    ? new Float32Array(src.length)
    : new Float64Array(src.length)) as T,
): T {
  checkImage(src, width, height, 'shiftImage', 1);
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) {
    throw new ValidationError(`shiftImage: shifts must be finite; got (${dx}, ${dy})`);
  }
  if (out === src || out.length !== src.length) {
    throw new ValidationError(
      `shiftImage: out must be a separate array of ${src.length} samples; got ${out === src ? 'src itself' : out.length}`,
    );
  }
  const cols = axisTaps(width, dx, method);
  const rows = axisTaps(height, dy, method);
  const taps = rows.offsets.length;
  const cache = Array.from({ length: taps }, () => new Float64Array(width));
  const cachedRow = new Int32Array(taps).fill(-1);
  const sources: Float64Array[] = [];
  for (let y = 0; y < height; y++) {
    const target = y * width;
    if (y < rows.validStart || y >= rows.validEnd) {
      out.fill(fill, target, target + width);
      continue;
    }
    sources.length = 0;
    for (let j = 0; j < taps; j++) {
      const row = Math.min(height - 1, Math.max(0, y + (rows.offsets[j] ?? 0)));
      const slot = row % taps;
      const buffer = cache[slot] ?? new Float64Array(width);
      if (cachedRow[slot] !== row) {
        filterRow(src, row * width, width, cols, buffer);
        cachedRow[slot] = row;
      }
      sources.push(buffer);
    }
    out.fill(fill, target, target + cols.validStart);
    combineRows(sources, rows.weights, cols.validStart, cols.validEnd, out, target);
    out.fill(fill, target + cols.validEnd, target + width);
  }
  return out;
}

/** out[target + x] = Σⱼ weights[j]·sources[j][x] for x in [start, end). */
function combineRows(
  sources: readonly Float64Array[],
  weights: Float64Array,
  start: number,
  end: number,
  out: ImageSamples,
  target: number,
): void {
  const s0 = sources[0] ?? new Float64Array(0);
  const w0 = weights[0] ?? 0;
  if (sources.length === 1) {
    for (let x = start; x < end; x++) out[target + x] = w0 * (s0[x] ?? 0);
    return;
  }
  const s1 = sources[1] ?? s0;
  const w1 = weights[1] ?? 0;
  if (sources.length === 2) {
    for (let x = start; x < end; x++) out[target + x] = w0 * (s0[x] ?? 0) + w1 * (s1[x] ?? 0);
    return;
  }
  const s2 = sources[2] ?? s0;
  const s3 = sources[3] ?? s0;
  const w2 = weights[2] ?? 0;
  const w3 = sources.length === 4 ? (weights[3] ?? 0) : 0;
  for (let x = start; x < end; x++) {
    out[target + x] = w0 * (s0[x] ?? 0) + w1 * (s1[x] ?? 0) + w2 * (s2[x] ?? 0) + w3 * (s3[x] ?? 0);
  }
}

/** Interpolation along x of the source row starting at `start` into `out` (width samples). */
function filterRow(
  src: ImageSamples,
  start: number,
  width: number,
  cols: AxisTaps,
  out: Float64Array,
): void {
  const { offsets, weights, interiorStart, interiorEnd } = cols;
  const taps = offsets.length;
  const edge = (x: number): number => {
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const index = Math.min(width - 1, Math.max(0, x + (offsets[k] ?? 0)));
      sum += (weights[k] ?? 0) * (src[start + index] ?? 0);
    }
    return sum;
  };
  for (let x = 0; x < interiorStart; x++) out[x] = edge(x);
  const o0 = start + (offsets[0] ?? 0);
  const w0 = weights[0] ?? 0;
  if (taps === 1) {
    for (let x = interiorStart; x < interiorEnd; x++) out[x] = w0 * (src[o0 + x] ?? 0);
  } else if (taps === 2) {
    const o1 = start + (offsets[1] ?? 0);
    const w1 = weights[1] ?? 0;
    for (let x = interiorStart; x < interiorEnd; x++) {
      out[x] = w0 * (src[o0 + x] ?? 0) + w1 * (src[o1 + x] ?? 0);
    }
  } else {
    // Three or four taps (cubic); a missing fourth tap has weight 0 and reads a valid sample.
    const o1 = start + (offsets[1] ?? 0);
    const o2 = start + (offsets[2] ?? 0);
    const o3 = taps === 4 ? start + (offsets[3] ?? 0) : o2;
    const [w1, w2] = [weights[1] ?? 0, weights[2] ?? 0];
    const w3 = taps === 4 ? (weights[3] ?? 0) : 0;
    for (let x = interiorStart; x < interiorEnd; x++) {
      out[x] =
        w0 * (src[o0 + x] ?? 0) +
        w1 * (src[o1 + x] ?? 0) +
        w2 * (src[o2 + x] ?? 0) +
        w3 * (src[o3 + x] ?? 0);
    }
  }
  for (let x = Math.max(interiorStart, interiorEnd); x < width; x++) out[x] = edge(x);
}

/**
 * The cyclic, band-limited translation of src by (dx, dy) pixels, out(x, y) = src(x − dx,
 * y − dy) with indices taken modulo the size, computed exactly in the Fourier domain (the
 * Nyquist terms contribute their real part). Used to make test pairs with known sub-pixel
 * shifts; content leaving one edge re-enters at the other.
 * @throws ValidationError when width or height is not a power of two, src does not hold
 * width × height samples, or a shift is not finite.
 */
export function fourierShift(
  src: ArrayLike<number>,
  width: number,
  height: number,
  dx: number,
  dy: number,
): Float64Array {
  if (!isPowerOfTwo(width) || !isPowerOfTwo(height) || src.length !== width * height) {
    throw new ValidationError(
      `fourierShift: expected power-of-two sizes and width × height samples; got ${width} × ${height} with ${src.length}`,
    );
  }
  if (!Number.isFinite(dx) || !Number.isFinite(dy)) {
    throw new ValidationError(`fourierShift: shifts must be finite; got (${dx}, ${dy})`);
  }
  const re = Float64Array.from(src);
  const im = new Float64Array(re.length);
  fft2d(re, im, width, height);
  for (let ky = 0; ky < height; ky++) {
    const fy = (ky < height / 2 ? ky : ky - height) / height;
    for (let kx = 0; kx < width; kx++) {
      const fx = (kx < width / 2 ? kx : kx - width) / width;
      const angle = -2 * Math.PI * (fx * dx + fy * dy);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const i = ky * width + kx;
      const r = re[i] ?? 0;
      const m = im[i] ?? 0;
      re[i] = r * c - m * s;
      im[i] = r * s + m * c;
    }
  }
  fft2d(re, im, width, height, true);
  return re;
}
