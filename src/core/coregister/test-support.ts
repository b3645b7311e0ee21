/**
 * Seeded randomness and image perturbations shared by the co-registration, FFT and linear
 * algebra tests (test support only; pure, no I/O).
 */
import { seededRandom } from '../random.ts';

/** Seeded standard normal samples (Box–Muller on {@link seededRandom}). */
export function seededGaussian(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => {
    const u = Math.max(uniform(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

/** `count` seeded uniform samples in [low, high). */
export function randomArray(count: number, seed: number, low = -1, high = 1): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: count }, () => low + (high - low) * random());
}

/** Minimum and maximum of the finite values of `values`. */
export function finiteRange(values: ArrayLike<number>): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * gain·image + offset + N(0, σ²) noise with σ = noiseFraction × (max − min) of `image`, as a
 * radiometrically different acquisition of the same scene.
 */
export function perturbRadiometry(
  image: ArrayLike<number>,
  options: { gain: number; offset: number; noiseFraction: number; seed: number },
): Float64Array {
  const { min, max } = finiteRange(image);
  const sigma = options.noiseFraction * (max - min);
  const gaussian = seededGaussian(options.seed);
  return Float64Array.from(
    { length: image.length },
    (_, i) => options.gain * (image[i] ?? 0) + options.offset + sigma * gaussian(),
  );
}

/** The window [col0, col0 + width) × [row0, row0 + height) of a row-major image. */
export function cropImage(
  image: ArrayLike<number>,
  imageWidth: number,
  window: { col0: number; row0: number; width: number; height: number },
): Float64Array {
  const out = new Float64Array(window.width * window.height);
  for (let y = 0; y < window.height; y++) {
    for (let x = 0; x < window.width; x++) {
      out[y * window.width + x] = image[(window.row0 + y) * imageWidth + window.col0 + x] ?? 0;
    }
  }
  return out;
}

/**
 * A seeded synthetic texture sampled at (x + offsetX, y + offsetY) for each pixel: the sum over
 * `scalesPx` of bilinearly interpolated random grids with that spacing, weighted by the
 * spacing. The same seed with offsets (ox, oy) is the exact translation of the texture, so
 * estimateTranslation(reference = offsets (0, 0), moving = offsets (ox, oy)) should give
 * (ox, oy). Offsets must lie in [−32, 32] px.
 */
export function sampleTexture(
  width: number,
  height: number,
  offset: { x: number; y: number },
  seed: number,
  scalesPx: readonly number[] = [16, 4, 2],
): Float32Array {
  const out = new Float32Array(width * height);
  const margin = 32;
  scalesPx.forEach((scale, octave) => {
    const gridWidth = Math.ceil((width + 2 * margin) / scale) + 2;
    const gridHeight = Math.ceil((height + 2 * margin) / scale) + 2;
    const random = seededRandom(seed * 7919 + octave);
    const grid = Float64Array.from({ length: gridWidth * gridHeight }, () => random());
    const axis = (size: number, shift: number): { index: Int32Array; t: Float64Array } => {
      const index = new Int32Array(size);
      const t = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        const p = (i + shift + margin) / scale;
        index[i] = Math.floor(p);
        t[i] = p - Math.floor(p);
      }
      return { index, t };
    };
    const ax = axis(width, offset.x);
    const ay = axis(height, offset.y);
    for (let y = 0; y < height; y++) {
      const row0 = (ay.index[y] ?? 0) * gridWidth;
      const row1 = row0 + gridWidth;
      const ty = ay.t[y] ?? 0;
      for (let x = 0; x < width; x++) {
        const gx = ax.index[x] ?? 0;
        const tx = ax.t[x] ?? 0;
        const top = (grid[row0 + gx] ?? 0) * (1 - tx) + (grid[row0 + gx + 1] ?? 0) * tx;
        const bottom = (grid[row1 + gx] ?? 0) * (1 - tx) + (grid[row1 + gx + 1] ?? 0) * tx;
        out[y * width + x] = (out[y * width + x] ?? 0) + scale * (top * (1 - ty) + bottom * ty);
      }
    }
  });
  return out;
}
