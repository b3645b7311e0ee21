/** The facts the alert rules see: anomaly scores of new observations, assessment points. */
import { describe, expect, it } from 'vitest';
import { MetricRegistry } from '../../core/activity/metrics.ts';
import { inSeries, type SeriesKey } from '../../core/activity/series.ts';
import { scoreSeries } from '../../core/activity/robust-baseline.ts';
import { assembleSeries } from '../../core/activity/series.ts';
import type { ObservationFilter } from '../ports.ts';
import { makeObservation } from '../contracts/observation-repository.contract.ts';
import { anomalyFactsOf } from './observation-alerts.ts';
import { assessmentFactOf } from './record-assessment.ts';
import type { AssessmentSnapshot } from './fact-stores.ts';

const metrics = new MetricRegistry();
const KEY: SeriesKey = { siteId: 'site-1', zoneId: 'parking', metric: 'vehicles' };

describe('anomalyFactsOf', () => {
  const stored = [10, 11, 10, 9, 10, 12, 10, 40, 11].map((value, seed) =>
    makeObservation(seed, { value }),
  );
  const other = makeObservation(20, { siteId: 'site-2', value: 1 });
  // What the store holds after the insert: the new observations included.
  const all = [...stored, other];
  const reads: ObservationFilter[] = [];
  const read = (filter: ObservationFilter) => {
    reads.push(filter);
    return all.filter(
      (o) =>
        inSeries(o, {
          siteId: filter.siteId ?? '',
          zoneId: filter.zoneId ?? null,
          metric: filter.metric ?? '',
        }) &&
        (filter.since === undefined || o.observedAt >= filter.since),
    );
  };

  it('scores each new point as `series` does, reading its series once', () => {
    const fresh = [
      stored[7],
      stored[8],
      makeObservation(20, { siteId: 'site-2', value: 1 }),
    ].filter((o) => o !== undefined);
    reads.length = 0;
    const facts = anomalyFactsOf(fresh, read, metrics);
    const expected = scoreSeries(assembleSeries(stored, KEY), {
      window: { kind: 'days', days: 90 },
      seasonal: false,
      madFloor: metrics.get('vehicles')?.madFloor ?? 1,
    });
    expect(facts.filter((f) => f.seriesKey.siteId === 'site-1')).toEqual(
      [7, 8].map((i) => ({
        seriesKey: KEY,
        observationId: stored[i]?.id,
        at: stored[i]?.observedAt,
        anomalyScore: expected[i]?.anomalyScore,
      })),
    );
    expect(facts.find((f) => f.seriesKey.siteId === 'site-2')?.anomalyScore).toBeNull();
    expect(reads.filter((r) => r.siteId === 'site-1')).toHaveLength(1);
    expect(facts[0]?.anomalyScore).toBeGreaterThan(10);
  });

  it('skips observations that could not be seen', () => {
    const hidden = makeObservation(30, {
      value: null,
      observability: { ...makeObservation(30).observability, state: 'not-observable' },
    });
    expect(anomalyFactsOf([hidden], read, metrics)).toEqual([]);
  });
});

describe('assessmentFactOf', () => {
  const snap = (asOf: string, probability: number): AssessmentSnapshot => ({
    playbookId: 'p',
    hypothesis: 'p',
    asOf,
    probability,
    prior: 0.1,
    playbookSha256: 'x',
    recordedAt: '2026-01-01T00:00:00.000Z',
  });

  it('compares with the latest earlier snapshot, or the prior when there is none', () => {
    const now = snap('2019-03-08T00:00:00.000Z', 0.8);
    expect(assessmentFactOf(now, [])).toMatchObject({ previousProbability: 0.1, history: [] });
    const fact = assessmentFactOf(now, [
      snap('2019-03-01T00:00:00.000Z', 0.4),
      snap('2019-02-01T00:00:00.000Z', 0.2),
      snap('2019-04-01T00:00:00.000Z', 0.9),
    ]);
    expect(fact.previousProbability).toBe(0.4);
    expect(fact.history?.map((h) => h.at)).toEqual([
      '2019-02-01T00:00:00.000Z',
      '2019-03-01T00:00:00.000Z',
    ]);
  });
});
