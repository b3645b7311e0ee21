import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordFactsWithAlerts } from '../../app/alerts/decide-alerts.ts';
import { anomalyRule as rule, candidates } from '../../app/contracts/alert-stores.contract.ts';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database.ts';
import { alertIdFor, SqliteAlertRepository } from './sqlite-alert-repository.ts';

const NOW = '2026-01-01T00:00:00.000Z';

describe('SqliteAlertRepository', () => {
  let db: SqliteDatabase;
  let repo: SqliteAlertRepository;
  beforeEach(async () => {
    db = openSqliteDatabase(':memory:');
    db.handle.exec('CREATE TABLE facts (id TEXT PRIMARY KEY)');
    repo = new SqliteAlertRepository(db, { nowIso: () => NOW });
    await repo.putRules([rule]);
  });
  afterEach(() => {
    db.close();
  });

  const facts = () =>
    (db.handle.prepare('SELECT count(*) AS n FROM facts').get() as { n: number }).n;

  it('stores rules and reads them back', async () => {
    expect(await repo.listRules()).toEqual([rule]);
    expect(await repo.getRule('vehicles')).toEqual(rule);
    expect(await repo.getRule('nope')).toBeUndefined();
  });

  it('commits the fact, the alert and one outbox row per channel together', async () => {
    const result = await repo.withTransaction((tx) => {
      tx.db.prepare('INSERT INTO facts (id) VALUES (?)').run('obs_1');
      return tx.recordAlerts(candidates('obs_1', '2019-02-22T00:00:00.000Z'), NOW);
    });
    expect(result.recorded.map((a) => a.id)).toEqual([alertIdFor('vehicles|anomaly|obs_1')]);
    expect(facts()).toBe(1);
    const [stored] = await repo.listAlerts();
    expect(stored?.deliveries.map((d) => [d.channel, d.state, d.attempts])).toEqual([
      ['webhook', 'pending', 0],
      ['email', 'pending', 0],
    ]);
  });

  it('recordFactsWithAlerts decides from the stored rules and commits with the fact', async () => {
    const deps = { alerts: repo, clock: { nowIso: () => NOW } };
    const anomaly = (observationId: string, anomalyScore: number) => ({
      seriesKey: { siteId: 'sohae', zoneId: null, metric: 'vehicles' },
      observationId,
      at: '2019-03-01T00:00:00.000Z',
      anomalyScore,
    });
    const low = await recordFactsWithAlerts(
      deps,
      { anomalies: [anomaly('obs_low', 1)] },
      (tx) => tx.db.prepare('INSERT INTO facts (id) VALUES (?)').run('obs_low').changes,
    );
    expect(low).toEqual({ fact: 1, alerts: { recorded: [], duplicates: [], cooledDown: [] } });
    await expect(
      recordFactsWithAlerts(deps, { anomalies: [anomaly('obs_1', 1)] }, (tx) =>
        tx.db.prepare('INSERT INTO facts (id) VALUES (?)').run('obs_low'),
      ),
    ).rejects.toThrow(/UNIQUE/);
    const high = await recordFactsWithAlerts(
      deps,
      { anomalies: [anomaly('obs_hi', 5)] },
      (tx) => tx.db.prepare('INSERT INTO facts (id) VALUES (?)').run('obs_hi').changes,
    );
    expect(high.alerts.recorded.map((a) => a.decidedAt)).toEqual([NOW]);
    expect(facts()).toBe(2);
  });

  it('rolls back the alert with the fact when the transaction throws', async () => {
    await expect(
      repo.withTransaction(async (tx) => {
        tx.db.prepare('INSERT INTO facts (id) VALUES (?)').run('obs_1');
        await tx.recordAlerts(candidates('obs_1', '2019-02-22T00:00:00.000Z'), NOW);
        throw new Error('fact writer failed');
      }),
    ).rejects.toThrow('fact writer failed');
    expect(facts()).toBe(0);
    expect(await repo.listAlerts()).toEqual([]);
    expect(db.handle.prepare('SELECT count(*) AS n FROM alert_outbox').get()).toEqual({ n: 0 });
  });

  it('drops duplicates and alerts inside the cooldown, in fact time and out of order', async () => {
    const record = (id: string, at: string) =>
      repo.withTransaction((tx) => tx.recordAlerts(candidates(id, at), NOW));
    expect((await record('obs_1', '2019-02-22T10:00:00.000Z')).recorded).toHaveLength(1);
    expect((await record('obs_1', '2019-02-22T10:00:00.000Z')).duplicates).toEqual([
      'vehicles|anomaly|obs_1',
    ]);
    expect((await record('obs_2', '2019-02-22T10:30:00.000Z')).cooledDown).toHaveLength(1);
    expect((await record('obs_3', '2019-02-22T11:00:00.000Z')).recorded).toHaveLength(1);
    expect((await record('obs_0', '2019-02-22T09:30:00.000Z')).cooledDown).toHaveLength(1);
    expect((await record('obs_m', '2019-02-22T08:00:00.000Z')).recorded).toHaveLength(1);
    expect(await repo.listAlerts()).toHaveLength(3);
  });

  it('claims due rows under a lease, retries later, fails for good, and requeues', async () => {
    await repo.withTransaction((tx) =>
      tx.recordAlerts(candidates('obs_1', '2019-02-22T00:00:00.000Z'), NOW),
    );
    const lease = '2026-01-01T00:05:00.000Z';
    const claimed = await repo.claimDue(NOW, lease, 10);
    expect(claimed.map((c) => c.channel.kind)).toEqual(['webhook', 'email']);
    expect(await repo.claimDue(NOW, lease, 10)).toEqual([]);
    // A crashed deliverer's lease expires and the rows come back.
    expect(await repo.claimDue(lease, '2026-01-01T00:10:00.000Z', 10)).toHaveLength(2);
    const [hook, mail] = claimed;
    if (hook === undefined || mail === undefined) throw new Error('expected two rows');
    await repo.markDelivered(hook.outboxId, NOW);
    await repo.markAttemptFailed(mail.outboxId, 'refused', '2026-01-01T01:00:00.000Z');
    expect(await repo.claimDue('2026-01-01T00:59:59.000Z', '2026-01-01T02:00:00.000Z', 10)).toEqual(
      [],
    );
    const again = await repo.claimDue('2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z', 10);
    expect(again.map((c) => [c.channel.kind, c.attempts])).toEqual([['email', 1]]);
    await repo.markAttemptFailed(mail.outboxId, 'refused again', null);
    const alertId = hook.alert.id;
    expect((await repo.getAlert(alertId))?.deliveries.map((d) => d.state)).toEqual([
      'delivered',
      'failed',
    ]);
    expect(await repo.requeue(alertId, NOW)).toBe(2);
    expect((await repo.getAlert(alertId))?.deliveries.map((d) => d.state)).toEqual([
      'pending',
      'pending',
    ]);
    expect(await repo.requeue('alt_missing', NOW)).toBe(0);
  });
});
