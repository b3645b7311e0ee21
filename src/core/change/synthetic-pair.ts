/**
 * Seeded synthetic two-date images for tests and benchmarks of change detection: a blocky
 * land-cover scene (classes with distinct spectra), date B = gain · scene + offset with
 * independent noise on each date, and rectangles where B's land cover is replaced by another
 * class (the true change). Same seed, same pixels.
 */
import { ValidationError } from '../errors.ts';
import type { PixelWindow } from '../raster/raster.ts';
import { seededRandom } from '../random.ts';

/** Standard normal samples (Box–Muller) from a uniform generator. */
export function seededNormal(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

export interface SyntheticPairOptions {
  readonly width: number;
  readonly height: number;
  readonly bandCount: number;
  readonly seed: number;
  /** Rectangles of true change (pixel windows). */
  readonly changes?: readonly PixelWindow[];
  /** B = gain · scene + offset, per band (default 1 and 0). */
  readonly gain?: readonly number[];
  readonly offset?: readonly number[];
  /** Standard deviation of the independent noise on each date, digital numbers. Default 20. */
  readonly noiseStd?: number;
  /** Side of the land-cover blocks in pixels. Default 16. */
  readonly blockSize?: number;
}

export interface SyntheticPair {
  readonly width: number;
  readonly height: number;
  readonly bandsA: Uint16Array[];
  readonly bandsB: Uint16Array[];
  /** 1 inside the change rectangles. */
  readonly truth: Uint8Array;
}

const CLASS_COUNT = 6;

/**
 * Generates the pair (uint16, clamped to [1, 65535] so 0 stays free as a nodata value).
 * @throws ValidationError for non-positive sizes or band counts.
 */
export function makeSyntheticPair(options: SyntheticPairOptions): SyntheticPair {
  const { width, height, bandCount, seed, changes = [], noiseStd = 20, blockSize = 16 } = options;
  if (!(width > 0 && height > 0 && bandCount > 0 && blockSize > 0)) {
    throw new ValidationError(
      `synthetic pair needs positive sizes, got ${width}×${height}×${bandCount}, block ${blockSize}`,
    );
  }
  const uniform = seededRandom(seed);
  const normal = seededNormal(uniform);
  const spectra = Array.from({ length: CLASS_COUNT }, () =>
    Array.from({ length: bandCount }, () => 400 + 2600 * uniform()),
  );
  const blocksX = Math.ceil(width / blockSize);
  const blocksY = Math.ceil(height / blockSize);
  const blockClass = Array.from({ length: blocksX * blocksY }, () =>
    Math.floor(uniform() * CLASS_COUNT),
  );
  const truth = new Uint8Array(width * height);
  for (const c of changes) {
    for (let y = c.row0; y < Math.min(height, c.row0 + c.height); y++) {
      truth.fill(1, y * width + c.col0, y * width + Math.min(width, c.col0 + c.width));
    }
  }
  const bandsA = Array.from({ length: bandCount }, () => new Uint16Array(width * height));
  const bandsB = Array.from({ length: bandCount }, () => new Uint16Array(width * height));
  const clamp = (v: number) => Math.min(65535, Math.max(1, Math.round(v)));
  const classA = new Uint8Array(width * height);
  const classB = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const cls = blockClass[Math.floor(y / blockSize) * blocksX + Math.floor(x / blockSize)] ?? 0;
      classA[p] = cls;
      classB[p] = truth[p] === 1 ? (cls + 1 + ((x >> 3) % (CLASS_COUNT - 1))) % CLASS_COUNT : cls;
    }
  }
  for (let j = 0; j < bandCount; j++) {
    const a = bandsA[j];
    const b = bandsB[j];
    if (a === undefined || b === undefined) continue;
    const gain = options.gain?.[j] ?? 1;
    const offset = options.offset?.[j] ?? 0;
    const spectrum = spectra.map((s) => s[j] ?? 0);
    for (let p = 0; p < width * height; p++) {
      a[p] = clamp((spectrum[classA[p] ?? 0] ?? 0) + noiseStd * normal());
      b[p] = clamp(gain * (spectrum[classB[p] ?? 0] ?? 0) + offset + noiseStd * normal());
    }
  }
  return { width, height, bandsA, bandsB, truth };
}

/** Copies a window out of full-image bands (for splitting an image into windows in tests). */
export function cropBands<T extends Uint16Array | Float32Array | Uint8Array>(
  bands: readonly T[],
  imageWidth: number,
  window: PixelWindow,
): T[] {
  return bands.map((band) => {
    const out = band.slice(0, window.width * window.height) as T;
    for (let y = 0; y < window.height; y++) {
      const start = (window.row0 + y) * imageWidth + window.col0;
      out.set(band.subarray(start, start + window.width), y * window.width);
    }
    return out;
  });
}
