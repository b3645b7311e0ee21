/**
 * Child process for the alert crash test. Modes:
 * - `decide DB URL`: stores one fact and decides its alert in one transaction, prints
 *   `decided <alertId>`, then hangs until killed (before any delivery).
 * - `decide-loop DB URL`: stores facts 0, 1, 2, … each with its alert, printing each index
 *   after its commit, until killed.
 * - `observe DB URL`: stores six observations of one series through the production path
 *   (`storeObservations`: anomaly score, rules, one transaction), the last a surge, prints
 *   `decided <alertId>`, then hangs until killed (before any delivery).
 * - `deliver DB`: runs one outbox pass (the parent kills it while the receiver holds the
 *   answer, i.e. after sending and before marking delivered).
 */
import { decideAlerts } from '../../../app/alerts/decide-alerts.ts';
import { storeObservations } from '../../../app/activity/observe.ts';
import { makeObservation } from '../../../app/contracts/observation-repository.contract.ts';
import { MetricRegistry } from '../../../core/activity/metrics.ts';
import { SqliteObservationRepository } from '../../sqlite/sqlite-observation-repository.ts';
import { SqliteSiteRepository } from '../../sqlite/sqlite-site-repository.ts';
import { sha256Hex } from '../../system/node-sha256.ts';
import { deliverDueAlerts } from '../../../app/alerts/deliver-alerts.ts';
import { parseAlertRule } from '../../../core/alerts/alert-rule.ts';
import { openSqliteDatabase } from '../../sqlite/sqlite-database.ts';
import { SqliteAlertRepository } from '../../sqlite/sqlite-alert-repository.ts';
import { ChannelAlertSender } from '../channel-sender.ts';
import { SmtpSender } from '../smtp-sender.ts';
import { WebhookSender } from '../webhook-sender.ts';

const [mode, dbPath, url] = process.argv.slice(2);
if (mode === undefined || dbPath === undefined) throw new Error('usage: MODE DB [URL]');
const db = openSqliteDatabase(dbPath);
db.handle.exec('CREATE TABLE IF NOT EXISTS crash_facts (id TEXT PRIMARY KEY, at TEXT NOT NULL)');
const alerts = new SqliteAlertRepository(db);
const env = (name: string): string | undefined => process.env[name];

function factAt(index: number): string {
  return new Date(Date.UTC(2019, 0, 1) + index * 86_400_000).toISOString();
}

async function decide(index: number): Promise<string> {
  const rules = await alerts.listRules();
  const id = `obs_${index}`;
  const candidates = decideAlerts(rules, {
    anomalies: [
      {
        seriesKey: { siteId: 'sanumdong', zoneId: 'parking', metric: 'vehicles' },
        observationId: id,
        at: factAt(index),
        anomalyScore: 3,
      },
    ],
  });
  const { recorded } = await alerts.withTransaction((tx) => {
    tx.db.prepare('INSERT INTO crash_facts (id, at) VALUES (?, ?)').run(id, factAt(index));
    return tx.recordAlerts(candidates, new Date().toISOString());
  });
  return recorded[0]?.id ?? '';
}

if (mode === 'observe') {
  if (url === undefined) throw new Error('URL missing');
  await alerts.putRules([
    parseAlertRule(
      {
        id: 'surge',
        severity: 'warning',
        condition: { kind: 'anomaly', site: 'site-1', metric: 'vehicles', minScore: 3 },
        channels: [{ kind: 'webhook', url, secretEnv: 'HOOK_SECRET', timeoutMs: 30_000 }],
      },
      'crash-test',
    ),
  ]);
  const observations = new SqliteObservationRepository(db);
  const clock = { nowIso: () => new Date().toISOString() };
  const result = await storeObservations(
    {
      observations,
      sites: new SqliteSiteRepository(db),
      clock,
      metrics: new MetricRegistry(),
      sha256Hex,
      alerting: { rules: alerts, store: observations },
    },
    [10, 11, 10, 9, 10, 40].map((value, seed) => makeObservation(seed, { value })),
  );
  process.stdout.write(`decided ${result.alerts.map((a) => a.id).join(',')}\n`);
  setInterval(() => undefined, 1000);
} else if (mode === 'decide' || mode === 'decide-loop') {
  if (url === undefined) throw new Error('URL missing');
  await alerts.putRules([
    parseAlertRule(
      {
        id: 'vehicles',
        severity: 'warning',
        condition: { kind: 'anomaly', metric: 'vehicles', minScore: 2 },
        cooldownMinutes: 0,
        channels: [{ kind: 'webhook', url, secretEnv: 'HOOK_SECRET', timeoutMs: 30_000 }],
      },
      'crash-test',
    ),
  ]);
  if (mode === 'decide') {
    process.stdout.write(`decided ${await decide(0)}\n`);
    setInterval(() => undefined, 1000);
  } else {
    for (let index = 0; ; index += 1) {
      await decide(index);
      process.stdout.write(`${index}\n`);
    }
  }
} else if (mode === 'deliver') {
  const sender = new ChannelAlertSender(
    new WebhookSender({ env, attempts: 1 }),
    new SmtpSender({ env }),
  );
  const report = await deliverDueAlerts({
    alerts,
    sender,
    clock: { nowIso: () => new Date().toISOString() },
  });
  process.stdout.write(`delivered ${report.delivered}\n`);
  setInterval(() => undefined, 1000);
} else {
  throw new Error(`unknown mode ${mode}`);
}
