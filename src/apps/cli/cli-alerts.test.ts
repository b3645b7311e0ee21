/**
 * `sitewatch alerts …` end to end on a temporary home: rules from a YAML file (and clear
 * errors for a bad one), an alert decided in a transaction, delivered through the outbox to
 * a real local webhook receiver, replayed with the same idempotency key, tested, and written
 * to an Atom feed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAlerts } from '../../app/alerts/decide-alerts.ts';
import type { AlertWithDeliveries } from '../../app/ports.ts';
import { openSqliteDatabase } from '../../adapters/sqlite/sqlite-database.ts';
import { SqliteAlertRepository } from '../../adapters/sqlite/sqlite-alert-repository.ts';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../adapters/alert-delivery/testdata/webhook-receiver.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const SECRET_ENV = 'SITEWATCH_TEST_ALERT_HOOK_SECRET';
const SECRET = 'cli-alert-secret';

describe('sitewatch alerts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-cli-alerts-'));
  const home = join(dir, 'home');
  const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
    process.env[SECRET_ENV] = SECRET;
  });
  afterAll(async () => {
    Reflect.deleteProperty(process.env, SECRET_ENV);
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad rule file naming the problems', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'id: launch\nseverity: urgent\ncondition:\n  kind: probability-crosses\n  threshold: 0\n',
    );
    const result = await sw('alerts', 'rules', 'add', bad);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('severity: expected one of info, warning, critical');
    expect(result.stderr).toContain('condition.threshold');
  });

  it('adds rules, decides, delivers, replays, tests and writes the feed', async () => {
    const rules = join(dir, 'rules.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        '  - id: vehicles-sanumdong',
        '    severity: warning',
        '    condition: { kind: anomaly, site: sanumdong, metric: vehicles, minScore: 2 }',
        '    channels:',
        `      - { kind: webhook, url: "${receiver.url}", secretEnv: ${SECRET_ENV} }`,
        '',
      ].join('\n'),
    );
    const added = await sw('alerts', 'rules', 'add', rules);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('vehicles-sanumdong');
    expect((await sw('alerts', 'rules', 'list')).stdout).toContain(
      'anomaly >= 2 on sanumdong/*/vehicles',
    );

    // What the observation use case does after storing an anomaly score.
    const db = openSqliteDatabase(join(home, 'sitewatch.db'));
    try {
      const repo = new SqliteAlertRepository(db);
      const candidates = decideAlerts(await repo.listRules(), {
        anomalies: [
          {
            seriesKey: { siteId: 'sanumdong', zoneId: 'parking', metric: 'vehicles' },
            observationId: 'obs_cli',
            at: '2019-02-22T00:00:00.000Z',
            anomalyScore: 3.5,
          },
        ],
      });
      await repo.withTransaction((tx) => tx.recordAlerts(candidates, new Date().toISOString()));
    } finally {
      db.close();
    }

    const listed = (await sw('alerts', 'list', '--json')).json<AlertWithDeliveries[]>();
    expect(listed).toHaveLength(1);
    const alertId = listed[0]?.alert.id ?? '';
    expect(listed[0]?.deliveries.map((d) => d.state)).toEqual(['pending']);

    const delivered = await sw('alerts', 'deliver', '--json');
    expect(delivered.json()).toMatchObject({ delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.requests.at(-1)?.signatureValid).toBe(true);
    expect((await sw('alerts', 'list')).stdout).toContain('webhook:delivered');

    expect((await sw('alerts', 'replay', alertId)).stdout).toContain('delivered 1');
    expect(receiver.requests.map((r) => r.headers['idempotency-key'])).toEqual([alertId, alertId]);
    expect(receiver.accepted.size).toBe(1);
    expect((await sw('alerts', 'replay', 'alt_nope')).code).toBe(4);

    const tested = await sw('alerts', 'test', 'vehicles-sanumdong');
    expect(tested.stdout).toContain('webhook: sent');
    expect(receiver.accepted.size).toBe(2);
    expect((await sw('alerts', 'test', 'missing')).code).toBe(4);

    const feed = join(dir, 'out', 'alerts.xml');
    expect((await sw('alerts', 'feed', '--out', feed)).code).toBe(0);
    const xml = readFileSync(feed, 'utf8');
    expect(xml).toContain(`<id>urn:sitewatch:alert:${alertId}</id>`);
    expect(xml.match(/<entry>/g)).toHaveLength(1);
  });
});
