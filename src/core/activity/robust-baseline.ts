/**
 * Robust baselines and anomaly scores for a series. The baseline of a point is the median and
 * MAD of the points before it: over a trailing window (days or observations), or, when there
 * are enough, over the same months of earlier years (seasonal). The score is
 * (x − median) / (1.4826 · max(MAD, floor)); with too few points before it, there is no score
 * and the reason says why.
 */
import { ValidationError } from '../errors.ts';
import { DAY_MS, type ObservedPoint, type Series } from './series.ts';

/** Scales a MAD to the standard deviation of a normal distribution. */
export const MAD_TO_SIGMA = 1.4826;

/** Fewer observed points than this in the baseline: "too few observations to say". */
export const MIN_BASELINE_POINTS = 5;

/** At least this many same-season points of earlier years make a seasonal baseline. */
export const MIN_SEASONAL_POINTS = 8;

/** Months on each side of the point's month that count as "the same months" (0: same month). */
export const SEASONAL_MONTH_RADIUS = 1;

/** Default trailing window when a caller gives none. */
export const DEFAULT_BASELINE_WINDOW: BaselineWindow = { kind: 'days', days: 90 };

export type BaselineWindow =
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'observations'; readonly count: number };

export interface BaselineOptions {
  readonly window: BaselineWindow;
  /** Use the same months of earlier years when there are {@link MIN_SEASONAL_POINTS} of them. */
  readonly seasonal: boolean;
  /** Smallest MAD used in the score, in the metric's units. */
  readonly madFloor: number;
  /** Defaults to {@link MIN_BASELINE_POINTS}. */
  readonly minPoints?: number;
}

export interface Baseline {
  readonly kind: 'trailing' | 'seasonal';
  readonly median: number;
  readonly mad: number;
  /** Points the median and MAD were taken over. */
  readonly count: number;
  /** ISO 8601 of the earliest and latest point used. */
  readonly from: string;
  readonly to: string;
}

export interface ScoredPoint extends ObservedPoint {
  /** Null when there were too few points before this one. */
  readonly baseline: Baseline | null;
  /** Robust z-score; null with `reason` when it cannot be said. */
  readonly anomalyScore: number | null;
  readonly reason: string | null;
}

/** @throws ValidationError for a window that is not a positive number of days or observations. */
export function validateBaselineOptions(options: BaselineOptions): void {
  const { window } = options;
  const size = window.kind === 'days' ? window.days : window.count;
  if (
    !Number.isFinite(size) ||
    size <= 0 ||
    (window.kind === 'observations' && !Number.isInteger(size))
  ) {
    throw new ValidationError(
      `baseline window must be a positive ${window.kind === 'days' ? 'number of days' : 'whole number of observations'}; got ${size}`,
    );
  }
  if (!(options.madFloor > 0)) {
    throw new ValidationError(`baseline MAD floor must be > 0; got ${options.madFloor}`);
  }
}

/** The median of a non-empty list (sorted copy). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

function baselineOf(points: readonly ObservedPoint[], kind: Baseline['kind']): Baseline {
  const values = points.map((p) => p.value);
  const m = median(values);
  return {
    kind,
    median: m,
    mad: median(values.map((v) => Math.abs(v - m))),
    count: points.length,
    from: points[0]?.at ?? '',
    to: points[points.length - 1]?.at ?? '',
  };
}

function monthIndex(atMs: number): { year: number; month: number } {
  const date = new Date(atMs);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() };
}

function isSameSeason(month: number, other: number): boolean {
  const distance = Math.abs(month - other);
  return Math.min(distance, 12 - distance) <= SEASONAL_MONTH_RADIUS;
}

function trailingPoints(
  points: readonly ObservedPoint[],
  index: number,
  window: BaselineWindow,
): readonly ObservedPoint[] {
  if (window.kind === 'observations') return points.slice(Math.max(0, index - window.count), index);
  const current = points[index];
  if (current === undefined) return [];
  const fromMs = current.atMs - window.days * DAY_MS;
  let start = index;
  while (start > 0 && (points[start - 1]?.atMs ?? -Infinity) >= fromMs) start -= 1;
  // Points at the same instant as the current one are not "before" it.
  let end = index;
  while (end > start && points[end - 1]?.atMs === current.atMs) end -= 1;
  return points.slice(start, end);
}

/** Year and month (UTC) of each point, computed once per series. */
type Calendar = readonly { readonly year: number; readonly month: number }[];

function seasonalPoints(
  points: readonly ObservedPoint[],
  index: number,
  calendar: Calendar,
): ObservedPoint[] {
  const current = calendar[index];
  if (current === undefined) return [];
  const chosen: ObservedPoint[] = [];
  for (let i = 0; i < index; i += 1) {
    const other = calendar[i];
    const point = points[i];
    if (other === undefined || point === undefined || other.year >= current.year) continue;
    if (isSameSeason(current.month, other.month)) chosen.push(point);
  }
  return chosen;
}

/**
 * Baseline and score of the point at `index`, from the points before it. `calendar` (year and
 * month of each point) saves recomputing it for every point of a seasonal series.
 */
export function scorePoint(
  points: readonly ObservedPoint[],
  index: number,
  options: BaselineOptions,
  calendar?: Calendar,
): ScoredPoint {
  const point = points[index];
  if (point === undefined) throw new ValidationError(`no point at index ${index}`);
  const minPoints = options.minPoints ?? MIN_BASELINE_POINTS;
  const seasonal = options.seasonal
    ? seasonalPoints(points, index, calendar ?? points.map((p) => monthIndex(p.atMs)))
    : [];
  const useSeasonal = seasonal.length >= MIN_SEASONAL_POINTS;
  const basis = useSeasonal ? seasonal : trailingPoints(points, index, options.window);
  if (basis.length < minPoints) {
    const where =
      options.window.kind === 'days'
        ? `the ${options.window.days} days before`
        : `the ${options.window.count} observations before`;
    return scoredPointOf(
      point,
      null,
      null,
      `too few observations to say: ${basis.length} observed in ${where}; need ${minPoints}`,
    );
  }
  const baseline = baselineOf(basis, useSeasonal ? 'seasonal' : 'trailing');
  const scale = MAD_TO_SIGMA * Math.max(baseline.mad, options.madFloor);
  return scoredPointOf(point, baseline, (point.value - baseline.median) / scale, null);
}

/**
 * The point with its score, written out field by field: V8 builds `{ ...point, extra }` through
 * a slow generic path (about 5 µs a call); this literal has one fixed shape.
 */
function scoredPointOf(
  point: ObservedPoint,
  baseline: Baseline | null,
  anomalyScore: number | null,
  reason: string | null,
): ScoredPoint {
  return {
    at: point.at,
    atMs: point.atMs,
    value: point.value,
    observationId: point.observationId,
    daysSincePrevious: point.daysSincePrevious,
    baseline,
    anomalyScore,
    reason,
  };
}

/** Every observed point of the series with its baseline and anomaly score. */
export function scoreSeries(series: Series, options: BaselineOptions): ScoredPoint[] {
  validateBaselineOptions(options);
  const calendar = options.seasonal ? series.observed.map((p) => monthIndex(p.atMs)) : undefined;
  return series.observed.map((_, index) => scorePoint(series.observed, index, options, calendar));
}
