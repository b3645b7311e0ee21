import { describe, expect, it } from 'vitest';
import { makeObservation } from '../../app/contracts/observation-repository.contract.ts';
import { MetricRegistry } from '../activity/metrics.ts';
import type { Observation } from '../activity/observation.ts';
import { seededRandom } from '../random.ts';
import { ReviewIndex } from '../review/review-index.ts';
import type { Review } from '../review/review.ts';
import { assessPlaybook, type Assessment } from './assessment.ts';
import { formatCondition, parseCondition } from './condition.ts';
import { logit } from './fusion.ts';
import { IncrementalAssessment } from './incremental-assessment.ts';
import type { Indicator, Playbook } from './playbook.ts';

const metrics = new MetricRegistry();
const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2019, 0, 1);
const dayIso = (day: number) => new Date(START_MS + day * DAY_MS).toISOString();

function indicator(id: string, when: string, overrides: Partial<Indicator> = {}): Indicator {
  const condition = parseCondition(when);
  return {
    id,
    description: '',
    bindings: [{ siteId: 'site-1', zoneId: 'parking' }],
    condition,
    conditionText: formatCondition(condition),
    likelihoodRatio: { present: 4, absent: 0.5 },
    windowDays: 30,
    halfLifeDays: null,
    baseline: { window: { kind: 'observations', count: 6 }, seasonal: false },
    ...overrides,
  };
}

const playbookOf = (...indicators: Indicator[]): Playbook => ({
  hypothesis: 'h',
  title: 'h',
  description: '',
  prior: 0.2,
  indicators,
});

function crane(day: number, value: boolean, seed: number, runId: string | null = null) {
  return makeObservation(seed, {
    metric: 'crane-present',
    value,
    observedAt: dayIso(day),
    source: {
      kind: runId === null ? 'manual' : 'detection',
      imageId: null,
      runId,
      comparisonId: null,
    },
  });
}

let reviewSeq = 0;
function review(
  targetKind: Review['targetKind'],
  targetId: string,
  overrides: Partial<Review> = {},
): Review {
  reviewSeq += 1;
  return {
    id: `rev_${reviewSeq}`,
    targetKind,
    targetId,
    verdict: 'reject',
    reading: null,
    reason: 'misread',
    author: 'kim',
    at: new Date(Date.UTC(2026, 10, 27) + reviewSeq * 1000).toISOString(),
    ...overrides,
  };
}

const assess = (
  playbook: Playbook,
  list: readonly Observation[],
  day: number,
  reviews: Review[] = [],
) => assessPlaybook(playbook, list, dayIso(day), metrics, new ReviewIndex(reviews));

