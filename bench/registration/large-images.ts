/**
 * Registration at 8192² and above, for bench/registration.bench.ts: one band of the generated
 * pair (../shared/bench/gen_pair.py, known shift), decoded with the project's GeoTIFF adapter,
 * then estimateTranslationPyramid on the full images, ECC on a centre window, a cubic resample
 * of the whole moving band, and a check that every estimate and every interior sample is
 * finite. Sides above the pair's are made by 2× Lanczos-3 upsampling of both images (the shift
 * doubles; the upsampling's own error adds to the estimate's).
 */
import { EpsgCrsRegistry } from '../../src/adapters/crs/epsg-crs-registry.ts';
import { openGeoTiff } from '../../src/adapters/geotiff/geotiff-raster-source.ts';
import { estimateAffineEcc } from '../../src/core/coregister/ecc-affine.ts';
import { estimateTranslationPyramid } from '../../src/core/coregister/pyramid.ts';
import { shiftImage } from '../../src/core/coregister/shift-image.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { centreShiftOf } from './registration-errors.ts';

/** One large-image run. */
export interface LargeRun {
  readonly side: number;
  readonly truthDx: number;
  readonly truthDy: number;
  readonly pyramid: {
    readonly dx: number;
    readonly dy: number;
    readonly confidence: number;
    readonly method: string;
    readonly errorPx: number;
    readonly seconds: number;
  };
  readonly eccCentreWindow: {
    readonly side: number;
    readonly dx: number;
    readonly dy: number;
    readonly errorPx: number;
    readonly converged: boolean;
    readonly seconds: number;
  };
  readonly resample: { readonly seconds: number; readonly nonFiniteInteriorSamples: number };
  readonly allFinite: boolean;
}

/** Band `band` (1-based) of a GeoTIFF as Float32. */
export async function readBandFloat32(
  path: string,
  band: number,
): Promise<{ data: Float32Array; width: number; height: number }> {
  const source = await openGeoTiff(path, { maxPixels: 2 ** 31 }, new EpsgCrsRegistry());
  try {
    const { width, height } = source.description;
    const [samples] = await source.readWindow(
      { col0: 0, row0: 0, width, height },
      { bands: [band - 1] },
    );
    if (samples === undefined) throw new ValidationError(`${path} has no band ${band}`);
    return { data: Float32Array.from(samples), width, height };
  } finally {
    await source.close();
  }
}

/** Lanczos-3 weights of the 6 taps around a position ¼ px after a sample, normalised to sum 1. */
function lanczos3QuarterWeights(): Float64Array {
  const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
  // taps k − 2 … k + 3 around position k + ¼: distances 2.25, 1.25, 0.25, −0.75, −1.75, −2.75
  const weights = Float64Array.from([2.25, 1.25, 0.25, -0.75, -1.75, -2.75], (d) =>
    Math.abs(d) < 3 ? sinc(d) * sinc(d / 3) : 0,
  );
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / sum);
}

/** out[outStart + 2i], out[outStart + 2i + 1] from one row of `count` samples, edges clamped. */
function upsampleRow(
  src: Float32Array,
  srcStart: number,
  count: number,
  out: Float32Array,
  outStart: number,
  weights: Float64Array,
): void {
  for (let i = 0; i < count; i++) {
    let odd = 0; // position i + ¼: taps i − 2 … i + 3
    let even = 0; // position i − ¼: the mirror, taps i + 2 … i − 3
    for (let t = 0; t < 6; t++) {
      const w = weights[t] ?? 0;
      const a = Math.min(count - 1, Math.max(0, i - 2 + t));
      const b = Math.min(count - 1, Math.max(0, i + 2 - t));
      odd += w * (src[srcStart + a] ?? 0);
      even += w * (src[srcStart + b] ?? 0);
    }
    out[outStart + 2 * i] = even;
    out[outStart + 2 * i + 1] = odd;
  }
}

/**
 * 2× upsampling by separable Lanczos-3 interpolation with pixel centres kept aligned:
 * out(X) = src((X + ½)/2 − ½), edges clamped. A shift of s source pixels becomes 2s output
 * pixels. (Bilinear interpolation would leave spectral copies above ¼ cycle per output pixel
 * whose phase does not follow the doubled shift, biasing phase correlation by several 0.01 px.)
 */
