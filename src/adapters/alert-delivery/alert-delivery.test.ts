import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverDueAlerts, replayAlert } from '../../app/alerts/deliver-alerts.ts';
import { decideAlerts } from '../../app/alerts/decide-alerts.ts';
import { AlertDeliveryError, type Alert } from '../../core/alerts/alert.ts';
import { parseAlertRule, type AlertRule } from '../../core/alerts/alert-rule.ts';
import { openSqliteDatabase, type SqliteDatabase } from '../sqlite/sqlite-database.ts';
import { SqliteAlertRepository } from '../sqlite/sqlite-alert-repository.ts';
import { writeAtomFeedFile } from './atom-feed-file.ts';
import { ChannelAlertSender } from './channel-sender.ts';
import { SmtpSender } from './smtp-sender.ts';
import { signWebhookBody, verifyWebhookSignature, WebhookSender } from './webhook-sender.ts';
import { startWebhookReceiver, type WebhookReceiver } from './testdata/webhook-receiver.ts';

const SECRET = 'test-secret-0123456789';
const env = (name: string) => (name === 'HOOK_SECRET' ? SECRET : undefined);

function webhookRule(url: string): AlertRule {
  return parseAlertRule(
    {
      id: 'vehicles',
      severity: 'warning',
      condition: { kind: 'anomaly', metric: 'vehicles', minScore: 2 },
      channels: [{ kind: 'webhook', url, secretEnv: 'HOOK_SECRET', timeoutMs: 2000 }],
    },
    'test',
  );
}

const sampleAlert: Alert = {
  id: 'alt_0123456789abcdef',
  ruleId: 'vehicles',
  severity: 'warning',
  dedupKey: 'vehicles|anomaly|obs_1',
  cooldownKey: 'vehicles|series|sanumdong/parking:vehicles',
  cooldownMinutes: 60,
  factAt: '2019-02-22T00:00:00.000Z',
  decidedAt: '2019-02-22T00:01:00.000Z',
  title: 'Vehicles at Sanumdong',
  summary: 'sanumdong/parking:vehicles anomaly score 3.10 >= 2',
  subject: {
    kind: 'anomaly',
    series: 'sanumdong/parking:vehicles',
    observationId: 'obs_1',
    anomalyScore: 3.1,
  },
};

describe('webhook signature helpers', () => {
  it('verifies the exact body under the exact secret only', () => {
    const body = '{"a":1}';
    const header = signWebhookBody(SECRET, body);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, body, header)).toBe(true);
    expect(verifyWebhookSignature(SECRET, '{"a":2}', header)).toBe(false);
    expect(verifyWebhookSignature('other', body, header)).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, 'sha256=zz')).toBe(false);
  });
});

