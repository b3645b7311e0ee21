/**
 * An assessment of a playbook at a time: per indicator one piece of evidence, chosen among
 * the readings inside the indicator's window (asOf − windowDays, asOf]: the latest reading
 * that shows the indicator present; else the latest that shows it absent; else the latest
 * that could not say (unobservable). Evidence decays with its age; fusion is in log-odds.
 * The probability over time is the assessment at each date something was observed.
 * Analyst reviews in force (review-index.ts) apply at every time: see reviewed-evidence.ts.
 */
import type { MetricRegistry } from '../activity/metrics.ts';
import type { Observation, ObservationSourceKind } from '../activity/observation.ts';
import type { Baseline } from '../activity/robust-baseline.ts';
import { DAY_MS } from '../activity/series.ts';
import { NO_REVIEWS, type ReviewIndex } from '../review/review-index.ts';
import { decayWeight, fuseEvidence } from './fusion.ts';
import { readIndicator, type EvidenceState, type Reading } from './indicator-readings.ts';
import type { Indicator, Playbook } from './playbook.ts';
import { reviewEvidence, type EvidenceReview } from './reviewed-evidence.ts';

/** What a piece of evidence rests on, down to the image, run or comparison. */
export interface EvidenceSource {
  readonly observationId: string;
  readonly kind: ObservationSourceKind;
  readonly imageId: string | null;
  readonly runId: string | null;
  readonly comparisonId: string | null;
  readonly observedAt: string;
  readonly author: string;
  readonly note: string;
}

/** One indicator's contribution to an assessment. */
export interface Evidence {
  /**
   * Stable id: `<indicator>@<observation id>` (or `<indicator>@none` when nothing was
   * observed in the window), the same on every recomputation, for overrides to name.
   */
  readonly id: string;
  readonly indicator: string;
  readonly site: string;
  readonly zone: string | null;
  readonly metric: string;
  readonly condition: string;
  readonly observed: EvidenceState;
  /** When the deciding observation was made; null when there was none in the window. */
  readonly observedAt: string | null;
  readonly ageDays: number | null;
  /** Decay weight in (0, 1]; 0 when unobservable. */
  readonly weight: number;
  /** The ratio applied (LR+ or LR−); null when unobservable. */
  readonly likelihoodRatio: number | null;
  /** weight × ln(likelihoodRatio); 0 when unobservable. */
  readonly logLikelihoodRatio: number;
  readonly value: number | boolean | null;
  readonly anomalyScore: number | null;
  readonly baseline: Baseline | null;
  readonly reason: string;
  readonly sources: readonly EvidenceSource[];
  /** The analyst's review bearing on this evidence; null when there is none. */
  readonly review: EvidenceReview | null;
  /** Whether a review changed what this evidence contributes (see reviewed-evidence.ts). */
  readonly overridden: boolean;
}

export interface TrajectoryPoint {
  readonly at: string;
  readonly probability: number;
  readonly logOdds: number;
}

export interface Assessment {
  readonly hypothesis: string;
  readonly title: string;
  readonly prior: number;
  readonly priorLogOdds: number;
  readonly probability: number;
  readonly logOdds: number;
  /** ISO 8601 UTC. */
  readonly asOf: string;
  readonly evidence: readonly Evidence[];
  /** The probability at each observation date up to asOf, then at asOf. */
  readonly trajectory: readonly TrajectoryPoint[];
}

function sourceOf(observation: Observation): EvidenceSource {
  return {
    observationId: observation.id,
    kind: observation.source.kind,
    imageId: observation.source.imageId,
    runId: observation.source.runId,
    comparisonId: observation.source.comparisonId,
    observedAt: observation.observedAt,
    author: observation.author,
    note: observation.note,
  };
}

/** The indicator's evidence at `asOfMs` from its readings (in time order, then id). */
export function evidenceAt(
  indicator: Indicator,
  readings: readonly Reading[],
  asOfMs: number,
): Evidence {
  const fromMs = asOfMs - indicator.windowDays * DAY_MS;
  // Readings are in time order: walk back from the end through the window only.
  const latest: Partial<Record<EvidenceState, Reading>> = {};
  for (let i = readings.length - 1; i >= 0; i -= 1) {
    const reading = readings[i];
    if (reading === undefined || reading.atMs <= fromMs) break;
    if (reading.atMs > asOfMs) continue;
    latest[reading.state] ??= reading;
    if (reading.state === 'present') break;
  }
  const decisive = latest.present ?? latest.absent ?? latest.unobservable;
  const first = indicator.bindings[0];
  // Every field written out: `{ ...common, <15 more> }` takes V8's slow object-literal path
  // (about 30 µs a call, most of a re-fusion's time; see bench/assess.bench.ts).
  if (decisive === undefined) {
    const where = indicator.bindings
      .map((b) => (b.zoneId === null ? b.siteId : `${b.siteId}/${b.zoneId}`))
      .join(', ');
    return {
      id: `${indicator.id}@none`,
      indicator: indicator.id,
      site: first?.siteId ?? '',
      zone: first?.zoneId ?? null,
      metric: indicator.condition.metric,
      condition: indicator.conditionText,
      observed: 'unobservable',
      observedAt: null,
      ageDays: null,
      weight: 0,
      likelihoodRatio: null,
      logLikelihoodRatio: 0,
      value: null,
      anomalyScore: null,
      baseline: null,
      reason: `no observation of ${indicator.condition.metric} at ${where} in the ${indicator.windowDays} days before`,
      sources: [],
      review: null,
      overridden: false,
    };
  }
  const { observation } = decisive;
  const ageDays = (asOfMs - decisive.atMs) / DAY_MS;
  const counted = decisive.state !== 'unobservable';
  const likelihoodRatio = counted
    ? decisive.state === 'present'
      ? indicator.likelihoodRatio.present
      : indicator.likelihoodRatio.absent
    : null;
  const weight = counted ? decayWeight(ageDays, indicator.halfLifeDays) : 0;
  return {
    id: `${indicator.id}@${observation.id}`,
    indicator: indicator.id,
    site: observation.siteId,
    zone: observation.zoneId,
    metric: indicator.condition.metric,
    condition: indicator.conditionText,
    observed: decisive.state,
    observedAt: observation.observedAt,
    ageDays,
    weight,
    likelihoodRatio,
    logLikelihoodRatio: likelihoodRatio === null ? 0 : weight * Math.log(likelihoodRatio),
    value: observation.value,
    anomalyScore: decisive.anomalyScore,
    baseline: decisive.baseline,
    reason: decisive.reason,
    sources: [sourceOf(observation)],
    review: null,
    overridden: false,
  };
}

