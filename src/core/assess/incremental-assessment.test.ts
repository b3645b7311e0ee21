import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeObservation } from '../../app/contracts/observation-repository.contract.ts';
import { MetricRegistry } from '../activity/metrics.ts';
import type { Observation } from '../activity/observation.ts';
import { assessPlaybook } from './assessment.ts';
import { formatCondition, parseCondition } from './condition.ts';
import { IncrementalAssessment } from './incremental-assessment.ts';
import type { Indicator, Playbook } from './playbook.ts';

const metrics = new MetricRegistry();
const START_MS = Date.UTC(2019, 0, 1);

function indicator(id: string, when: string, zones: readonly string[]): Indicator {
  const condition = parseCondition(when);
  return {
    id,
    description: '',
    bindings: zones.map((zoneId) => ({ siteId: 'site-1', zoneId })),
    condition,
    conditionText: formatCondition(condition),
    likelihoodRatio: { present: 3, absent: 0.6 },
    windowDays: 20,
    halfLifeDays: 10,
    baseline: { window: { kind: 'observations', count: 6 }, seasonal: false },
  };
}

const playbook: Playbook = {
  hypothesis: 'h',
  title: 'h',
  description: '',
  prior: 0.15,
  indicators: [
    indicator('surge', 'vehicles anomaly >= 1.5', ['a', 'b']),
    indicator('many', 'vehicles >= 8', ['a']),
    indicator('crane', 'crane-present', ['b']),
  ],
};

const observationArb = fc.record({
  zone: fc.constantFrom('a', 'b'),
  metric: fc.constantFrom('vehicles', 'crane-present'),
  day: fc.integer({ min: 0, max: 60 }),
  count: fc.integer({ min: 0, max: 15 }),
  hidden: fc.boolean(),
});

interface Drawn {
  zone: string;
  metric: string;
  day: number;
  count: number;
  hidden: boolean;
}

function toObservations(list: readonly Drawn[]): Observation[] {
  return list.map((item, seed) => {
    const base = makeObservation(seed + 1, {
      zoneId: item.zone,
      metric: item.metric,
      value: item.metric === 'crane-present' ? item.count % 2 === 0 : item.count,
      observedAt: new Date(START_MS + item.day * 86_400_000).toISOString(),
    });
    if (!item.hidden) return base;
    return { ...base, observability: { ...base.observability, state: 'not-observable' } };
  });
}

describe('IncrementalAssessment', () => {
  it('property: adding observations one by one, in any order, gives the full assessment', () => {
    fc.assert(
      fc.property(
        fc.array(observationArb, { maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 10, max: 70 }),
        (list, split, asOfDay) => {
          const observations = toObservations(list);
          const asOf = new Date(START_MS + asOfDay * 86_400_000).toISOString();
          const full = assessPlaybook(playbook, observations, asOf, metrics);
          const cut = observations.length === 0 ? 0 : split % observations.length;
          const incremental = new IncrementalAssessment(
            playbook,
            metrics,
            observations.slice(0, cut),
          );
          for (const o of observations.slice(cut)) incremental.add(o);
          const result = incremental.assessAt(asOf);
          expect(result.evidence).toEqual(full.evidence);
          expect(result.logOdds).toBeCloseTo(full.logOdds, 12);
        },
      ),
      { seed: 20190222, numRuns: 300 },
    );
  });

  it('ignores an observation no indicator reads, and one it already holds', () => {
    const [first] = toObservations([
      { zone: 'a', metric: 'vehicles', day: 3, count: 9, hidden: false },
    ]);
    const incremental = new IncrementalAssessment(playbook, metrics);
    expect(incremental.add(first!)).toBe(true);
    const before = incremental.assessAt('2019-01-10T00:00:00.000Z');
    expect(incremental.add(first!)).toBe(false);
    expect(incremental.add({ ...first!, id: 'obs_other', siteId: 'site-9' })).toBe(false);
    expect(incremental.assessAt('2019-01-10T00:00:00.000Z')).toEqual(before);
  });
});
