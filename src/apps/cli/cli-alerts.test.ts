/**
 * `sitewatch alerts …` end to end on a temporary home: rules from a YAML file (and clear
 * errors for a bad one), an alert decided in a transaction, delivered through the outbox to
 * a real local webhook receiver, replayed with the same idempotency key, tested, and written
 * to an Atom feed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAlerts } from '../../app/alerts/decide-alerts.ts';
import type { AssessmentSnapshot } from '../../app/alerts/fact-stores.ts';
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

  describe('alerts decided where facts are stored', () => {
    const home2 = join(dir, 'home-facts');
    const sw2 = (...args: string[]) => runCliCaptured(['--home', home2, ...args]);
    const repoRoot = resolve(import.meta.dirname, '../../..');
    const playbook = join(repoRoot, 'examples/playbooks/space-launch-preparation.yaml');

    it('records the alerts of an observe import and of the re-assessment it triggers', async () => {
      expect((await sw2('sites', 'import', join(repoRoot, 'examples/catalog.geojson'))).code).toBe(
        0,
      );
      const rules = join(dir, 'fact-rules.yaml');
      writeFileSync(
        rules,
        [
          'rules:',
          '  - id: surge',
          '    severity: warning',
          '    condition: { kind: anomaly, site: sanumdong, metric: vehicles, minScore: 2 }',
          '    cooldownMinutes: 0',
          '    channels:',
          `      - { kind: webhook, url: "${receiver.url}", secretEnv: ${SECRET_ENV} }`,
          '  - id: launch-likely',
          '    severity: critical',
          '    condition: { kind: probability-crosses, playbook: space-launch-preparation, threshold: 0.5 }',
          '',
        ].join('\n'),
      );
      expect((await sw2('alerts', 'rules', 'add', rules)).code).toBe(0);
      const watched = await sw2('assessments', 'watch', playbook);
      expect(watched.stdout).toContain('watching space-launch-preparation');

      const imported = await sw2(
        'observe',
        'import',
        join(repoRoot, 'examples/observations/2019-sanumdong-sohae.json'),
        '--json',
      );
      expect(imported.stderr).toBe('');
      const result = imported.json<{
        inserted: string[];
        alerts: { ruleId: string; factAt: string }[];
        reassessed: { playbookId: string; snapshot: AssessmentSnapshot }[];
      }>();
      expect(result.inserted).toHaveLength(31);
      expect(result.alerts.map((a) => [a.ruleId, a.factAt])).toEqual([
        ['surge', '2019-02-22T00:00:00.000Z'],
      ]);
      expect(result.reassessed.map((r) => [r.playbookId, r.snapshot.asOf])).toEqual([
        ['space-launch-preparation', '2019-03-08T00:00:00.000Z'],
      ]);

      // Stored by the same call, with the outbox row waiting for the deliverer.
      const listed = (await sw2('alerts', 'list', '--json')).json<AlertWithDeliveries[]>();
      expect(
        listed.map((a) => [a.alert.ruleId, a.deliveries.map((d) => d.state).join()]).sort(),
      ).toEqual([
        ['launch-likely', ''],
        ['surge', 'pending'],
      ]);
      const snapshots = (await sw2('assessments', 'list', '--json')).json<AssessmentSnapshot[]>();
      expect(snapshots.map((s) => s.probability)).toEqual([expect.closeTo(0.876, 3)]);

      // Importing again stores nothing and alerts nothing.
      const again = await sw2(
        'observe',
        'import',
        join(repoRoot, 'examples/observations/2019-sanumdong-sohae.json'),
      );
      expect(again.stdout).toContain('0 added, 31 already held, 0 alert(s)');

      // Recording by hand as of an earlier date, then the same date: no second crossing.
      const early = await sw2(
        'assessments',
        'record',
        '--playbook',
        playbook,
        '--at',
        '2019-01-15',
      );
      expect(early.stdout).toMatch(
        /recorded space-launch-preparation as of 2019-01-15T23:59:59.999Z: \d/,
      );
      const same = await sw2(
        'assessments',
        'record',
        '--playbook',
        playbook,
        '--at',
        '2019-03-08T00:00:00Z',
        '--json',
      );
      expect(
        same.json<{ alerts: { recorded: unknown[]; duplicates: string[] } }>().alerts,
      ).toMatchObject({
        recorded: [],
        duplicates: [expect.stringContaining('launch-likely|assessment|space-launch-preparation')],
      });
    });

    it('keeps delivering with --watch until SIGTERM, then exits cleanly', async () => {
      const before = receiver.accepted.size;
      const child = spawn(
        process.execPath,
        [
          join(repoRoot, 'bin/sitewatch.js'),
          '--home',
          home2,
          'alerts',
          'deliver',
          '--watch',
          '--interval-ms',
          '100',
        ],
        {
          cwd: repoRoot,
          env: { ...process.env, [SECRET_ENV]: SECRET },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stopping = false;
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        stdout += text;
        // Once: a second signal while stopping takes the default action (force quit).
        if (!stopping && text.includes('delivered 1')) {
          stopping = true;
          child.kill('SIGTERM');
        }
      });
      const code = await new Promise<number | null>((done) => child.on('exit', done));
      expect(code).toBe(0);
      expect(stdout).toMatch(/stopped: delivered 1, retrying 0, failed 0/);
      expect(receiver.accepted.size).toBe(before + 1);
      const listed = (await sw2('alerts', 'list', '--json')).json<AlertWithDeliveries[]>();
      expect(listed.find((a) => a.alert.ruleId === 'surge')?.deliveries[0]?.state).toBe(
        'delivered',
      );
    });
  });
});
