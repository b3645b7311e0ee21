/**
 * Turning new facts into alert candidates, and recording them. A use case that stores a fact
 * calls {@link decideAlerts} with the rules, then records the candidates with
 * `AlertTransaction.recordAlerts` in the SAME transaction as the fact (see the report in the
 * alerts README section): that is what makes a crash lose nothing.
 */
import {
  decideForAnomaly,
  decideForAssessment,
  type AlertCandidate,
  type AnomalyFact,
  type AssessmentFact,
} from '../../core/alerts/alert-decision.ts';
import type { AlertRule } from '../../core/alerts/alert-rule.ts';
import type { AlertRepository, Clock, RecordedAlerts } from '../ports.ts';

export interface NewFacts {
  readonly anomalies?: readonly AnomalyFact[];
  readonly assessments?: readonly AssessmentFact[];
}

/** Every candidate the rules produce for the facts, in input order. */
export function decideAlerts(rules: readonly AlertRule[], facts: NewFacts): AlertCandidate[] {
  return [
    ...(facts.anomalies ?? []).flatMap((fact) => decideForAnomaly(rules, fact)),
    ...(facts.assessments ?? []).flatMap((fact) => decideForAssessment(rules, fact)),
  ];
}

export interface RecordAlertsDeps {
  readonly alerts: AlertRepository;
  readonly clock: Clock;
}

/**
 * Decides and records alerts for facts in one transaction of the alert store; `storeFact`
 * (synchronous, same store) runs first in that transaction, so fact and alerts commit
 * together. Use it when the fact's writer can run inside `withTransaction`.
 */
export async function recordFactsWithAlerts<T>(
  deps: RecordAlertsDeps,
  facts: NewFacts,
  storeFact: () => T,
): Promise<{ fact: T; alerts: RecordedAlerts }> {
  const rules = await deps.alerts.listRules();
  const decidedAt = deps.clock.nowIso();
  const candidates = decideAlerts(rules, facts);
  return deps.alerts.withTransaction((tx) => {
    const fact = storeFact();
    return { fact, alerts: tx.recordAlerts(candidates, decidedAt) };
  });
}
