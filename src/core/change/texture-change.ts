/**
 * Structure (texture) change between two co-registered dates: new buildings, roads and
 * demolitions add or remove edges and corners, which survive the illumination and season
 * differences that swamp per-pixel spectral change at sub-metre GSD.
 *
 * Per date, the edge strength is the Sobel gradient magnitude of every band, each band divided
 * by its own standard deviation over the valid pixels of that date (so a gain between the
 * dates cancels), combined over bands as √(Σ g²) / √n. The texture change is the absolute
 * difference of the two dates' edge strengths. Pixels whose 3 × 3 neighbourhood touches an
 * invalid pixel or the image border are NaN.
 *
 * Memory: one Float32 plane per date plus the output. On strips, give each strip a halo of 1
 * row (plus any later neighbourhood radius), and compute the band standard deviations over
 * the whole image first (pass them in `standardDeviations`).
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';

/** Population standard deviation of each band over the valid, finite pixels (0 if none). */
export function bandStandardDeviations(
  bands: readonly PixelArray[],
  valid: Uint8Array | null,
): Float64Array {
  const out = new Float64Array(bands.length);
  bands.forEach((band, j) => {
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (let p = 0; p < band.length; p++) {
      const v = band[p] ?? Number.NaN;
      if ((valid !== null && valid[p] === 0) || !Number.isFinite(v)) continue;
      n++;
      const delta = v - mean;
      mean += delta / n;
      m2 += delta * (v - mean);
    }
    out[j] = n > 0 ? Math.sqrt(m2 / n) : 0;
  });
  return out;
}

/**
 * Edge strength of one date: √(Σ_bands (Sobel magnitude / band std)²) / √n per pixel.
 * @param standardDeviations per band (bands with std 0 are skipped); default: computed here.
 * @throws ValidationError when sizes disagree or there is no band.
 */
export function edgeStrength(
  bands: readonly PixelArray[],
  valid: Uint8Array | null,
  width: number,
  height: number,
  standardDeviations: Float64Array = bandStandardDeviations(bands, valid),
  out: Float32Array = new Float32Array(width * height),
): Float32Array {
  const length = width * height;
  if (bands.length === 0) throw new ValidationError('edgeStrength: no band');
  if (
    bands.some((b) => b.length !== length) ||
    out.length !== length ||
    (valid !== null && valid.length !== length) ||
    standardDeviations.length !== bands.length
  ) {
    throw new ValidationError(
      `edgeStrength: expected ${bands.length} bands, valid flags and output of ${width}×${height} and one std per band`,
    );
  }
  const sumSquares = new Float64Array(length);
  let used = 0;
  bands.forEach((band, j) => {
    const std = standardDeviations[j] ?? 0;
    if (!(std > 0)) return;
    used++;
    const scale = 1 / (std * std);
    for (let y = 1; y < height - 1; y++) {
      for (let x = 1; x < width - 1; x++) {
        const p = y * width + x;
        const a = band[p - width - 1] ?? 0;
        const b = band[p - width] ?? 0;
        const c = band[p - width + 1] ?? 0;
        const d = band[p - 1] ?? 0;
        const f = band[p + 1] ?? 0;
        const g = band[p + width - 1] ?? 0;
        const h = band[p + width] ?? 0;
        const i = band[p + width + 1] ?? 0;
        const gx = c + 2 * f + i - (a + 2 * d + g);
        const gy = g + 2 * h + i - (a + 2 * b + c);
        sumSquares[p] = (sumSquares[p] ?? 0) + (gx * gx + gy * gy) * scale;
      }
    }
  });
  const norm = used > 0 ? 1 / used : 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      out[p] = neighbourhoodValid(valid, bands, width, height, x, y)
        ? Math.sqrt((sumSquares[p] ?? 0) * norm)
        : Number.NaN;
    }
  }
  return out;
}

/** Whether the 3 × 3 neighbourhood of (x, y) is inside the image, valid and finite. */
function neighbourhoodValid(
  valid: Uint8Array | null,
  bands: readonly PixelArray[],
  width: number,
  height: number,
  x: number,
  y: number,
): boolean {
  if (x < 1 || y < 1 || x >= width - 1 || y >= height - 1) return false;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const q = (y + dy) * width + x + dx;
      if (valid !== null && valid[q] === 0) return false;
      if (bands.some((band) => !Number.isFinite(band[q] ?? Number.NaN))) return false;
    }
  }
  return true;
}

/**
 * Texture change |edgeStrength(B) − edgeStrength(A)| per pixel (NaN where either is NaN).
 * @throws ValidationError when the dates' band counts or sizes disagree.
 */
export function textureChange(
  bandsA: readonly PixelArray[],
  bandsB: readonly PixelArray[],
  valid: Uint8Array | null,
  width: number,
  height: number,
  out: Float32Array = new Float32Array(width * height),
): Float32Array {
  if (bandsA.length !== bandsB.length) {
    throw new ValidationError(
      `textureChange: dates have ${bandsA.length} and ${bandsB.length} bands`,
    );
  }
  const edgesA = edgeStrength(bandsA, valid, width, height);
  edgeStrength(bandsB, valid, width, height, bandStandardDeviations(bandsB, valid), out);
  for (let p = 0; p < out.length; p++) out[p] = Math.abs((out[p] ?? 0) - (edgesA[p] ?? 0));
  return out;
}