describe('assessments with reviews', () => {
  const playbook = playbookOf(indicator('crane', 'crane-present'));
  const list = [crane(5, false, 1), crane(10, true, 2)];

  it('leaves a rejected deciding observation out: the next one decides, marked overridden', () => {
    const before = assess(playbook, list, 20);
    expect(before.evidence[0]).toMatchObject({
      observed: 'present',
      review: null,
      overridden: false,
    });
    const after = assess(playbook, list, 20, [review('observation', list[1]!.id)]);
    const [e] = after.evidence;
    expect(e).toMatchObject({
      id: `crane@${list[0]!.id}`,
      observed: 'absent',
      overridden: true,
      review: {
        verdict: 'reject',
        targetKind: 'observation',
        targetId: list[1]!.id,
        author: 'kim',
        reason: 'misread',
      },
    });
    expect(after.logOdds).toBeCloseTo(logit(0.2) + Math.log(0.5), 12);
    expect(after.probability).toBeLessThan(before.probability);
  });

  it('marks nothing when a rejected observation did not decide', () => {
    const after = assess(playbook, list, 20, [review('observation', list[0]!.id)]);
    expect(after.evidence[0]).toMatchObject({
      observed: 'present',
      overridden: false,
      review: null,
    });
    expect(after.probability).toBe(assess(playbook, list, 20).probability);
  });

  it('a later confirmation supersedes a rejection', () => {
    const reviews = [
      review('observation', list[1]!.id),
      review('observation', list[1]!.id, { verdict: 'confirm', reason: 'checked again' }),
    ];
    const after = assess(playbook, list, 20, reviews);
    expect(after.evidence[0]).toMatchObject({
      observed: 'present',
      overridden: false,
      review: { verdict: 'confirm', reason: 'checked again' },
    });
    expect(after.probability).toBe(assess(playbook, list, 20).probability);
  });

  it('leaves out the observations of a rejected detection run, and only marks those of a rejected detection', () => {
    const fromRun = [crane(5, false, 1), crane(10, true, 2, 'det_00000000000000aa')];
    const run = assess(playbook, fromRun, 20, [review('detection', 'det_00000000000000aa')]);
    expect(run.evidence[0]).toMatchObject({ observed: 'absent', overridden: true });
    const one = assess(playbook, fromRun, 20, [review('detection', 'det_00000000000000aa#2')]);
    expect(one.evidence[0]).toMatchObject({
      observed: 'present',
      overridden: false,
      review: { verdict: 'reject', targetId: 'det_00000000000000aa#2' },
    });
    expect(one.probability).toBe(assess(playbook, fromRun, 20).probability);
  });

  it('a rejected indicator contributes nothing, at every time of the trajectory', () => {
    const two = playbookOf(indicator('crane', 'crane-present'), indicator('busy', 'vehicles >= 5'));
    const both = [...list, makeObservation(3, { value: 9, observedAt: dayIso(12) })];
    const after = assess(two, both, 20, [review('indicator', 'h/crane')]);
    const [rejected, busy] = after.evidence;
    expect(rejected).toMatchObject({
      observed: 'present',
      weight: 0,
      likelihoodRatio: null,
      logLikelihoodRatio: 0,
      overridden: true,
    });
    expect(busy?.overridden).toBe(false);
    expect(after.logOdds).toBeCloseTo(logit(0.2) + Math.log(4), 12);
    for (const t of after.trajectory) {
      const busySeen = Date.parse(t.at) >= Date.parse(dayIso(12));
      expect(t.probability).toBeCloseTo(busySeen ? 0.5 : 0.2, 12);
    }
  });

  it('an indicator confirmed with a forced reading counts as seen so, with its decay', () => {
    const decaying = playbookOf(indicator('crane', 'crane-present', { halfLifeDays: 10 }));
    const absent = [crane(10, false, 1)];
    const forced = assess(decaying, absent, 20, [
      review('indicator', `crane@${absent[0]!.id}`, { verdict: 'confirm', reading: 'present' }),
    ]);
    expect(forced.evidence[0]).toMatchObject({
      observed: 'present',
      likelihoodRatio: 4,
      weight: 0.5,
      overridden: true,
    });
    expect(forced.logOdds).toBeCloseTo(logit(0.2) + 0.5 * Math.log(4), 12);
    const nothing = assess(decaying, [], 20, [
      review('indicator', 'crane', { verdict: 'confirm', reading: 'absent' }),
    ]);
    expect(nothing.evidence[0]).toMatchObject({ observed: 'absent', weight: 1, overridden: true });
    const timed = assess(decaying, [], 20, [
      review('indicator', `crane@${dayIso(10).slice(0, 10)}`, {
        verdict: 'confirm',
        reading: 'present',
      }),
    ]);
    expect(timed.evidence[0]).toMatchObject({ observed: 'present', weight: 0.5, overridden: true });
    expect(timed.trajectory[0]?.probability).toBeCloseTo(0.2 / (0.2 + 0.8 / 2), 12);
    expect(assess(decaying, [], 9, []).probability).toBeCloseTo(0.2, 12);
    expect(
      assess(decaying, [], 50, [
        review('indicator', `crane@${dayIso(10).slice(0, 10)}`, {
          verdict: 'confirm',
          reading: 'present',
        }),
      ]).probability,
    ).toBeCloseTo(0.2, 12);
  });
});

// ---- property: confirming already-counted evidence changes nothing ----

const CONDITIONS = [
  'crane-present',
  'not crane-present',
  'vehicles >= 6',
  'vehicles anomaly >= 1.5',
];

