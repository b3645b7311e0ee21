/**
 * The behaviour every alert store adapter must show (SQLite and PostgreSQL): AlertRepository
 * (a fact, its alerts and their outbox rows in one transaction; duplicates and cooldowns; the
 * outbox lease), AssessmentHistoryStore and ObservationAlertStore (fact, alerts and audit
 * together or not at all). Call {@link describeAlertStoresContract} from the adapter's test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricRegistry } from '../../core/activity/metrics.ts';
import { decideForAnomaly, decideForAssessment } from '../../core/alerts/alert-decision.ts';
import { parseAlertRule } from '../../core/alerts/alert-rule.ts';
import { observationsAuditEntry } from '../../core/review/audit.ts';
import { decideAlerts, recordFactsWithAlerts } from '../alerts/decide-alerts.ts';
import type {
  AssessmentHistoryStore,
  AssessmentSnapshot,
  ObservationAlertStore,
} from '../alerts/fact-stores.ts';
import { anomalyFactsOf } from '../alerts/observation-alerts.ts';
import type { AlertRepository, AlertTransaction, ObservationRepository } from '../ports.ts';
import type { AuditLog } from '../review/review-ports.ts';
import { makeObservation } from './observation-repository.contract.ts';

export interface AlertStoresFixture<Tx extends AlertTransaction> {
  readonly alerts: AlertRepository<Tx>;
  readonly history: AssessmentHistoryStore;
  readonly observationAlerts: ObservationAlertStore;
  readonly observations: Pick<ObservationRepository, 'count'>;
  readonly audit: AuditLog;
  /** Writes fact `id` into the fixture's own `facts` table through `tx`; rows changed. */
  insertFact(tx: Tx, id: string): Promise<number>;
  /** Rows in a table of the store (alerts, alert_outbox, assessment_snapshots, facts). */
  count(table: string): Promise<number>;
  /** From now on every insert into alert_outbox fails (to test rollbacks). */
  refuseOutbox(): Promise<void>;
  close(): Promise<void>;
}

const NOW = '2026-01-01T00:00:00.000Z';

/** An anomaly rule with a webhook and an email channel (also used by the SQLite adapter's own tests). */
export const anomalyRule = parseAlertRule(
  {
    id: 'vehicles',
    severity: 'warning',
    condition: { kind: 'anomaly', metric: 'vehicles', minScore: 2 },
    cooldownMinutes: 60,
    channels: [
      { kind: 'webhook', url: 'http://127.0.0.1:9/hook', secretEnv: 'HOOK_SECRET' },
      {
        kind: 'email',
        to: ['analyst@example.org'],
        from: 'sitewatch@example.org',
        smtp: { host: '127.0.0.1', port: 2525 },
      },
    ],
  },
  'test',
);

const probabilityRule = parseAlertRule(
  {
    id: 'likely',
    severity: 'critical',
    condition: { kind: 'probability-crosses', threshold: 0.5 },
    channels: [{ kind: 'webhook', url: 'http://127.0.0.1:9/hook', secretEnv: 'HOOK' }],
  },
  'test',
);

/** The candidates `anomalyRule` gives for an anomaly (score 3) at sanumdong/parking. */
export function candidates(observationId: string, at: string) {
  return decideForAnomaly([anomalyRule], {
    seriesKey: { siteId: 'sanumdong', zoneId: 'parking', metric: 'vehicles' },
    observationId,
    at,
    anomalyScore: 3,
  });
}

const snapshot = (asOf: string, probability: number): AssessmentSnapshot => ({
  playbookId: 'launch',
  hypothesis: 'launch',
  asOf,
  probability,
  prior: 0.1,
  playbookSha256: 'a'.repeat(64),
  recordedAt: NOW,
});

const crossing = (s: AssessmentSnapshot) => (earlier: readonly AssessmentSnapshot[]) =>
  decideForAssessment([probabilityRule], {
    playbookId: s.playbookId,
    hypothesis: s.hypothesis,
    at: s.asOf,
    probability: s.probability,
    previousProbability: earlier.at(-1)?.probability ?? s.prior,
  });