/** Readings per indicator, computed once and reused for every assessment time. */
export interface PlaybookReadings {
  readonly playbook: Playbook;
  /** Without the observations an analyst rejected. */
  readonly readings: ReadonlyMap<string, readonly Reading[]>;
  /** With them, to show what they would have decided; absent when none was rejected. */
  readonly unreviewed?: ReadonlyMap<string, readonly Reading[]>;
}

function readAll(
  playbook: Playbook,
  observations: readonly Observation[],
  metrics: MetricRegistry,
): Map<string, readonly Reading[]> {
  const readings = new Map<string, readonly Reading[]>();
  for (const indicator of playbook.indicators) {
    readings.set(indicator.id, readIndicator(indicator, observations, metrics));
  }
  return readings;
}

/**
 * Reads every observation once for every indicator of the playbook; observations rejected
 * by a review in force are read apart (they are out of fusion and out of baselines).
 */
export function readPlaybook(
  playbook: Playbook,
  observations: readonly Observation[],
  metrics: MetricRegistry,
  reviews: ReviewIndex = NO_REVIEWS,
): PlaybookReadings {
  const kept = reviews.rejectsObservations
    ? observations.filter(
        (o) => reviews.rejectionOf({ observationId: o.id, runId: o.source.runId }) === undefined,
      )
    : observations;
  const readings = readAll(playbook, kept, metrics);
  if (kept.length === observations.length) return { playbook, readings };
  return { playbook, readings, unreviewed: readAll(playbook, observations, metrics) };
}

/** Evidence and posterior at one time, without the trajectory. */
export function assessAt(
  read: PlaybookReadings,
  asOfMs: number,
  reviews: ReviewIndex = NO_REVIEWS,
): { evidence: Evidence[]; logOdds: number; probability: number; priorLogOdds: number } {
  const { hypothesis } = read.playbook;
  const evidence = read.playbook.indicators.map((indicator) => {
    const found = evidenceAt(indicator, read.readings.get(indicator.id) ?? [], asOfMs);
    if (reviews.isEmpty) return found;
    const all = read.unreviewed?.get(indicator.id);
    const unreviewed = all === undefined ? null : evidenceAt(indicator, all, asOfMs);
    return reviewEvidence(indicator, hypothesis, found, unreviewed, reviews, asOfMs);
  });
  const fusion = fuseEvidence(read.playbook.prior, evidence);
  return {
    evidence,
    logOdds: fusion.logOdds,
    probability: fusion.probability,
    priorLogOdds: fusion.priorLogOdds,
  };
}

/**
 * Assesses the playbook at `asOf` (ISO 8601 UTC) from the observations (any; those after
 * asOf and those of other series are not used), with the probability over time. The
 * reviews in force apply at every time of the trajectory.
 */
export function assessPlaybook(
  playbook: Playbook,
  observations: readonly Observation[],
  asOf: string,
  metrics: MetricRegistry,
  reviews: ReviewIndex = NO_REVIEWS,
): Assessment {
  const read = readPlaybook(playbook, observations, metrics, reviews);
  const asOfMs = Date.parse(asOf);
  const times = new Set<number>();
  for (const readings of read.readings.values()) {
    for (const reading of readings) if (reading.atMs <= asOfMs) times.add(reading.atMs);
  }
  const trajectory = [...times]
    .sort((a, b) => a - b)
    .filter((t) => t < asOfMs)
    .map((t) => {
      const at = assessAt(read, t, reviews);
      return { at: new Date(t).toISOString(), probability: at.probability, logOdds: at.logOdds };
    });
  const now = assessAt(read, asOfMs, reviews);
  trajectory.push({ at: asOf, probability: now.probability, logOdds: now.logOdds });
  return {
    hypothesis: playbook.hypothesis,
    title: playbook.title,
    prior: playbook.prior,
    priorLogOdds: now.priorLogOdds,
    probability: now.probability,
    logOdds: now.logOdds,
    asOf,
    evidence: now.evidence,
    trajectory,
  };
}
