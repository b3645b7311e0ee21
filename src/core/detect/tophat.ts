/**
 * The model-free baseline detector: vehicle-sized bright or dark compact blobs. White and black
 * morphological top-hats (square element a little wider than the widest vehicle) keep details
 * narrower than a vehicle is wide-plus-margin; a robust threshold (median + k·MAD of each
 * top-hat, at least a fraction of the image's 2–98 % range) keeps the contrasted ones; connected
 * components then pass shape filters in metres, and each becomes an oriented box from its second
 * moments. Works at any GSD (the filters are in metres), on one luminance band.
 */
import { ValidationError } from '../errors.ts';
import { labelComponents } from '../raster/connected-components.ts';
import type { Detection } from './detection.ts';
import { blackTopHat, whiteTopHat } from './grey-morphology.ts';
import { nonMaximumSuppression } from './nms.ts';
import { normaliseAngle } from './rotated-iou.ts';

export const TOPHAT_BASELINE_ID = 'tophat-baseline';

/** Its class names, fixed: vehicles shorter than `largeVehicleMinLengthMeters` are small. */
export const TOPHAT_CLASSES = ['small-vehicle', 'large-vehicle'] as const;

/** What the baseline is, in the shape of a model descriptor's identifying fields. */
export const TOPHAT_BASELINE_DESCRIPTOR = {
  id: TOPHAT_BASELINE_ID,
  version: '1.0.0',
  description:
    'Model-free baseline: vehicle-sized bright/dark compact blobs (morphological top-hat, robust threshold, shape filters in metres).',
  classes: TOPHAT_CLASSES,
  /** Works at any GSD natively: its filters are in metres. */
  gsdMeters: null,
  /** Luminance (Rec. 601) of the first three bands; a single band is used as is. */
  bands: ['luminance(bands 1–3)'],
  licence: 'Apache-2.0 (no weights, no training data)',
} as const;

export interface CompactBlobOptions {
  /** Length (long side) range of a vehicle, m. Default 3–20. */
  readonly minLengthMeters?: number;
  readonly maxLengthMeters?: number;
  /** Width (short side) range, m. Default 1.5–4. */
  readonly minWidthMeters?: number;
  readonly maxWidthMeters?: number;
  /** Length / width range. Default 1.2–7. */
  readonly minElongation?: number;
  readonly maxElongation?: number;
  /** Minimum pixel count / (length · width) of the blob's box. Default 0.5. */
  readonly minFillRatio?: number;
  /** Vehicles at least this long are `large-vehicle`. Default 7 m. */
  readonly largeVehicleMinLengthMeters?: number;
  /** Threshold = median + k · 1.4826 · MAD of the top-hat. Default 5. */
  readonly madMultiplier?: number;
  /** The threshold is at least this fraction of the image's 2nd–98th percentile range. Default 0.08. */
  readonly minContrastFraction?: number;
  /** Look for bright and/or dark blobs. Default both. */
  readonly polarity?: 'bright' | 'dark' | 'both';
}

const DEFAULTS: Required<CompactBlobOptions> = {
  minLengthMeters: 3,
  maxLengthMeters: 20,
  minWidthMeters: 1.5,
  maxWidthMeters: 4,
  minElongation: 1.2,
  maxElongation: 7,
  minFillRatio: 0.5,
  largeVehicleMinLengthMeters: 7,
  madMultiplier: 5,
  minContrastFraction: 0.08,
  polarity: 'both',
};

/** At most this many values are sorted to estimate quantiles (a regular subsample). */
const QUANTILE_SAMPLE = 1 << 20;

/** Sorted regular subsample of the finite values. */
function sortedSample(values: Float32Array): Float32Array {
  const step = Math.max(1, Math.floor(values.length / QUANTILE_SAMPLE));
  const sample = new Float32Array(Math.ceil(values.length / step));
  let n = 0;
  for (let i = 0; i < values.length; i += step) {
    const v = values[i] ?? 0;
    if (Number.isFinite(v)) sample[n++] = v;
  }
  return sample.subarray(0, n).sort();
}

