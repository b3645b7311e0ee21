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
import type { AlertRepository, AlertTransaction, Clock, RecordedAlerts } from '../ports.ts';

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

export interface RecordAlertsDeps<Tx extends AlertTransaction = AlertTransaction> {
  readonly alerts: AlertRepository<Tx>;
  readonly clock: Clock;
}

/**
 * Decides and records alerts for facts in one transaction of the alert store; `storeFact`
 * runs first in that transaction, writing the fact through the adapter's handle `tx`, so
 * fact and alerts commit together (or neither does). Like all `withTransaction` work it must
 * await only that transaction's writes.
 */
export async function recordFactsWithAlerts<T, Tx extends AlertTransaction>(
  deps: RecordAlertsDeps<Tx>,
  facts: NewFacts,
  storeFact: (tx: Tx) => T | Promise<T>,
): Promise<{ fact: T; alerts: RecordedAlerts }> {
  const rules = await deps.alerts.listRules();
  const decidedAt = deps.clock.nowIso();
  const candidates = decideAlerts(rules, facts);
  return deps.alerts.withTransaction(async (tx) => {
    const fact = await storeFact(tx);
    return { fact, alerts: await tx.recordAlerts(candidates, decidedAt) };
  });
}
