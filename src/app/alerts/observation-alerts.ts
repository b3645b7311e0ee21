/**
 * Alerts on new observations: each new observed value is scored against its series' robust
 * baseline (the same trailing median/MAD `series` shows), the anomaly rules are decided, and
 * observations, alerts and outbox rows commit in one transaction. Each affected series is read
 * once per batch, however many of its points arrive. Watched playbooks are then re-assessed.
 */
import type { NewAuditEntry } from '../../core/review/audit.ts';
import type { AlertRule } from '../../core/alerts/alert-rule.ts';
import type { Alert } from '../../core/alerts/alert.ts';
import type { AnomalyFact } from '../../core/alerts/alert-decision.ts';
import type { MetricRegistry } from '../../core/activity/metrics.ts';
import type { Observation } from '../../core/activity/observation.ts';
import {
  DEFAULT_BASELINE_WINDOW,
  scorePoint,
  type BaselineWindow,
} from '../../core/activity/robust-baseline.ts';
import {
  DAY_MS,
  assembleSeries,
  seriesKeyText,
  type SeriesKey,
} from '../../core/activity/series.ts';
import type { AssessDeps } from '../assess/assess-playbook.ts';
import type { AlertRepository, ObservationFilter } from '../ports.ts';
import { decideAlerts } from './decide-alerts.ts';
import type { AssessmentHistoryStore, ObservationAlertStore } from './fact-stores.ts';
import {
  reassessWatched,
  type Reassessment,
  type RecordAssessmentDeps,
} from './record-assessment.ts';

/** What deciding alerts on new observations needs; wired in production, optional in tests. */
export interface ObservationAlerting {
  readonly rules: Pick<AlertRepository, 'listRules'>;
  readonly store: ObservationAlertStore;
  /** Watched playbooks, re-assessed after new observations of their sites; absent: none. */
  readonly history?: AssessmentHistoryStore;
  /** Analysts' reviews, applied when watched playbooks are re-assessed. */
  readonly reviews?: AssessDeps['reviews'];
  /** Baseline window of the anomaly score; default {@link DEFAULT_BASELINE_WINDOW}. */
  readonly window?: BaselineWindow;
}

/**
 * The anomaly fact of each new observed value: its score against the observed points before
 * it in its series (`read` lists stored observations, the new ones included).
 */
export function anomalyFactsOf(
  inserted: readonly Observation[],
  read: (filter: ObservationFilter) => readonly Observation[],
  metrics: MetricRegistry,
  window: BaselineWindow = DEFAULT_BASELINE_WINDOW,
): AnomalyFact[] {
  const groups = new Map<string, { key: SeriesKey; ids: Set<string>; earliest: string }>();
  for (const o of inserted) {
    if (o.observability.state !== 'observed' || o.value === null) continue;
    const key = { siteId: o.siteId, zoneId: o.zoneId, metric: o.metric };
    const text = seriesKeyText(key);
    const group = groups.get(text) ?? { key, ids: new Set<string>(), earliest: o.observedAt };
    group.ids.add(o.id);
    if (o.observedAt < group.earliest) group.earliest = o.observedAt;
    groups.set(text, group);
  }
  const facts: AnomalyFact[] = [];
  for (const { key, ids, earliest } of groups.values()) {
    // A days window only needs the points from `window` before the earliest new one.
    const since =
      window.kind === 'days'
        ? new Date(Date.parse(earliest) - window.days * DAY_MS).toISOString()
        : undefined;
    const series = assembleSeries(
      read({
        siteId: key.siteId,
        zoneId: key.zoneId,
        metric: key.metric,
        ...(since === undefined ? {} : { since }),
      }),
      key,
    );
    const options = { window, seasonal: false, madFloor: metrics.get(key.metric)?.madFloor ?? 1 };
    series.observed.forEach((point, index) => {
      if (!ids.has(point.observationId)) return;
      facts.push({
        seriesKey: key,
        observationId: point.observationId,
        at: point.at,
        anomalyScore: scorePoint(series.observed, index, options).anomalyScore,
      });
    });
  }
  return facts;
}

export interface ObservationsWithAlerts {
  readonly inserted: readonly string[];
  readonly existing: readonly string[];
  /** Alerts recorded with the observations (not duplicates or cooled down ones). */
  readonly alerts: readonly Alert[];
  /** Watched playbooks re-assessed afterwards (each with its own alerts). */
  readonly reassessed: readonly Reassessment[];
}

const hasAnomalyRule = (rules: readonly AlertRule[]): boolean =>
  rules.some((r) => r.condition.kind === 'anomaly');

/**
 * Stores the observations and the alerts their anomaly scores cause in one transaction, then
 * re-assesses the watched playbooks of their sites.
 */
export async function storeObservationsWithAlerts(
  deps: Omit<RecordAssessmentDeps, 'history' | 'rules'>,
  alerting: ObservationAlerting,
  observations: readonly Observation[],
  audit?: (inserted: readonly string[]) => NewAuditEntry | null,
): Promise<ObservationsWithAlerts> {
  const rules = await alerting.rules.listRules();
  const scoring = hasAnomalyRule(rules);
  let fresh: readonly Observation[] = [];
  const stored = await alerting.store.insertWithAlerts(
    observations,
    (inserted, read) => {
      fresh = inserted;
      if (!scoring) return [];
      return decideAlerts(rules, {
        anomalies: anomalyFactsOf(inserted, read, deps.metrics, alerting.window),
      });
    },
    deps.clock.nowIso(),
    audit,
  );
  const reassessed =
    alerting.history === undefined
      ? []
      : await reassessWatched(
          {
            ...deps,
            history: alerting.history,
            rules: alerting.rules,
            ...(alerting.reviews === undefined ? {} : { reviews: alerting.reviews }),
          },
          fresh,
        );
  return {
    inserted: stored.inserted,
    existing: stored.existing,
    alerts: stored.alerts.recorded,
    reassessed,
  };
}