/** The shared alert stores contract. */
export function describeAlertStoresContract<Tx extends AlertTransaction>(
  name: string,
  make: () => Promise<AlertStoresFixture<Tx>>,
): void {
  describe(`Alert stores contract: ${name}`, () => {
    let store: AlertStoresFixture<Tx>;
    beforeEach(async () => {
      store = await make();
      await store.alerts.putRules([anomalyRule, probabilityRule]);
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores rules and reads them back', async () => {
      expect(await store.alerts.listRules()).toEqual([probabilityRule, anomalyRule]);
      expect(await store.alerts.getRule('vehicles')).toEqual(anomalyRule);
      expect(await store.alerts.getRule('nope')).toBeUndefined();
    });

    it('commits the fact, the alert and one outbox row per channel together', async () => {
      const result = await store.alerts.withTransaction(async (tx) => {
        await store.insertFact(tx, 'obs_1');
        return tx.recordAlerts(candidates('obs_1', '2019-02-22T00:00:00.000Z'), NOW);
      });
      expect(result.recorded).toHaveLength(1);
      expect(await store.count('facts')).toBe(1);
      const [stored] = await store.alerts.listAlerts();
      expect(stored?.deliveries.map((d) => [d.channel, d.state, d.attempts])).toEqual([
        ['webhook', 'pending', 0],
        ['email', 'pending', 0],
      ]);
      expect(await store.alerts.getAlert(stored?.alert.id ?? '')).toEqual(stored);
    });

    it('recordFactsWithAlerts decides from the stored rules and commits with the fact', async () => {
      const deps = { alerts: store.alerts, clock: { nowIso: () => NOW } };
      const anomaly = (observationId: string, anomalyScore: number) => ({
        seriesKey: { siteId: 'sohae', zoneId: null, metric: 'vehicles' },
        observationId,
        at: '2019-03-01T00:00:00.000Z',
        anomalyScore,
      });
      const low = await recordFactsWithAlerts(deps, { anomalies: [anomaly('obs_low', 1)] }, (tx) =>
        store.insertFact(tx, 'obs_low'),
      );
      expect(low).toEqual({ fact: 1, alerts: { recorded: [], duplicates: [], cooledDown: [] } });
      await expect(
        recordFactsWithAlerts(deps, { anomalies: [anomaly('obs_1', 5)] }, (tx) =>
          store.insertFact(tx, 'obs_low'),
        ),
      ).rejects.toThrow();
      expect(await store.count('alerts')).toBe(0);
      const high = await recordFactsWithAlerts(deps, { anomalies: [anomaly('obs_hi', 5)] }, (tx) =>
        store.insertFact(tx, 'obs_hi'),
      );
      expect(high.alerts.recorded.map((a) => a.decidedAt)).toEqual([NOW]);
      expect(await store.count('facts')).toBe(2);
    });

    it('rolls back the alert with the fact when the transaction throws', async () => {
      await expect(
        store.alerts.withTransaction(async (tx) => {
          await store.insertFact(tx, 'obs_1');
          await tx.recordAlerts(candidates('obs_1', '2019-02-22T00:00:00.000Z'), NOW);
          throw new Error('fact writer failed');
        }),
      ).rejects.toThrow('fact writer failed');
      expect(await store.count('facts')).toBe(0);
      expect(await store.alerts.listAlerts()).toEqual([]);
      expect(await store.count('alert_outbox')).toBe(0);
    });

    it('drops duplicates and alerts inside the cooldown, in fact time and out of order', async () => {
      const record = (id: string, at: string) =>
        store.alerts.withTransaction((tx) => tx.recordAlerts(candidates(id, at), NOW));
      expect((await record('obs_1', '2019-02-22T10:00:00.000Z')).recorded).toHaveLength(1);
      expect((await record('obs_1', '2019-02-22T10:00:00.000Z')).duplicates).toEqual([
        'vehicles|anomaly|obs_1',
      ]);
      expect((await record('obs_2', '2019-02-22T10:30:00.000Z')).cooledDown).toHaveLength(1);
      expect((await record('obs_3', '2019-02-22T11:00:00.000Z')).recorded).toHaveLength(1);
      expect((await record('obs_0', '2019-02-22T09:30:00.000Z')).cooledDown).toHaveLength(1);
      expect((await record('obs_m', '2019-02-22T08:00:00.000Z')).recorded).toHaveLength(1);
      expect(await store.alerts.listAlerts()).toHaveLength(3);
      expect(await store.alerts.listAlerts({ limit: 2 })).toHaveLength(2);
      expect(await store.alerts.listAlerts({ ruleId: 'likely' })).toEqual([]);
    });

    it('claims due rows under a lease, retries later, fails for good, and requeues', async () => {
      const { alerts } = store;
      await alerts.withTransaction((tx) =>
        tx.recordAlerts(candidates('obs_1', '2019-02-22T00:00:00.000Z'), NOW),
      );
      const lease = '2026-01-01T00:05:00.000Z';
      const claimed = await alerts.claimDue(NOW, lease, 10);
      expect(claimed.map((c) => c.channel.kind)).toEqual(['webhook', 'email']);
      expect(await alerts.claimDue(NOW, lease, 10)).toEqual([]);
      // A crashed deliverer's lease expires and the rows come back.
      expect(await alerts.claimDue(lease, '2026-01-01T00:10:00.000Z', 10)).toHaveLength(2);
      const [hook, mail] = claimed;
      if (hook === undefined || mail === undefined) throw new Error('expected two rows');
      await alerts.releaseClaims([hook.outboxId, mail.outboxId]);
      expect(await alerts.claimDue(NOW, lease, 1)).toHaveLength(1);
      await alerts.markDelivered(hook.outboxId, NOW);
      await alerts.markAttemptFailed(mail.outboxId, 'refused', '2026-01-01T01:00:00.000Z');
      expect(
        await alerts.claimDue('2026-01-01T00:59:59.000Z', '2026-01-01T02:00:00.000Z', 10),
      ).toEqual([]);
      const again = await alerts.claimDue(
        '2026-01-01T01:00:00.000Z',
        '2026-01-01T02:00:00.000Z',
        10,
      );
      expect(again.map((c) => [c.channel.kind, c.attempts])).toEqual([['email', 1]]);
      await alerts.markAttemptFailed(mail.outboxId, 'refused again', null);
      const alertId = hook.alert.id;
      expect((await alerts.getAlert(alertId))?.deliveries.map((d) => d.state)).toEqual([
        'delivered',
        'failed',
      ]);
      expect(await alerts.requeue(alertId, NOW)).toBe(2);
      expect((await alerts.getAlert(alertId))?.deliveries.map((d) => d.state)).toEqual([
        'pending',
        'pending',
      ]);
      expect(await alerts.requeue('alt_missing', NOW)).toBe(0);
    });

    it('stores a snapshot with its alert, shows earlier ones to the decision, replaces a recomputation', async () => {
      const { history } = store;
      const first = snapshot('2019-02-01T00:00:00.000Z', 0.3);
      expect((await history.recordWithAlerts(first, crossing(first), NOW)).recorded).toEqual([]);
      const second = snapshot('2019-03-01T00:00:00.000Z', 0.8);
      const seen: AssessmentSnapshot[][] = [];
      const recorded = await history.recordWithAlerts(
        second,
        (earlier) => {
          seen.push([...earlier]);
          return crossing(second)(earlier);
        },
        NOW,
      );
      expect(seen).toEqual([[first]]);
      expect(recorded.recorded.map((a) => a.ruleId)).toEqual(['likely']);
      await history.recordWithAlerts({ ...second, probability: 0.81 }, () => [], NOW);
      expect((await history.listSnapshots('launch')).map((s) => s.probability)).toEqual([
        0.3, 0.81,
      ]);
      expect(await history.listSnapshots('other')).toEqual([]);
      expect([await store.count('alerts'), await store.count('alert_outbox')]).toEqual([1, 1]);
    });

    it('rolls the snapshot back when its alert cannot be stored', async () => {
      await store.refuseOutbox();
      const s = snapshot('2019-03-01T00:00:00.000Z', 0.9);
      await expect(store.history.recordWithAlerts(s, crossing(s), NOW)).rejects.toThrow(
        /outbox refused/,
      );
      expect([await store.count('assessment_snapshots'), await store.count('alerts')]).toEqual([
        0, 0,
      ]);
    });

    it('watches, lists and unwatches playbooks', async () => {
      const { history } = store;
      const watched = {
        playbookId: 'launch',
        label: 'launch.yaml',
        json: { hypothesis: 'launch', prior: 0.1 },
        playbookSha256: 'b'.repeat(64),
        siteIds: ['sohae'],
      };
      await history.watch(watched, NOW);
      await history.watch({ ...watched, siteIds: ['sanumdong', 'sohae'] }, NOW);
      expect(await history.listWatched()).toEqual([
        { ...watched, siteIds: ['sanumdong', 'sohae'] },
      ]);
      expect(await history.unwatch('launch')).toBe(true);
      expect(await history.unwatch('launch')).toBe(false);
      expect(await history.listWatched()).toEqual([]);
    });

    const metrics = new MetricRegistry();
    const series = [10, 11, 10, 9, 10, 12, 10, 40].map((value, seed) =>
      makeObservation(seed, { value }),
    );
    const decide = (
      inserted: Parameters<typeof anomalyFactsOf>[0],
      read: Parameters<typeof anomalyFactsOf>[1],
    ) => decideAlerts([anomalyRule], { anomalies: anomalyFactsOf(inserted, read, metrics) });
    const audit = (ids: readonly string[]) =>
      observationsAuditEntry('observation.import', 'kim', NOW, ids, 'file.json');

    it('stores observations, their audit entry and the alert of a surge together, once', async () => {
      const seven = series.slice(0, 7);
      const calm = await store.observationAlerts.insertWithAlerts(seven, decide, NOW, audit);
      expect(calm.inserted).toHaveLength(7);
      expect(calm.alerts.recorded).toEqual([]);
      let decided = 0;
      const surge = await store.observationAlerts.insertWithAlerts(
        series,
        (inserted, read) => {
          decided += 1;
          expect(inserted.map((o) => o.id)).toEqual([series[7]?.id]);
          // The decision sees the stored series, the new point included.
          expect(read({ siteId: 'site-1', zoneId: 'parking', metric: 'vehicles' })).toHaveLength(8);
          return decide(inserted, read);
        },
        NOW,
        audit,
      );
      expect(surge.existing).toHaveLength(7);
      expect(surge.inserted).toEqual([series[7]?.id]);
      expect(surge.alerts.recorded.map((a) => a.ruleId)).toEqual(['vehicles']);
      const again = await store.observationAlerts.insertWithAlerts(
        series,
        () => {
          decided += 1;
          return [];
        },
        NOW,
        audit,
      );
      expect(again.inserted).toEqual([]);
      expect(decided).toBe(1);
      expect(await store.observations.count()).toBe(8);
      expect((await store.audit.list()).map((e) => e.details)).toEqual([
        { inserted: seven.map((o) => o.id), file: 'file.json' },
        { inserted: [series[7]?.id], file: 'file.json' },
      ]);
    });

    it('stores no observation, audit entry or alert when the alert cannot be stored', async () => {
      await store.observationAlerts.insertWithAlerts(series.slice(0, 7), decide, NOW);
      await store.refuseOutbox();
      await expect(
        store.observationAlerts.insertWithAlerts(series, decide, NOW, audit),
      ).rejects.toThrow(/outbox refused/);
      expect(await store.observations.count()).toBe(7);
      expect(await store.audit.list()).toEqual([]);
      expect(await store.count('alerts')).toBe(0);
    });
  });
}
