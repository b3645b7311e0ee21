/**
 * The background deliverer (`runDeliverer`) over a real SQLite outbox and a real webhook
 * receiver: stopping it mid-pass finishes the delivery in flight and releases the claims on
 * the rows it had not attempted, so that the next deliverer sends them at once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideAlerts } from '../../app/alerts/decide-alerts.ts';
import { runDeliverer, type DeliverAlertsDeps } from '../../app/alerts/deliver-alerts.ts';
import { parseAlertRule } from '../../core/alerts/alert-rule.ts';
import { openSqliteDatabase, type SqliteDatabase } from '../sqlite/sqlite-database.ts';
import { SqliteAlertRepository } from '../sqlite/sqlite-alert-repository.ts';
import { ChannelAlertSender } from './channel-sender.ts';
import { SmtpSender } from './smtp-sender.ts';
import { WebhookSender } from './webhook-sender.ts';
import { startWebhookReceiver, type WebhookReceiver } from './testdata/webhook-receiver.ts';

const SECRET = 'loop-secret';

describe('runDeliverer', () => {
  let db: SqliteDatabase;
  let receiver: WebhookReceiver;
  let deps: DeliverAlertsDeps;
  let alerts: SqliteAlertRepository;
  beforeEach(async () => {
    receiver = await startWebhookReceiver(SECRET);
    db = openSqliteDatabase(':memory:');
    alerts = new SqliteAlertRepository(db);
    const rule = parseAlertRule(
      {
        id: 'vehicles',
        severity: 'warning',
        condition: { kind: 'anomaly', metric: 'vehicles', minScore: 2 },
        cooldownMinutes: 0,
        channels: [{ kind: 'webhook', url: receiver.url, secretEnv: 'HOOK' }],
      },
      'test',
    );
    await alerts.putRules([rule]);
    const candidates = decideAlerts([rule], {
      anomalies: ['obs_a', 'obs_b', 'obs_c'].map((observationId, day) => ({
        seriesKey: { siteId: 'sanumdong', zoneId: 'parking', metric: 'vehicles' },
        observationId,
        at: `2019-02-2${day}T00:00:00.000Z`,
        anomalyScore: 3,
      })),
    });
    await alerts.withTransaction((tx) => tx.recordAlerts(candidates, '2026-01-01T00:00:00.000Z'));
    deps = {
      alerts,
      sender: new ChannelAlertSender(
        new WebhookSender({ env: () => SECRET, attempts: 1 }),
        new SmtpSender({ env: () => undefined }),
      ),
      clock: { nowIso: () => new Date().toISOString() },
    };
  });
  afterEach(async () => {
    db.close();
    await receiver.close();
  });

  const states = async () =>
    (await alerts.listAlerts()).flatMap((a) => a.deliveries.map((d) => [d.state, d.attempts]));

  it('finishes the delivery in flight and releases the other claims when stopped', async () => {
    const stop = new AbortController();
    receiver.onRequest = () => {
      stop.abort();
    };
    const total = await runDeliverer(deps, { signal: stop.signal, intervalMs: 10 });
    expect(total).toMatchObject({ delivered: 1, retrying: 0, failed: 0 });
    expect((await states()).sort()).toEqual([
      ['delivered', 1],
      ['pending', 0],
      ['pending', 0],
    ]);
    // Released, not leased: due again now.
    const now = new Date().toISOString();
    expect(await alerts.claimDue(now, now, 10)).toHaveLength(2);
  });

  it('delivers everything due across passes until stopped', async () => {
    const stop = new AbortController();
    const reports: number[] = [];
    const total = await runDeliverer(deps, {
      signal: stop.signal,
      intervalMs: 10,
      limit: 2,
      onReport: (r) => {
        reports.push(r.delivered);
        if (reports.length === 2) stop.abort();
      },
    });
    expect(reports).toEqual([2, 1]);
    expect(total.delivered).toBe(3);
    expect(receiver.accepted.size).toBe(3);
  });
});
