/**
 * Deciding alerts from facts. Pure: the caller passes the new fact and the rules; the store
 * applies de-duplication (a unique dedup key) and the cooldown (the latest alert of the same
 * cooldown group) inside the transaction that stores the fact.
 */
import type { SeriesKey } from '../activity/series.ts';
import { seriesKeyText } from '../activity/series.ts';
import type { AlertRule, AlertSeverity } from './alert-rule.ts';

const DAY_MS = 86_400_000;

/** A new anomaly score, as stored with its observation. */
export interface AnomalyFact {
  readonly seriesKey: SeriesKey;
  readonly observationId: string;
  /** ISO 8601 UTC of the observation. */
  readonly at: string;
  /** Null when there were too few observations to say. */
  readonly anomalyScore: number | null;
}

/** A new point of an assessment's probability over time. */
export interface AssessmentFact {
  readonly playbookId: string;
  readonly hypothesis: string;
  /** ISO 8601 UTC the probability is as of. */
  readonly at: string;
  readonly probability: number;
  /** The probability just before `at` (the prior for the first point). */
  readonly previousProbability: number;
  /**
   * Earlier points (any order) for `probability-rises … withinDays`; when absent only
   * `previousProbability` is compared.
   */
  readonly history?: readonly { readonly at: string; readonly probability: number }[];
}

/** An alert a rule wants; not yet de-duplicated or cooled down. */
export interface AlertCandidate {
  readonly ruleId: string;
  readonly severity: AlertSeverity;
  /** Same key, same alert: never recorded twice. */
  readonly dedupKey: string;
  /** Alerts of one group respect the rule's cooldown against each other. */
  readonly cooldownKey: string;
  readonly cooldownMinutes: number;
  /** ISO 8601 UTC of the fact (cooldowns are measured in fact time). */
  readonly factAt: string;
  readonly title: string;
  readonly summary: string;
  /** What caused it: observation or assessment point. */
  readonly subject: AlertSubject;
}

export type AlertSubject =
  | {
      readonly kind: 'anomaly';
      readonly series: string;
      readonly observationId: string;
      readonly anomalyScore: number;
    }
  | {
      readonly kind: 'assessment';
      readonly playbookId: string;
      readonly hypothesis: string;
      readonly probability: number;
      readonly previousProbability: number;
      /** For a rise: the lowest probability in the window it rose from. */
      readonly fromProbability: number;
    };

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

/** The candidates `rules` produce for one anomaly fact. */
export function decideForAnomaly(rules: readonly AlertRule[], fact: AnomalyFact): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const series = seriesKeyText(fact.seriesKey);
  for (const rule of rules) {
    const c = rule.condition;
    if (c.kind !== 'anomaly' || fact.anomalyScore === null) continue;
    if (c.site !== undefined && c.site !== fact.seriesKey.siteId) continue;
    if (c.zone !== undefined && c.zone !== fact.seriesKey.zoneId) continue;
    if (c.metric !== undefined && c.metric !== fact.seriesKey.metric) continue;
    if (!(fact.anomalyScore >= c.minScore)) continue;
    out.push({
      ruleId: rule.id,
      severity: rule.severity,
      dedupKey: `${rule.id}|anomaly|${fact.observationId}`,
      cooldownKey: `${rule.id}|series|${series}`,
      cooldownMinutes: rule.cooldownMinutes,
      factAt: fact.at,
      title: rule.title ?? `Anomaly on ${series}`,
      summary: `${series} anomaly score ${fact.anomalyScore.toFixed(2)} >= ${c.minScore} at ${fact.at} (observation ${fact.observationId})`,
      subject: {
        kind: 'anomaly',
        series,
        observationId: fact.observationId,
        anomalyScore: fact.anomalyScore,
      },
    });
  }
  return out;
}

/** The candidates `rules` produce for one new assessment point. */
export function decideForAssessment(
  rules: readonly AlertRule[],
  fact: AssessmentFact,
): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const atMs = Date.parse(fact.at);
  for (const rule of rules) {
    const c = rule.condition;
    if (c.kind === 'anomaly') continue;
    if (c.playbook !== undefined && c.playbook !== fact.playbookId) continue;
    if (c.hypothesis !== undefined && c.hypothesis !== fact.hypothesis) continue;
    let from: number;
    let summary: string;
    if (c.kind === 'probability-crosses') {
      if (!(fact.previousProbability < c.threshold && fact.probability >= c.threshold)) continue;
      from = fact.previousProbability;
      summary = `${fact.hypothesis} (${fact.playbookId}) crossed ${pct(c.threshold)}: ${pct(from)} → ${pct(fact.probability)} at ${fact.at}`;
    } else {
      const sinceMs = atMs - c.withinDays * DAY_MS;
      const window = (fact.history ?? [])
        .filter((h) => {
          const ms = Date.parse(h.at);
          return ms >= sinceMs && ms < atMs;
        })
        .map((h) => h.probability);
      from = Math.min(fact.previousProbability, ...window);
      if (!(fact.probability - from >= c.margin)) continue;
      summary = `${fact.hypothesis} (${fact.playbookId}) rose by ${pct(fact.probability - from)} within ${c.withinDays} days: ${pct(from)} → ${pct(fact.probability)} at ${fact.at}`;
    }
    out.push({
      ruleId: rule.id,
      severity: rule.severity,
      dedupKey: `${rule.id}|assessment|${fact.playbookId}|${fact.at}`,
      cooldownKey: `${rule.id}|playbook|${fact.playbookId}`,
      cooldownMinutes: rule.cooldownMinutes,
      factAt: fact.at,
      title: rule.title ?? `${fact.hypothesis}: ${pct(fact.probability)}`,
      summary,
      subject: {
        kind: 'assessment',
        playbookId: fact.playbookId,
        hypothesis: fact.hypothesis,
        probability: fact.probability,
        previousProbability: fact.previousProbability,
        fromProbability: from,
      },
    });
  }
  return out;
}

/**
 * Whether a candidate is inside the cooldown of the latest alert of its group.
 * @param lastFactAt fact time of that alert, or null when there is none.
 */
export function inCooldown(candidate: AlertCandidate, lastFactAt: string | null): boolean {
  if (lastFactAt === null || candidate.cooldownMinutes <= 0) return false;
  const gapMs = Date.parse(candidate.factAt) - Date.parse(lastFactAt);
  return Math.abs(gapMs) < candidate.cooldownMinutes * 60_000;
}