function quantile(sorted: Float32Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Median + k · 1.4826 · MAD of a top-hat. */
function robustThreshold(tophat: Float32Array, k: number): number {
  const sorted = sortedSample(tophat);
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort();
  return median + k * 1.4826 * quantile(deviations, 0.5);
}

/** Per-component sums of col, row, col², row², col·row (pixel centres). */
interface Moments {
  readonly n: Float64Array;
  readonly sx: Float64Array;
  readonly sy: Float64Array;
  readonly sxx: Float64Array;
  readonly syy: Float64Array;
  readonly sxy: Float64Array;
}

function moments(labels: Int32Array, width: number, count: number): Moments {
  const m = {
    n: new Float64Array(count + 1),
    sx: new Float64Array(count + 1),
    sy: new Float64Array(count + 1),
    sxx: new Float64Array(count + 1),
    syy: new Float64Array(count + 1),
    sxy: new Float64Array(count + 1),
  };
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] ?? 0;
    if (l === 0) continue;
    const x = (i % width) + 0.5;
    const y = Math.floor(i / width) + 0.5;
    m.n[l] = (m.n[l] ?? 0) + 1;
    m.sx[l] = (m.sx[l] ?? 0) + x;
    m.sy[l] = (m.sy[l] ?? 0) + y;
    m.sxx[l] = (m.sxx[l] ?? 0) + x * x;
    m.syy[l] = (m.syy[l] ?? 0) + y * y;
    m.sxy[l] = (m.sxy[l] ?? 0) + x * y;
  }
  return m;
}

/** Blobs of one polarity's top-hat that pass the shape filters. */
function blobsOf(
  tophat: Float32Array,
  width: number,
  height: number,
  gsdMeters: number,
  floor: number,
  o: Required<CompactBlobOptions>,
): Detection[] {
  const threshold = Math.max(robustThreshold(tophat, o.madMultiplier), floor);
  const mask = new Uint8Array(tophat.length);
  for (let i = 0; i < tophat.length; i++) mask[i] = (tophat[i] ?? 0) > threshold ? 1 : 0;
  const labelled = labelComponents(mask, width, height, { values: tophat });
  const m = moments(labelled.labels, width, labelled.count);
  const px2 = gsdMeters * gsdMeters;
  const minPixels = Math.max(3, (o.minLengthMeters * o.minWidthMeters * o.minFillRatio) / px2);
  const out: Detection[] = [];
  for (let l = 1; l <= labelled.count; l++) {
    const n = m.n[l] ?? 0;
    if (n < minPixels) continue;
    const cx = (m.sx[l] ?? 0) / n;
    const cy = (m.sy[l] ?? 0) / n;
    // Covariance (+1/12 px² per axis for each pixel's own extent), then its eigen-axes.
    const vxx = (m.sxx[l] ?? 0) / n - cx * cx + 1 / 12;
    const vyy = (m.syy[l] ?? 0) / n - cy * cy + 1 / 12;
    const vxy = (m.sxy[l] ?? 0) / n - cx * cy;
    const mean = (vxx + vyy) / 2;
    const spread = Math.hypot((vxx - vyy) / 2, vxy);
    const major = mean + spread;
    const minor = Math.max(mean - spread, 1e-9);
    // A uniform rectangle of side L has variance L²/12 along it.
    const lengthPx = Math.sqrt(12 * major);
    const widthPx = Math.sqrt(12 * minor);
    const lengthM = lengthPx * gsdMeters;
    const widthM = widthPx * gsdMeters;
    const elongation = lengthPx / widthPx;
    const fill = n / (lengthPx * widthPx);
    if (
      lengthM < o.minLengthMeters ||
      lengthM > o.maxLengthMeters ||
      widthM < o.minWidthMeters ||
      widthM > o.maxWidthMeters ||
      elongation < o.minElongation ||
      elongation > o.maxElongation ||
      fill < o.minFillRatio
    ) {
      continue;
    }
    const meanContrast = (labelled.valueSum?.[l] ?? 0) / n;
    const large = lengthM >= o.largeVehicleMinLengthMeters;
    out.push({
      box: {
        cx,
        cy,
        width: lengthPx,
        height: widthPx,
        angleRad: normaliseAngle(Math.atan2(2 * vxy, vxx - vyy) / 2),
      },
      classIndex: large ? 1 : 0,
      className: large ? 'large-vehicle' : 'small-vehicle',
      // 0 at the threshold, ½ at twice it, → 1 for very contrasted blobs.
      score: Math.max(0, Math.min(1, 1 - threshold / meanContrast)),
    });
  }
  return out;
}