function randomPlaybook(random: () => number): Playbook {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const count = 1 + Math.floor(random() * 4);
  const indicators = Array.from({ length: count }, (_, i) =>
    indicator(`ind-${i}`, pick(CONDITIONS), {
      bindings:
        random() < 0.3
          ? [
              { siteId: 'site-1', zoneId: 'a' },
              { siteId: 'site-1', zoneId: 'b' },
            ]
          : [{ siteId: 'site-1', zoneId: pick(['a', 'b']) }],
      likelihoodRatio: { present: 1 + random() * 9, absent: 0.05 + random() * 0.9 },
      windowDays: 5 + Math.floor(random() * 40),
      halfLifeDays: random() < 0.5 ? null : 2 + random() * 20,
    }),
  );
  return {
    hypothesis: 'h',
    title: 'h',
    description: '',
    prior: 0.01 + random() * 0.98,
    indicators,
  };
}

function randomObservations(random: () => number): Observation[] {
  const count = Math.floor(random() * 40);
  return Array.from({ length: count }, (_, i) => {
    const vehicles = random() < 0.6;
    const base = makeObservation(i + 1, {
      zoneId: random() < 0.5 ? 'a' : 'b',
      metric: vehicles ? 'vehicles' : 'crane-present',
      value: vehicles ? Math.floor(random() * 15) : random() < 0.5,
      observedAt: dayIso(Math.floor(random() * 60)),
    });
    if (random() > 0.15) return base;
    return { ...base, observability: { ...base.observability, state: 'not-observable' as const } };
  });
}

/** Confirmations of what is counted: observations, indicators, and readings as they were read. */
function randomConfirmations(
  random: () => number,
  playbook: Playbook,
  list: readonly Observation[],
  read: Assessment,
): Review[] {
  const confirm = (kind: Review['targetKind'], id: string, reading: Review['reading'] = null) =>
    review(kind, id, { verdict: 'confirm', reading, reason: 'seen on the image' });
  const reviews = list.filter(() => random() < 0.4).map((o) => confirm('observation', o.id));
  for (const i of playbook.indicators) {
    if (random() < 0.3) reviews.push(confirm('indicator', random() < 0.5 ? i.id : `h/${i.id}`));
  }
  for (const e of read.evidence) {
    const observationId = e.sources[0]?.observationId;
    if (observationId === undefined || e.observed === 'unobservable' || random() < 0.5) continue;
    reviews.push(confirm('indicator', `${e.indicator}@${observationId}`, e.observed));
  }
  return reviews;
}

describe('property: confirming an already-counted piece of evidence changes nothing', () => {
  it('holds for 200 random playbooks, observations and confirmations', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = seededRandom(seed);
      const playbook = randomPlaybook(random);
      const list = randomObservations(random);
      const asOf = dayIso(10 + Math.floor(random() * 60));
      const plain = assessPlaybook(playbook, list, asOf, metrics);
      const reviews = randomConfirmations(random, playbook, list, plain);
      const confirmed = assessPlaybook(playbook, list, asOf, metrics, new ReviewIndex(reviews));
      const context = `seed ${seed}`;
      expect(confirmed.probability, context).toBe(plain.probability);
      expect(confirmed.trajectory, context).toEqual(plain.trajectory);
      expect(
        confirmed.evidence.map((e) => ({ ...e, review: null })),
        context,
      ).toEqual(plain.evidence);
      expect(
        confirmed.evidence.every((e) => !e.overridden),
        context,
      ).toBe(true);
    }
  });
});

describe('IncrementalAssessment with reviews', () => {
  it('gives what assessPlaybook gives with the same reviews', () => {
    for (let seed = 1; seed <= 30; seed += 1) {
      const random = seededRandom(1000 + seed);
      const playbook = randomPlaybook(random);
      const list = randomObservations(random);
      const asOf = dayIso(10 + Math.floor(random() * 60));
      const reviews = new ReviewIndex([
        ...list.filter(() => random() < 0.2).map((o) => review('observation', o.id)),
        ...playbook.indicators.filter(() => random() < 0.3).map((i) => review('indicator', i.id)),
      ]);
      const incremental = new IncrementalAssessment(playbook, metrics);
      for (const o of list) incremental.add(o);
      const full = assessPlaybook(playbook, list, asOf, metrics, reviews);
      expect(incremental.assessAt(asOf, reviews).evidence, `seed ${seed}`).toEqual(full.evidence);
    }
  });
});