describe('WebhookSender against a real HTTP server', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver(SECRET);
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('POSTs signed JSON with the idempotency key', async () => {
    const sender = new WebhookSender({ env });
    await sender.send(sampleAlert, webhookRule(receiver.url).channels[0] as never);
    const [request] = receiver.requests;
    expect(request?.signatureValid).toBe(true);
    expect(request?.headers['idempotency-key']).toBe(sampleAlert.id);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(receiver.accepted.get(sampleAlert.id)).toMatchObject({
      id: sampleAlert.id,
      severity: 'warning',
      subject: { observationId: 'obs_1' },
    });
  });

  it('retries 500s with exponential backoff and the same key, then gives up', async () => {
    const waits: number[] = [];
    const sender = new WebhookSender({
      env,
      attempts: 4,
      retryBaseMs: 500,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    const channel = webhookRule(receiver.url).channels[0] as never;
    receiver.script.push(500, 503, 500);
    await sender.send(sampleAlert, channel);
    expect(waits).toEqual([500, 1000, 2000]);
    expect(new Set(receiver.requests.map((r) => r.headers['idempotency-key']))).toEqual(
      new Set([sampleAlert.id]),
    );
    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    expect(receiver.accepted.size).toBe(1);

    receiver.script.push(500, 500, 500, 500);
    await expect(sender.send(sampleAlert, channel)).rejects.toMatchObject({
      retryable: true,
      message: expect.stringContaining('HTTP 500') as unknown,
    });
  });

  it('gives up on a receiver slower than the timeout, as a retryable failure', async () => {
    let release = (): void => undefined;
    receiver.onRequest = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    const channel = parseAlertRule(
      {
        id: 'slow',
        severity: 'info',
        condition: { kind: 'anomaly', minScore: 1 },
        channels: [
          { kind: 'webhook', url: receiver.url, secretEnv: 'HOOK_SECRET', timeoutMs: 200 },
        ],
      },
      'test',
    ).channels[0] as never;
    const error = await new WebhookSender({ env, attempts: 1 })
      .send(sampleAlert, channel)
      .catch((e: unknown) => e);
    release();
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/timeout|abort/i);
  });

  it('does not retry a 4xx and reports a missing secret', async () => {
    const waits: number[] = [];
    const sender = new WebhookSender({
      env,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    receiver.script.push(400);
    const error = await sender
      .send(sampleAlert, webhookRule(receiver.url).channels[0] as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).retryable).toBe(false);
    expect(waits).toEqual([]);
    await expect(
      new WebhookSender({ env: () => undefined }).send(
        sampleAlert,
        webhookRule(receiver.url).channels[0] as never,
      ),
    ).rejects.toThrow('HOOK_SECRET');
  });
});

describe('outbox delivery with SQLite, a clock and a real receiver', () => {
  let receiver: WebhookReceiver;
  let db: SqliteDatabase;
  let nowMs: number;
  const clock = { nowIso: () => new Date(nowMs).toISOString() };
  beforeEach(async () => {
    receiver = await startWebhookReceiver(SECRET);
    db = openSqliteDatabase(':memory:');
    nowMs = Date.parse('2026-01-01T00:00:00.000Z');
  });
  afterEach(async () => {
    db.close();
    await receiver.close();
  });

  it('backs off between passes, delivers once, and replays with the same key', async () => {
    const alerts = new SqliteAlertRepository(db, { nowIso: clock.nowIso });
    const rule = webhookRule(receiver.url);
    await alerts.putRules([rule]);
    const candidates = decideAlerts([rule], {
      anomalies: [
        {
          seriesKey: { siteId: 'sanumdong', zoneId: 'parking', metric: 'vehicles' },
          observationId: 'obs_1',
          at: '2019-02-22T00:00:00.000Z',
          anomalyScore: 3,
        },
      ],
    });
    const { recorded } = await alerts.withTransaction((tx) =>
      tx.recordAlerts(candidates, clock.nowIso()),
    );
    const alertId = recorded[0]?.id ?? '';
    const deps = {
      alerts,
      sender: new ChannelAlertSender(
        new WebhookSender({ env, attempts: 1 }),
        new SmtpSender({ env }),
      ),
      clock,
      backoff: { baseMs: 60_000, maxMs: 600_000, maxAttempts: 5 },
    };
    receiver.script.push(500, 500);
    expect(await deliverDueAlerts(deps)).toMatchObject({ delivered: 0, retrying: 1 });
    expect((await deliverDueAlerts(deps)).delivered + receiver.requests.length).toBe(1);
    nowMs += 60_000;
    expect(await deliverDueAlerts(deps)).toMatchObject({ retrying: 1 });
    const [delivery] = (await alerts.getAlert(alertId))?.deliveries ?? [];
    expect(delivery?.nextAttemptAt).toBe(new Date(nowMs + 120_000).toISOString());
    nowMs += 119_000;
    expect(await deliverDueAlerts(deps)).toMatchObject({ delivered: 0, retrying: 0 });
    nowMs += 1_000;
    expect(await deliverDueAlerts(deps)).toMatchObject({ delivered: 1 });
    expect(await deliverDueAlerts(deps)).toMatchObject({ delivered: 0 });
    expect(receiver.accepted.size).toBe(1);

    expect(await replayAlert(deps, alertId)).toMatchObject({ delivered: 1 });
    const keys = receiver.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([alertId, alertId, alertId, alertId]);
    expect(receiver.accepted.size).toBe(1);
    await expect(replayAlert(deps, 'alt_missing')).rejects.toThrow('alt_missing');
  });
});

describe('SmtpSender against a real smtp-server', () => {
  const messages: { from: string; to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('nobody@')) {
        callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
        return;
      }
      callback();
    },
  });
  let port = 0;
  const ready = new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      port = (server.server.address() as AddressInfo).port;
      resolve();
    });
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );

  const channel = (to: string) =>
    parseAlertRule(
      {
        id: 'mail',
        severity: 'critical',
        condition: { kind: 'probability-crosses', threshold: 0.5 },
        channels: [
          {
            kind: 'email',
            to: [to],
            from: 'sitewatch@example.org',
            smtp: { host: '127.0.0.1', port },
          },
        ],
      },
      'test',
    ).channels[0] as never;

  it('delivers the alert with its id as Message-ID', async () => {
    await ready;
    await new SmtpSender({ env, timeoutMs: 5000 }).send(
      sampleAlert,
      channel('analyst@example.org'),
    );
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.from).toBe('sitewatch@example.org');
    expect(message?.to).toEqual(['analyst@example.org']);
    expect(message?.raw).toContain(`Message-ID: <${sampleAlert.id}@sitewatch.alerts>`);
    expect(message?.raw).toContain('Subject: [sitewatch warning] Vehicles at Sanumdong');
    expect(message?.raw).toContain('anomaly score 3.10');
  });

  it('marks a refused recipient as not retryable', async () => {
    await ready;
    const error = await new SmtpSender({ env, timeoutMs: 5000 })
      .send(sampleAlert, channel('nobody@example.org'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).retryable).toBe(false);
  });

  it('retries when the server cannot be reached', async () => {
    const error = await new SmtpSender({ env, timeoutMs: 2000 })
      .send(
        sampleAlert,
        parseAlertRule(
          {
            id: 'x',
            severity: 'info',
            condition: { kind: 'anomaly', minScore: 1 },
            channels: [
              {
                kind: 'email',
                to: ['a@example.org'],
                from: 'b@example.org',
                smtp: { host: '127.0.0.1', port: 1 },
              },
            ],
          },
          't',
        ).channels[0] as never,
      )
      .catch((e: unknown) => e);
    expect((error as AlertDeliveryError).retryable).toBe(true);
  });
});

