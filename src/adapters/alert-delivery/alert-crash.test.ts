/**
 * Kills (SIGKILL) a process between an alert's decision and its delivery, and during its
 * delivery (after the receiver got it, before it was marked delivered), then restarts
 * delivery: the receiver, which drops duplicate idempotency keys, holds the alert exactly
 * once. A third child decides alerts in a loop and is killed at a seeded random moment:
 * every stored fact has its alert and outbox row, and no alert lacks its fact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { deliverDueAlerts } from '../../app/alerts/deliver-alerts.ts';
import { openSqliteDatabase } from '../sqlite/sqlite-database.ts';
import { SqliteAlertRepository } from '../sqlite/sqlite-alert-repository.ts';
import { ChannelAlertSender } from './channel-sender.ts';
import { SmtpSender } from './smtp-sender.ts';
import { WebhookSender } from './webhook-sender.ts';
import { startWebhookReceiver, type WebhookReceiver } from './testdata/webhook-receiver.ts';
import { seededRandom } from '../../core/random.ts';

const SECRET = 'crash-secret-42';
const SEED = 0x5eed_a1e7;
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const childScript = join(here, 'testdata', 'alert-crash-child.ts');

function startChild(args: string[]): {
  child: ChildProcess;
  lines: string[];
  exited: Promise<NodeJS.Signals | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOOK_SECRET: SECRET },
  });
  const lines: string[] = [];
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    lines.push(...text.split('\n').filter((l) => l !== ''));
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${String(code)}: ${stderr}`));
      else resolvePromise(signal);
    });
  });
  return { child, lines, exited };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe(`alert outbox crash safety (seed 0x${SEED.toString(16)})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-alert-crash-'));
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await startWebhookReceiver(SECRET);
  });
  afterEach(async () => {
    await receiver.close();
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function restartAndDeliver(dbPath: string, afterMs: number) {
    const db = openSqliteDatabase(dbPath);
    try {
      const alerts = new SqliteAlertRepository(db);
      const report = await deliverDueAlerts({
        alerts,
        sender: new ChannelAlertSender(
          new WebhookSender({ env: () => SECRET, attempts: 1 }),
          new SmtpSender({ env: () => undefined }),
        ),
        clock: { nowIso: () => new Date(Date.now() + afterMs).toISOString() },
      });
      return { report, listed: await alerts.listAlerts() };
    } finally {
      db.close();
    }
  }

  /** Runs the child in `mode`, kills it once it has decided an alert; nothing was sent yet. */
  async function killAfterDecision(
    mode: 'decide' | 'observe',
    what: string,
  ): Promise<{ dbPath: string; alertId: string }> {
    const dbPath = join(dir, `${mode}.db`);
    const run = startChild([mode, dbPath, receiver.url]);
    await until(() => run.lines.some((l) => l.startsWith('decided ')), what);
    run.child.kill('SIGKILL');
    await run.exited;
    const alertId = run.lines.find((l) => l.startsWith('decided '))?.slice(8) ?? '';
    expect(alertId).toMatch(/^alt_[0-9a-f]{16}$/);
    expect(receiver.requests).toHaveLength(0);
    return { dbPath, alertId };
  }

  it('delivers exactly once after a kill between decision and delivery', async () => {
    const { dbPath, alertId } = await killAfterDecision('decide', 'the decision');

    const { report, listed } = await restartAndDeliver(dbPath, 0);
    expect(report.delivered).toBe(1);
    expect(listed.map((a) => [a.alert.id, a.deliveries.map((d) => d.state)])).toEqual([
      [alertId, ['delivered']],
    ]);
    expect([...receiver.accepted.keys()]).toEqual([alertId]);
    expect((await restartAndDeliver(dbPath, 0)).report.delivered).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });

  it('delivers the alert of an observation exactly once after a kill right after its commit', async () => {
    const { dbPath, alertId } = await killAfterDecision('observe', 'the commit');

    const { report, listed } = await restartAndDeliver(dbPath, 0);
    expect(report.delivered).toBe(1);
    expect(listed.map((a) => [a.alert.id, a.alert.subject.kind])).toEqual([[alertId, 'anomaly']]);
    expect((await restartAndDeliver(dbPath, 0)).report.delivered).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect([...receiver.accepted.keys()]).toEqual([alertId]);
  });

  it('delivers exactly once to the receiver after a kill in the middle of delivery', async () => {
    const dbPath = join(dir, 'deliver.db');
    const decided = startChild(['decide', dbPath, receiver.url]);
    await until(() => decided.lines.some((l) => l.startsWith('decided ')), 'the decision');
    decided.child.kill('SIGKILL');
    await decided.exited;

    const deliverer = startChild(['deliver', dbPath]);
    let held = true;
    receiver.onRequest = async () => {
      if (!held) return;
      // The receiver has the alert and commits it; the sender dies before it hears back.
      deliverer.child.kill('SIGKILL');
      await deliverer.exited;
      held = false;
    };
    await deliverer.exited;
    await until(() => !held, 'the held request');
    expect(receiver.requests).toHaveLength(1);

    // Within the lease the claim still holds; after it the row comes back and is resent.
    expect((await restartAndDeliver(dbPath, 0)).report.delivered).toBe(0);
    const { report, listed } = await restartAndDeliver(dbPath, 301_000);
    expect(report.delivered).toBe(1);
    expect(listed[0]?.deliveries.map((d) => d.state)).toEqual(['delivered']);
    expect(receiver.requests).toHaveLength(2);
    expect(new Set(receiver.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(receiver.accepted.size).toBe(1);
  });

  it('keeps each fact and its alert together across a kill at a random moment', async () => {
    const dbPath = join(dir, 'loop.db');
    const delayMs = Math.floor(seededRandom(SEED)() * 200);
    const run = startChild(['decide-loop', dbPath, receiver.url]);
    await until(() => run.lines.length > 0, 'the first commit');
    await new Promise((r) => setTimeout(r, delayMs));
    run.child.kill('SIGKILL');
    await run.exited;
    const lastCommitted = Number(run.lines.filter((l) => /^\d+$/.test(l)).at(-1) ?? -1);

    const db = openSqliteDatabase(dbPath);
    try {
      expect(db.handle.pragma('integrity_check', { simple: true })).toBe('ok');
      const count = (sql: string) => (db.handle.prepare(sql).get() as { n: number }).n;
      const facts = count('SELECT count(*) AS n FROM crash_facts');
      expect(facts, `kill after ${delayMs} ms`).toBeGreaterThan(lastCommitted);
      expect(count('SELECT count(*) AS n FROM alerts')).toBe(facts);
      expect(count('SELECT count(*) AS n FROM alert_outbox')).toBe(facts);
      expect(
        count(
          `SELECT count(*) AS n FROM alerts a JOIN crash_facts f
           ON a.dedup_key = 'vehicles|anomaly|' || f.id`,
        ),
      ).toBe(facts);
    } finally {
      db.close();
    }
  });
});
