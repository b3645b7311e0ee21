/**
 * Co-registration of a comparison pair: a global translation (phase correlation, sub-pixel)
 * and local tile residuals, estimated on a decimated "luminance" of each image (the mean of
 * its standardised common bands, standardised with the image's ingest statistics) so memory
 * stays at two images of at most {@link COREGISTER_MAX_SIDE_PX}² floats.
 */
import type { RegistrationResult } from '../../core/change/comparison.ts';
import { estimateLocalShifts } from '../../core/coregister/local-shifts.ts';
import { estimateTranslationPyramid } from '../../core/coregister/pyramid.ts';
import { ValidationError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import {
  readStrip,
  stripRows,
  throwIfCancelled,
  type ComparisonPair,
  type StripPixels,
} from './comparison-pair.ts';

/** Longer side of the decimated luminance images, px. */
export const COREGISTER_MAX_SIDE_PX = 1024;
/** Global estimates below this confidence are flagged unreliable and not applied. */
export const RELIABILITY_THRESHOLD = 0.5;
/** Local tiles below this confidence do not count in the residual. */
const LOCAL_MIN_CONFIDENCE = 0.3;

interface Standardiser {
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
}

function standardiserOf(image: ImageRecord, bandIndexes: readonly number[]): Standardiser {
  const mean = new Float64Array(bandIndexes.length);
  const invStd = new Float64Array(bandIndexes.length);
  bandIndexes.forEach((band, i) => {
    const stats = image.stats[band];
    mean[i] = stats?.mean ?? 0;
    const std = stats?.stdDev ?? 1;
    invStd[i] = std > 0 ? 1 / std : 1;
  });
  return { mean, invStd };
}

/** Block sums of luminance over decimated cells. */
class DecimatedLuminance {
  readonly sums: Float64Array;
  readonly counts: Float64Array;
  constructor(
    readonly width: number,
    readonly height: number,
    readonly factor: number,
  ) {
    this.sums = new Float64Array(width * height);
    this.counts = new Float64Array(width * height);
  }

  add(strip: StripPixels, bands: readonly Float32Array[], s: Standardiser, gridWidth: number) {
    const { factor } = this;
    for (let r = 0; r < strip.height; r += 1) {
      const cellRow = Math.floor((strip.row0 + r) / factor) * this.width;
      for (let c = 0; c < gridWidth; c += 1) {
        const p = r * gridWidth + c;
        if (strip.valid[p] !== 1) continue;
        let sum = 0;
        bands.forEach((band, i) => {
          sum += ((band[p] ?? 0) - (s.mean[i] ?? 0)) * (s.invStd[i] ?? 1);
        });
        const cell = cellRow + Math.floor(c / factor);
        this.sums[cell] = (this.sums[cell] ?? 0) + sum / bands.length;
        this.counts[cell] = (this.counts[cell] ?? 0) + 1;
      }
    }
  }

  image(): Float32Array {
    const out = new Float32Array(this.sums.length);
    for (let i = 0; i < out.length; i += 1) {
      const n = this.counts[i] ?? 0;
      out[i] = n > 0 ? (this.sums[i] ?? 0) / n : Number.NaN;
    }
    return out;
  }
}

/**
 * Estimates the translation carrying B onto A on the pair's grid (one read of both images).
 * Images under 4 decimated pixels a side get dx = dy = 0, confidence 0 (unreliable).
 */
export async function coregisterPair(
  pair: ComparisonPair,
  signal?: AbortSignal,
): Promise<RegistrationResult> {
  const { width, height } = pair.grid;
  const factor = Math.max(1, Math.ceil(Math.max(width, height) / COREGISTER_MAX_SIDE_PX));
  const dw = Math.ceil(width / factor);
  const dh = Math.ceil(height / factor);
  const lumA = new DecimatedLuminance(dw, dh, factor);
  const lumB = new DecimatedLuminance(dw, dh, factor);
  const sa = standardiserOf(pair.a.image, pair.a.bandIndexes);
  const sb = standardiserOf(pair.b.image, pair.b.bandIndexes);
  for (const { row0, height: rows } of stripRows(height)) {
    throwIfCancelled(signal);
    const strip = await readStrip(pair, pair.b.mapping, row0, rows, signal);
    lumA.add(strip, strip.bandsA, sa, width);
    lumB.add(strip, strip.bandsB, sb, width);
  }
  if (!lumA.counts.some((n) => n > 0)) {
    throw new ValidationError(
      `images ${pair.a.image.id} and ${pair.b.image.id} share no valid pixel on the comparison grid (all nodata where they overlap)`,
    );
  }
  return estimateRegistration(lumA.image(), lumB.image(), dw, dh, factor, pair.gsdMeters);
}

function estimateRegistration(
  reference: Float32Array,
  moving: Float32Array,
  width: number,
  height: number,
  factor: number,
  gsdMeters: number | null,
): RegistrationResult {
  if (Math.min(width, height) < 4) {
    return registration(0, 0, 0, null, null, factor, gsdMeters);
  }
  const global = estimateTranslationPyramid(reference, moving, width, height);
  let medianPx: number | null = null;
  let p90Px: number | null = null;
  if (Math.min(width, height) >= 16) {
    const tileSize = Math.max(8, Math.min(64, Math.floor(Math.min(width, height) / 2)));
    const local = estimateLocalShifts(reference, moving, width, height, {
      tileSize,
      minConfidence: LOCAL_MIN_CONFIDENCE,
      global: { dx: global.dx, dy: global.dy },
    });
    medianPx = local.residual.medianPx === null ? null : local.residual.medianPx * factor;
    p90Px = local.residual.p90Px === null ? null : local.residual.p90Px * factor;
  }
  return registration(
    global.dx * factor,
    global.dy * factor,
    global.confidence,
    medianPx,
    p90Px,
    factor,
    gsdMeters,
  );
}

function registration(
  dx: number,
  dy: number,
  confidence: number,
  residualMedianPx: number | null,
  residualP90Px: number | null,
  decimation: number,
  gsdMeters: number | null,
): RegistrationResult {
  const toMeters = (px: number | null) =>
    px === null || gsdMeters === null ? null : px * gsdMeters;
  const reliable = confidence >= RELIABILITY_THRESHOLD;
  return {
    dx,
    dy,
    residualMedianPx,
    residualP90Px,
    residualMedianM: toMeters(residualMedianPx),
    residualP90M: toMeters(residualP90Px),
    confidence,
    reliable,
    applied: reliable && (dx !== 0 || dy !== 0),
    decimation,
  };
}
