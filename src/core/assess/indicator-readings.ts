/**
 * What each observation says about an indicator: present, absent or unobservable (the zone
 * could not be seen, or an anomaly score could not be said for too few observations), with
 * the value, the anomaly score and its baseline. Readings do not depend on the assessment
 * time (a baseline uses only earlier points), so they are computed once per series.
 */
import type { MetricRegistry } from '../activity/metrics.ts';
import { numericValue, type Observation } from '../activity/observation.ts';
import {
  scoreSeries,
  type Baseline,
  type BaselineOptions,
  type ScoredPoint,
} from '../activity/robust-baseline.ts';
import { assembleSeries, inSeries, type SeriesKey } from '../activity/series.ts';
import { compare } from './condition.ts';
import type { Indicator } from './playbook.ts';

export type EvidenceState = 'present' | 'absent' | 'unobservable';

export interface Reading {
  readonly observation: Observation;
  /** Milliseconds since the epoch of observation.observedAt. */
  readonly atMs: number;
  readonly state: EvidenceState;
  /** Why, in one line (value vs threshold, score vs threshold, or why not observable). */
  readonly reason: string;
  readonly anomalyScore: number | null;
  readonly baseline: Baseline | null;
}

function describeNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function readObservation(
  indicator: Indicator,
  observation: Observation,
  scored: ReadonlyMap<string, ScoredPoint>,
): Omit<Reading, 'observation' | 'atMs'> {
  if (observation.observability.state !== 'observed' || observation.value === null) {
    const why = observation.observability.reasons.map((r) => r.message).join('; ');
    return {
      anomalyScore: null,
      baseline: null,
      state: 'unobservable',
      reason: `not observable: ${why || 'no value'}`,
    };
  }
  const { condition } = indicator;
  const value = numericValue(observation.value);
  if (condition.kind === 'fact') {
    const state = (value !== 0) === condition.expected ? 'present' : 'absent';
    return {
      anomalyScore: null,
      baseline: null,
      state,
      reason: `${condition.metric} = ${String(observation.value)}`,
    };
  }
  if (condition.measure === 'value') {
    const holds = compare(value, condition.operator, condition.threshold);
    return {
      anomalyScore: null,
      baseline: null,
      state: holds ? 'present' : 'absent',
      reason: `${condition.metric} = ${describeNumber(value)} (${holds ? '' : 'not '}${condition.operator} ${condition.threshold})`,
    };
  }
  const point = scored.get(observation.id);
  if (point?.anomalyScore == null) {
    return {
      anomalyScore: null,
      baseline: null,
      state: 'unobservable',
      reason: point?.reason ?? 'no anomaly score',
    };
  }
  const holds = compare(point.anomalyScore, condition.operator, condition.threshold);
  const baseline = point.baseline;
  return {
    anomalyScore: point.anomalyScore,
    baseline,
    state: holds ? 'present' : 'absent',
    reason:
      `${condition.metric} = ${describeNumber(value)}, anomaly ${point.anomalyScore.toFixed(2)} ` +
      `(${holds ? '' : 'not '}${condition.operator} ${condition.threshold}) against a ${baseline?.kind ?? ''} ` +
      `median ${describeNumber(baseline?.median ?? Number.NaN)}, MAD ${describeNumber(baseline?.mad ?? Number.NaN)} over ${baseline?.count ?? 0} observations`,
  };
}

/** Whether the indicator's condition needs anomaly scores (and so a baseline). */
export function needsBaseline(indicator: Indicator): boolean {
  return indicator.condition.kind === 'threshold' && indicator.condition.measure === 'anomaly';
}

/** The baseline options of an indicator for its metric. */
export function baselineOptionsOf(indicator: Indicator, metrics: MetricRegistry): BaselineOptions {
  return {
    ...indicator.baseline,
    madFloor: metrics.get(indicator.condition.metric)?.madFloor ?? 1,
  };
}

/** Time order, then observation id. */
export function compareReadings(a: Reading, b: Reading): number {
  return (
    a.atMs - b.atMs ||
    (a.observation.id < b.observation.id ? -1 : a.observation.id > b.observation.id ? 1 : 0)
  );
}

/** A reading of one observation, given the scored points of its series (for anomalies). */
export function toReading(
  indicator: Indicator,
  observation: Observation,
  scored: ReadonlyMap<string, ScoredPoint>,
): Reading {
  return {
    observation,
    atMs: Date.parse(observation.observedAt),
    ...readObservation(indicator, observation, scored),
  };
}

/**
 * Readings of the observations of one series (`key`) for the indicator, in time order.
 * `observations` may hold others; they are skipped.
 */
export function readSeries(
  indicator: Indicator,
  key: SeriesKey,
  observations: readonly Observation[],
  metrics: MetricRegistry,
): Reading[] {
  const mine = observations.filter((o) => inSeries(o, key));
  const scored = new Map<string, ScoredPoint>();
  if (needsBaseline(indicator)) {
    const series = assembleSeries(mine, key);
    for (const point of scoreSeries(series, baselineOptionsOf(indicator, metrics))) {
      scored.set(point.observationId, point);
    }
  }
  return mine.map((o) => toReading(indicator, o, scored)).sort(compareReadings);
}

/**
 * Readings of every observation at the indicator's bindings for its metric, in time order.
 * `observations` may hold others; they are skipped.
 */
export function readIndicator(
  indicator: Indicator,
  observations: readonly Observation[],
  metrics: MetricRegistry,
): Reading[] {
  const metric = indicator.condition.metric;
  return indicator.bindings
    .flatMap((b) =>
      readSeries(indicator, { siteId: b.siteId, zoneId: b.zoneId, metric }, observations, metrics),
    )
    .sort(compareReadings);
}