/**
 * Finds vehicle-sized compact blobs brighter or darker than their surroundings in a luminance
 * image at `gsdMeters` metres per pixel. Boxes are in the image's pixels, width along the long
 * side; classes `small-vehicle` / `large-vehicle`; score from the blob's mean top-hat contrast.
 * @throws ValidationError for a bad size, GSD or option.
 */
export function detectCompactBlobs(
  image: { readonly data: Float32Array; readonly width: number; readonly height: number },
  gsdMeters: number,
  options: CompactBlobOptions = {},
): Detection[] {
  const { data, width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ValidationError(
      `detectCompactBlobs: size must be positive integers, got ${width}×${height}`,
    );
  }
  if (data.length !== width * height) {
    throw new ValidationError(
      `detectCompactBlobs: a ${width}×${height} image needs ${width * height} values, got ${data.length}`,
    );
  }
  if (!(gsdMeters > 0) || !Number.isFinite(gsdMeters)) {
    throw new ValidationError(
      `detectCompactBlobs: gsdMeters must be a positive number, got ${gsdMeters}`,
    );
  }
  const o = { ...DEFAULTS, ...options };
  if (!(o.maxLengthMeters >= o.minLengthMeters && o.maxWidthMeters >= o.minWidthMeters)) {
    throw new ValidationError(
      `detectCompactBlobs: length range ${o.minLengthMeters}–${o.maxLengthMeters} m or width range ${o.minWidthMeters}–${o.maxWidthMeters} m is empty`,
    );
  }
  // The element must not fit inside the widest vehicle, so that the opening removes it.
  const radius = Math.max(1, Math.ceil((o.maxWidthMeters * 1.25) / gsdMeters / 2));
  const sorted = sortedSample(data);
  const floor = o.minContrastFraction * (quantile(sorted, 0.98) - quantile(sorted, 0.02));
  const found: Detection[] = [];
  if (o.polarity !== 'dark') {
    found.push(
      ...blobsOf(whiteTopHat(data, width, height, radius), width, height, gsdMeters, floor, o),
    );
  }
  if (o.polarity !== 'bright') {
    found.push(
      ...blobsOf(blackTopHat(data, width, height, radius), width, height, gsdMeters, floor, o),
    );
  }
  return nonMaximumSuppression(found, 0.3, { classAgnostic: true });
}

/**
 * Luminance for the baseline: Rec. 601 weights of the first three bands, or the single band.
 * @throws ValidationError when bands are missing or of different lengths.
 */
export function luminance(bands: readonly ArrayLike<number>[]): Float32Array {
  const first = bands[0];
  if (first === undefined) throw new ValidationError('luminance: no bands');
  const n = first.length;
  if (bands.some((b) => b.length !== n)) {
    throw new ValidationError(
      `luminance: bands differ in length (${bands.map((b) => b.length).join(', ')})`,
    );
  }
  const out = new Float32Array(n);
  if (bands.length < 3) {
    for (let i = 0; i < n; i++) out[i] = first[i] ?? 0;
    return out;
  }
  const [r, g, b] = bands as [ArrayLike<number>, ArrayLike<number>, ArrayLike<number>];
  for (let i = 0; i < n; i++)
    out[i] = 0.299 * (r[i] ?? 0) + 0.587 * (g[i] ?? 0) + 0.114 * (b[i] ?? 0);
  return out;
}
