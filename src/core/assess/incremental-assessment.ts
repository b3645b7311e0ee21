/**
 * A playbook's readings kept up to date one observation at a time, so that a new observation
 * re-fuses the playbook without re-reading everything: an observation later than every other
 * of its series is scored against the points before it (one baseline) and appended; an
 * earlier one (a late entry) re-reads its series only. The result is the same as
 * {@link assessPlaybook} on all the observations (checked by a property test).
 */
import type { MetricRegistry } from '../activity/metrics.ts';
import { numericValue, type Observation } from '../activity/observation.ts';
import { scorePoint, type BaselineOptions, type ScoredPoint } from '../activity/robust-baseline.ts';
import { DAY_MS, inSeries, type ObservedPoint, type SeriesKey } from '../activity/series.ts';
import { NO_REVIEWS, type ReviewIndex } from '../review/review-index.ts';
import { assessAt, readPlaybook, type PlaybookReadings } from './assessment.ts';
import {
  baselineOptionsOf,
  compareReadings,
  needsBaseline,
  readSeries,
  toReading,
  type Reading,
} from './indicator-readings.ts';
import type { Indicator, Playbook } from './playbook.ts';

interface SeriesState {
  readonly indicator: Indicator;
  readonly key: SeriesKey;
  readonly observations: Observation[];
  readonly ids: Set<string>;
  /** The indicator's baseline options, or null when it needs no baseline. */
  readonly baselineOptions: BaselineOptions | null;
  /** Observed points of the series, for baselines (anomaly indicators only). */
  points: ObservedPoint[];
  readings: Reading[];
}

function observedPoints(readings: readonly Reading[]): ObservedPoint[] {
  const points: ObservedPoint[] = [];
  for (const { observation, atMs } of readings) {
    if (observation.observability.state !== 'observed' || observation.value === null) continue;
    const previous = points[points.length - 1];
    points.push({
      at: observation.observedAt,
      atMs,
      value: numericValue(observation.value),
      observationId: observation.id,
      daysSincePrevious: previous === undefined ? null : (atMs - previous.atMs) / DAY_MS,
    });
  }
  return points;
}

/** Whether an observation at `atMs` with id `id` comes before `reading` (compareReadings). */
function isBefore(atMs: number, id: string, reading: Reading): boolean {
  return (atMs - reading.atMs || (id < reading.observation.id ? -1 : 0)) < 0;
}

export class IncrementalAssessment {
  readonly #playbook: Playbook;
  readonly #metrics: MetricRegistry;
  readonly #series: SeriesState[] = [];
  /** The merged readings, until the next observation changes them. */
  #readings: PlaybookReadings | undefined;

  constructor(
    playbook: Playbook,
    metrics: MetricRegistry,
    observations: readonly Observation[] = [],
  ) {
    this.#playbook = playbook;
    this.#metrics = metrics;
    for (const indicator of playbook.indicators) {
      for (const binding of indicator.bindings) {
        const key = {
          siteId: binding.siteId,
          zoneId: binding.zoneId,
          metric: indicator.condition.metric,
        };
        const mine = observations.filter((o) => inSeries(o, key));
        const state: SeriesState = {
          indicator,
          key,
          observations: [],
          ids: new Set(),
          baselineOptions: needsBaseline(indicator) ? baselineOptionsOf(indicator, metrics) : null,
          points: [],
          readings: [],
        };
        for (const o of mine) {
          if (state.ids.has(o.id)) continue;
          state.ids.add(o.id);
          state.observations.push(o);
        }
        this.#reread(state);
        this.#series.push(state);
      }
    }
  }

  #reread(state: SeriesState): void {
    state.readings = readSeries(state.indicator, state.key, state.observations, this.#metrics);
    state.points = state.baselineOptions !== null ? observedPoints(state.readings) : [];
  }

  /**
   * Takes one more observation into account. Returns whether any indicator reads it; an
   * observation already held (same id) changes nothing.
   */
  add(observation: Observation): boolean {
    let used = false;
    for (const state of this.#series) {
      if (!inSeries(observation, state.key) || state.ids.has(observation.id)) continue;
      used = true;
      this.#readings = undefined;
      state.ids.add(observation.id);
      state.observations.push(observation);
      const atMs = Date.parse(observation.observedAt);
      const last = state.readings[state.readings.length - 1];
      if (last !== undefined && isBefore(atMs, observation.id, last)) {
        this.#reread(state);
        continue;
      }
      const options = state.baselineOptions;
      const scored = new Map<string, ScoredPoint>();
      const observed = observation.observability.state === 'observed' && observation.value !== null;
      if (options !== null && observed) {
        const previous = state.points[state.points.length - 1];
        state.points.push({
          at: observation.observedAt,
          atMs,
          value: numericValue(observation.value),
          observationId: observation.id,
          daysSincePrevious: previous === undefined ? null : (atMs - previous.atMs) / DAY_MS,
        });
        scored.set(observation.id, scorePoint(state.points, state.points.length - 1, options));
      }
      state.readings.push(toReading(state.indicator, observation, scored));
    }
    return used;
  }

  /** The readings per indicator, merged across its bindings in time order. */
  readings(): PlaybookReadings {
    if (this.#readings !== undefined) return this.#readings;
    const byIndicator = new Map<string, Reading[]>();
    for (const state of this.#series) {
      const list = byIndicator.get(state.indicator.id);
      // One binding (the common case): its readings as they are, without a copy.
      if (list === undefined) byIndicator.set(state.indicator.id, state.readings);
      else byIndicator.set(state.indicator.id, [...list, ...state.readings].sort(compareReadings));
    }
    this.#readings = { playbook: this.#playbook, readings: byIndicator };
    return this.#readings;
  }

  /**
   * Evidence and posterior at `asOf` (ISO 8601 UTC), as the reviews in force have it. When
   * they reject observations, the playbook is read again without them (not incrementally).
   */
  assessAt(asOf: string, reviews: ReviewIndex = NO_REVIEWS): ReturnType<typeof assessAt> {
    const read = reviews.rejectsObservations
      ? readPlaybook(
          this.#playbook,
          [...new Set(this.#series.flatMap((state) => state.observations))],
          this.#metrics,
          reviews,
        )
      : this.readings();
    return assessAt(read, Date.parse(asOf), reviews);
  }
}
