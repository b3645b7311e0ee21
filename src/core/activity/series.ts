/**
 * Time series of one metric at one site or zone, assembled from observations: irregular
 * dates kept as they are, points that could not be observed kept apart (never as zeros).
 */
import {
  compareObservations,
  numericValue,
  type Observation,
  type ObservabilityReason,
} from './observation.ts';

export const DAY_MS = 86_400_000;

/** Which series: a metric at a site (zoneId null) or at one zone of it. */
export interface SeriesKey {
  readonly siteId: string;
  readonly zoneId: string | null;
  readonly metric: string;
}

/** An observed value; booleans are 1 and 0. */
export interface ObservedPoint {
  readonly at: string;
  /** Milliseconds since the epoch of `at`. */
  readonly atMs: number;
  readonly value: number;
  readonly observationId: string;
  /** Days since the previous observed point of the series; null for the first. */
  readonly daysSincePrevious: number | null;
}

/** A time at which the zone was looked at but could not be seen. */
export interface NotObservablePoint {
  readonly at: string;
  readonly atMs: number;
  readonly observationId: string;
  readonly reasons: readonly ObservabilityReason[];
}

export interface Series {
  readonly key: SeriesKey;
  /** Observed points in time order (then by observation id). */
  readonly observed: readonly ObservedPoint[];
  /** Not-observable points in time order; never part of baselines or scores. */
  readonly notObservable: readonly NotObservablePoint[];
}

/** Whether the observation belongs to the series named by `key` (zone null: site-level only). */
export function inSeries(observation: Observation, key: SeriesKey): boolean {
  return (
    observation.siteId === key.siteId &&
    observation.zoneId === key.zoneId &&
    observation.metric === key.metric
  );
}

/** The text form `site[/zone]:metric`, also a map key. */
export function seriesKeyText(key: SeriesKey): string {
  return `${key.siteId}${key.zoneId === null ? '' : `/${key.zoneId}`}:${key.metric}`;
}

/**
 * Builds the series named by `key` from any observations (those of other series are skipped).
 * An observed observation without a value (which stores refuse) is treated as not observable.
 */
export function assembleSeries(observations: readonly Observation[], key: SeriesKey): Series {
  const mine = observations.filter((o) => inSeries(o, key)).sort(compareObservations);
  const observed: ObservedPoint[] = [];
  const notObservable: NotObservablePoint[] = [];
  let previousMs: number | null = null;
  for (const o of mine) {
    const atMs = Date.parse(o.observedAt);
    if (o.observability.state === 'observed' && o.value !== null) {
      observed.push({
        at: o.observedAt,
        atMs,
        value: numericValue(o.value),
        observationId: o.id,
        daysSincePrevious: previousMs === null ? null : (atMs - previousMs) / DAY_MS,
      });
      previousMs = atMs;
    } else {
      notObservable.push({
        at: o.observedAt,
        atMs,
        observationId: o.id,
        reasons: o.observability.reasons,
      });
    }
  }
  return { key, observed, notObservable };
}

/** Every distinct series key among `observations`, sorted by site, zone (site-level first), metric. */
export function seriesKeysOf(observations: readonly Observation[]): SeriesKey[] {
  const keys = new Map<string, SeriesKey>();
  for (const o of observations) {
    const key = { siteId: o.siteId, zoneId: o.zoneId, metric: o.metric };
    keys.set(seriesKeyText(key), key);
  }
  return [...keys.values()].sort(
    (a, b) =>
      a.siteId.localeCompare(b.siteId) ||
      (a.zoneId ?? '').localeCompare(b.zoneId ?? '') ||
      a.metric.localeCompare(b.metric),
  );
}
