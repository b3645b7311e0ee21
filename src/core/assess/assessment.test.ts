import { describe, expect, it } from 'vitest';
import { makeObservation } from '../../app/contracts/observation-repository.contract.ts';
import { MetricRegistry } from '../activity/metrics.ts';
import type { Observation } from '../activity/observation.ts';
import { assessPlaybook } from './assessment.ts';
import { parseCondition, formatCondition } from './condition.ts';
import { logit } from './fusion.ts';
import type { Indicator, Playbook } from './playbook.ts';

const metrics = new MetricRegistry();
const DAY_MS = 86_400_000;

function indicator(when: string, overrides: Partial<Indicator> = {}): Indicator {
  const condition = parseCondition(when);
  return {
    id: 'ind',
    description: '',
    bindings: [{ siteId: 'site-1', zoneId: 'parking' }],
    condition,
    conditionText: formatCondition(condition),
    likelihoodRatio: { present: 4, absent: 0.5 },
    windowDays: 30,
    halfLifeDays: null,
    baseline: { window: { kind: 'days', days: 90 }, seasonal: false },
    ...overrides,
  };
}

const playbook = (...indicators: Indicator[]): Playbook => ({
  hypothesis: 'h',
  title: 'h',
  description: '',
  prior: 0.2,
  indicators,
});

function obs(day: number, value: number | boolean, seed: number, metric = 'vehicles'): Observation {
  return makeObservation(seed, {
    metric,
    value,
    observedAt: new Date(Date.UTC(2019, 0, 1) + day * DAY_MS).toISOString(),
    source: { kind: 'detection', imageId: `img_${seed}`, runId: `run_${seed}`, comparisonId: null },
  });
}

const asOf = (day: number) => new Date(Date.UTC(2019, 0, 1) + day * DAY_MS).toISOString();

describe('assessPlaybook', () => {
  it('takes the latest present reading in the window over a later absent one, and traces it to its run and image', () => {
    const list = [obs(10, true, 1, 'crane-present'), obs(20, false, 2, 'crane-present')];
    const a = assessPlaybook(playbook(indicator('crane-present')), list, asOf(25), metrics);
    const [e] = a.evidence;
    expect(e).toMatchObject({
      id: `ind@${list[0]!.id}`,
      observed: 'present',
      likelihoodRatio: 4,
      ageDays: 15,
      weight: 1,
    });
    expect(e?.logLikelihoodRatio).toBeCloseTo(Math.log(4), 12);
    expect(e?.sources).toEqual([
      expect.objectContaining({
        observationId: list[0]!.id,
        kind: 'detection',
        imageId: 'img_1',
        runId: 'run_1',
      }),
    ]);
    expect(a.logOdds).toBeCloseTo(logit(0.2) + Math.log(4), 12);
  });

  it('uses the absent ratio when only absence was seen, and decays it with age', () => {
    const list = [obs(10, false, 1, 'crane-present')];
    const a = assessPlaybook(
      playbook(indicator('crane-present', { halfLifeDays: 7 })),
      list,
      asOf(24),
      metrics,
    );
    expect(a.evidence[0]).toMatchObject({ observed: 'absent', likelihoodRatio: 0.5, weight: 0.25 });
    expect(a.evidence[0]?.logLikelihoodRatio).toBeCloseTo(0.25 * Math.log(0.5), 12);
  });

  it('ignores readings outside the window and after asOf, and says so', () => {
    const list = [obs(1, true, 1, 'crane-present'), obs(40, true, 2, 'crane-present')];
    const a = assessPlaybook(playbook(indicator('crane-present')), list, asOf(35), metrics);
    expect(a.evidence[0]).toMatchObject({
      id: 'ind@none',
      observed: 'unobservable',
      logLikelihoodRatio: 0,
      sources: [],
      reason: 'no observation of crane-present at site-1/parking in the 30 days before',
    });
    expect(a.probability).toBeCloseTo(0.2, 12);
  });

  it('treats an anomaly it cannot score (too few observations) as unobservable, not absent', () => {
    const list = [obs(1, 5, 1), obs(8, 5, 2), obs(15, 30, 3)];
    const a = assessPlaybook(playbook(indicator('vehicles anomaly >= 2')), list, asOf(16), metrics);
    expect(a.evidence[0]).toMatchObject({ observed: 'unobservable', logLikelihoodRatio: 0 });
    expect(a.evidence[0]?.reason).toMatch(/^too few observations to say: 2 observed/);
  });

  it('scores anomalies against the baseline before each observation', () => {
    const list = [5, 4, 6, 5, 5, 30].map((v, i) => obs(i * 7, v, i + 1));
    const a = assessPlaybook(playbook(indicator('vehicles anomaly >= 2')), list, asOf(36), metrics);
    expect(a.evidence[0]).toMatchObject({ observed: 'present', value: 30 });
    expect(a.evidence[0]?.anomalyScore).toBeCloseTo(25 / 1.4826, 10);
    expect(a.evidence[0]?.baseline).toMatchObject({ median: 5, count: 5 });
  });

  it('gives the probability at each observation date and at asOf', () => {
    const list = [obs(5, false, 1, 'crane-present'), obs(9, true, 2, 'crane-present')];
    const a = assessPlaybook(playbook(indicator('crane-present')), list, asOf(12), metrics);
    expect(a.trajectory.map((t) => t.at)).toEqual([
      list[0]!.observedAt,
      list[1]!.observedAt,
      asOf(12),
    ]);
    expect(a.trajectory[0]?.logOdds).toBeCloseTo(logit(0.2) + Math.log(0.5), 12);
    expect(a.trajectory[1]?.logOdds).toBeCloseTo(logit(0.2) + Math.log(4), 12);
  });

  it('reads a value threshold such as changed-fraction >= 5%', () => {
    const list = [obs(3, 0.08, 1, 'changed-fraction')];
    const a = assessPlaybook(playbook(indicator('changed-fraction >= 5%')), list, asOf(4), metrics);
    expect(a.evidence[0]).toMatchObject({
      observed: 'present',
      reason: 'changed-fraction = 0.080 (>= 0.05)',
    });
  });
});