export function upsample2x(src: Float32Array, width: number, height: number): Float32Array {
  const weights = lanczos3QuarterWeights();
  const outWidth = 2 * width;
  const rows = new Float32Array(outWidth * height);
  for (let y = 0; y < height; y++) {
    upsampleRow(src, y * width, width, rows, y * outWidth, weights);
  }
  // Along y, whole rows at a time (the same taps as upsampleRow, cache-friendly).
  const result = new Float32Array(outWidth * 2 * height);
  const clampRow = (r: number) => Math.min(height - 1, Math.max(0, r)) * outWidth;
  for (let y = 0; y < height; y++) {
    const even = 2 * y * outWidth;
    const odd = even + outWidth;
    for (let t = 0; t < 6; t++) {
      const w = weights[t] ?? 0;
      const a = clampRow(y - 2 + t);
      const b = clampRow(y + 2 - t);
      for (let x = 0; x < outWidth; x++) {
        result[odd + x] = (result[odd + x] ?? 0) + w * (rows[a + x] ?? 0);
        result[even + x] = (result[even + x] ?? 0) + w * (rows[b + x] ?? 0);
      }
    }
  }
  return result;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function crop(src: Float32Array, width: number, col0: number, row0: number, side: number) {
  const out = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    const from = (row0 + y) * width + col0;
    out.set(src.subarray(from, from + side), y * side);
  }
  return out;
}

/**
 * Runs the checks on one pair of sides × sides images whose truth is (truthDx, truthDy) in
 * sitewatch's convention (the shift carrying moving onto reference).
 */
export function registerLarge(
  reference: Float32Array,
  moving: Float32Array,
  side: number,
  truthDx: number,
  truthDy: number,
): LargeRun {
  const t0 = process.hrtime.bigint();
  const pyramid = estimateTranslationPyramid(reference, moving, side, side);
  const pyramidSeconds = seconds(t0);

  const eccSide = Math.min(2048, side);
  const offset = Math.floor((side - eccSide) / 2);
  const t1 = process.hrtime.bigint();
  const ecc = estimateAffineEcc(
    crop(reference, side, offset, offset, eccSide),
    crop(moving, side, offset, offset, eccSide),
    eccSide,
    eccSide,
  );
  const eccSeconds = seconds(t1);
  const [eccDx, eccDy] = centreShiftOf(ecc.referenceToMoving, eccSide, eccSide);

  const t2 = process.hrtime.bigint();
  const shifted = shiftImage(moving, side, side, pyramid.dx, pyramid.dy, 'cubic', Number.NaN);
  const resampleSeconds = seconds(t2);
  const margin = Math.ceil(Math.max(Math.abs(pyramid.dx), Math.abs(pyramid.dy))) + 2;
  let nonFinite = 0;
  for (let y = margin; y < side - margin; y++) {
    for (let x = margin; x < side - margin; x++) {
      if (!Number.isFinite(shifted[y * side + x] ?? Number.NaN)) nonFinite++;
    }
  }
  const numbers = [pyramid.dx, pyramid.dy, pyramid.confidence, eccDx, eccDy, ecc.correlation];
  return {
    side,
    truthDx,
    truthDy,
    pyramid: {
      dx: pyramid.dx,
      dy: pyramid.dy,
      confidence: pyramid.confidence,
      method: pyramid.method,
      errorPx: Math.hypot(pyramid.dx - truthDx, pyramid.dy - truthDy),
      seconds: pyramidSeconds,
    },
    eccCentreWindow: {
      side: eccSide,
      dx: eccDx,
      dy: eccDy,
      errorPx: Math.hypot(eccDx - truthDx, eccDy - truthDy),
      converged: ecc.converged,
      seconds: eccSeconds,
    },
    resample: { seconds: resampleSeconds, nonFiniteInteriorSamples: nonFinite },
    allFinite: numbers.every(Number.isFinite) && nonFinite === 0,
  };
}