describe('Atom feed file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-feed-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a well-formed feed with one entry per alert', () => {
    const path = join(dir, 'feed', 'alerts.xml');
    const second = { ...sampleAlert, id: 'alt_fedcba9876543210', title: 'Crane & <pad>' };
    writeAtomFeedFile(path, [sampleAlert, second], {
      feedId: 'urn:sitewatch:alerts:test',
      title: 'sitewatch alerts',
      emptyUpdated: '2026-01-01T00:00:00.000Z',
    });
    const xml = readFileSync(path, 'utf8');
    expect(checkWellFormed(xml)).toEqual([]);
    expect(xml.match(/<entry>/g)).toHaveLength(2);
    expect(xml).toContain('<id>urn:sitewatch:alert:alt_fedcba9876543210</id>');
    expect(xml).toContain('Crane &amp; &lt;pad&gt;');
  });
});

/**
 * A small XML well-formedness check: balanced, properly nested tags, a single root, only the
 * five predefined entities or numeric references, quoted attributes. Returns the problems.
 */
function checkWellFormed(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const token = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of body.matchAll(token)) {
    const [, close, name, , selfClose, text, stray] = m;
    if (stray !== undefined) problems.push(`stray < at ${m.index}`);
    else if (text !== undefined) {
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) {
        problems.push(`bad entity near ${m.index}`);
      }
    } else if (close === '/') {
      if (stack.pop() !== name) problems.push(`mismatched </${String(name)}>`);
    } else {
      if (stack.length === 0) roots += 1;
      if (selfClose !== '/') stack.push(String(name));
    }
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
