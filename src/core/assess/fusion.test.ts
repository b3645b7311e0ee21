import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeObservation } from '../../app/contracts/observation-repository.contract.ts';
import { MetricRegistry } from '../activity/metrics.ts';
import type { Observation } from '../activity/observation.ts';
import { assessPlaybook } from './assessment.ts';
import { decayWeight, fuseEvidence, logit, sigmoid, type FusibleEvidence } from './fusion.ts';
import type { Indicator, Playbook } from './playbook.ts';

const metrics = new MetricRegistry();
const ZONES = ['z0', 'z1', 'z2'] as const;
const START_MS = Date.UTC(2019, 1, 1);
const AS_OF = '2019-03-01T00:00:00.000Z';

function indicator(
  index: number,
  present: number,
  absent: number,
  halfLifeDays: number | null,
): Indicator {
  return {
    id: `i${index}`,
    description: '',
    bindings: [{ siteId: 'site-1', zoneId: ZONES[index] ?? 'z0' }],
    condition: { kind: 'fact', metric: 'crane-present', expected: true },
    conditionText: 'crane-present',
    likelihoodRatio: { present, absent },
    windowDays: 30,
    halfLifeDays,
    baseline: { window: { kind: 'days', days: 90 }, seasonal: false },
  };
}

const ratio = fc.double({ min: 0.05, max: 20, noNaN: true });
const ratios = fc.array(fc.tuple(ratio, ratio), { minLength: 3, maxLength: 3 });
const halfLife = fc.option(fc.double({ min: 1, max: 60, noNaN: true }), { nil: null });
const prior = fc.double({ min: 0.01, max: 0.99, noNaN: true });

/** Observations of crane-present at the three zones: seen true, false, or not observable. */
const observationsArb = fc.array(
  fc.record({
    zone: fc.integer({ min: 0, max: 2 }),
    day: fc.integer({ min: 0, max: 27 }),
    state: fc.constantFrom('true', 'false', 'hidden'),
  }),
  { maxLength: 12 },
);

function toObservations(
  list: readonly { zone: number; day: number; state: string }[],
): Observation[] {
  return list.map((item, seed) => {
    const base = makeObservation(seed + 1, {
      zoneId: ZONES[item.zone] ?? 'z0',
      metric: 'crane-present',
      value: item.state === 'true',
      observedAt: new Date(START_MS + item.day * 86_400_000).toISOString(),
    });
    if (item.state !== 'hidden') return base;
    return {
      ...base,
      observability: {
        ...base.observability,
        state: 'not-observable',
        reasons: [{ rule: 'cloud-cover', message: 'cloud cover 90.0% is above 20%' }],
      },
    };
  });
}

function playbookOf(
  p: number,
  lrs: readonly (readonly [number, number])[],
  h: number | null,
): Playbook {
  return {
    hypothesis: 'h',
    title: 'h',
    description: '',
    prior: p,
    indicators: lrs.map(([present, absent], i) => indicator(i, present, absent, h)),
  };
}

describe('fusion in log-odds', () => {
  it('inverts logit with sigmoid and decays by half each half-life', () => {
    expect(sigmoid(logit(0.1))).toBeCloseTo(0.1, 15);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-800)).toBe(0);
    expect(decayWeight(14, 14)).toBe(0.5);
    expect(decayWeight(28, 14)).toBe(0.25);
    expect(decayWeight(5, null)).toBe(1);
  });

  it('adds weighted log likelihood ratios to the prior log-odds', () => {
    const evidence: FusibleEvidence[] = [
      { id: 'a', observed: 'present', logLikelihoodRatio: Math.log(4) },
      { id: 'b', observed: 'absent', logLikelihoodRatio: 0.5 * Math.log(0.5) },
      { id: 'c', observed: 'unobservable', logLikelihoodRatio: 0 },
    ];
    const fusion = fuseEvidence(0.2, evidence);
    expect(fusion.logOdds).toBeCloseTo(Math.log(0.25) + Math.log(4) + 0.5 * Math.log(0.5), 12);
    expect(fusion.countedIds).toEqual(['a', 'b', 'c']);
  });

  it("property: the posterior never falls when any indicator's likelihood ratio rises", () => {
    fc.assert(
      fc.property(
        prior,
        ratios,
        halfLife,
        observationsArb,
        fc.integer({ min: 0, max: 2 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.boolean(),
        (p, lrs, h, list, which, factor, raisePresent) => {
          const observations = toObservations(list);
          const before = assessPlaybook(playbookOf(p, lrs, h), observations, AS_OF, metrics);
          const raised = lrs.map(([present, absent], i): [number, number] =>
            i !== which
              ? [present, absent]
              : raisePresent
                ? [present * factor, absent]
                : [present, absent * factor],
          );
          const after = assessPlaybook(playbookOf(p, raised, h), observations, AS_OF, metrics);
          expect(after.logOdds).toBeGreaterThanOrEqual(before.logOdds - 1e-12);
        },
      ),
      { seed: 20190222, numRuns: 300 },
    );
  });

  it('property: with every indicator unobservable the posterior equals the prior', () => {
    fc.assert(
      fc.property(prior, ratios, halfLife, observationsArb, (p, lrs, h, list) => {
        const hidden = toObservations(list.map((item) => ({ ...item, state: 'hidden' })));
        const assessment = assessPlaybook(playbookOf(p, lrs, h), hidden, AS_OF, metrics);
        expect(assessment.evidence.every((e) => e.observed === 'unobservable')).toBe(true);
        expect(assessment.logOdds).toBe(assessment.priorLogOdds);
        expect(assessment.probability).toBeCloseTo(p, 12);
        for (const point of assessment.trajectory)
          expect(point.logOdds).toBe(assessment.priorLogOdds);
      }),
      { seed: 20190301, numRuns: 200 },
    );
  });

  it('property: the same evidence (or observation) given twice counts once', () => {
    fc.assert(
      fc.property(prior, ratios, halfLife, observationsArb, fc.nat(), (p, lrs, h, list, pick) => {
        const observations = toObservations(list);
        const playbook = playbookOf(p, lrs, h);
        const once = assessPlaybook(playbook, observations, AS_OF, metrics);
        const repeated =
          observations.length === 0 ? [] : [observations[pick % observations.length]!];
        const twice = assessPlaybook(playbook, [...observations, ...repeated], AS_OF, metrics);
        expect(twice.logOdds).toBe(once.logOdds);
        expect(twice.evidence).toEqual(once.evidence);
        const evidence = [...once.evidence];
        const duplicate = evidence.length === 0 ? [] : [evidence[pick % evidence.length]!];
        expect(fuseEvidence(p, [...evidence, ...duplicate]).logOdds).toBe(
          fuseEvidence(p, evidence).logOdds,
        );
      }),
      { seed: 20190308, numRuns: 200 },
    );
  });
});
