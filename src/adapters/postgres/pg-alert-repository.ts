/**
 * Alert rules, alerts and the delivery outbox in PostgreSQL (migration 102). The outbox rows
 * are written in the same transaction as the alert, and the writer of a fact puts the fact,
 * its alerts and their outbox rows in one transaction (`withTransaction`, or the fact stores
 * pg-alert-observation-store.ts and pg-assessment-history.ts). Deciding duplicates and
 * cooldowns reads earlier alerts, so every recording transaction first takes one
 * transaction-scoped advisory lock: recorders on any number of hosts take turns, as SQLite's
 * BEGIN IMMEDIATE makes them. Deliverers claim due outbox rows with FOR UPDATE SKIP LOCKED.
 */
import type { AlertCandidate } from '../../core/alerts/alert-decision.ts';
import { inCooldown } from '../../core/alerts/alert-decision.ts';
import type { Alert, OutboxItem, OutboxState } from '../../core/alerts/alert.ts';
import {
  alertChannelSchema,
  parseAlertRule,
  type AlertChannel,
  type AlertRule,
} from '../../core/alerts/alert-rule.ts';
import type {
  AlertDeliveryState,
  AlertFilter,
  AlertRepository,
  AlertTransaction,
  AlertWithDeliveries,
  RecordedAlerts,
} from '../../app/ports.ts';
import { alertIdFor } from '../sqlite/sqlite-alert-repository.ts';
import type { PgClient, PostgresDatabase } from './pg-database.ts';

/** Key of the advisory lock held by every transaction that records alerts ('alrt'). */
export const ALERT_LOCK_KEY = 0x616c7274;

interface OutboxRow {
  id: string;
  alert_id: string;
  channel: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: string;
  delivered_at: string | null;
  last_error: string | null;
}

function parseChannel(text: string): AlertChannel {
  return alertChannelSchema.parse(JSON.parse(text));
}

/**
 * Takes the alert-recording lock for the rest of `client`'s transaction; call it before
 * reading anything the decision depends on.
 */
export async function lockAlertRecording(client: PgClient): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [ALERT_LOCK_KEY]);
}

/**
 * Records candidates through an open transaction's client (after
 * {@link lockAlertRecording}): each one whose dedup key is new and that is outside its
 * cooldown, with one pending outbox row per channel of its rule.
 */
export async function recordPgAlertsInTransaction(
  client: PgClient,
  candidates: readonly AlertCandidate[],
  decidedAtIso: string,
): Promise<RecordedAlerts> {
  const recorded: Alert[] = [];
  const duplicates: string[] = [];
  const cooledDown: string[] = [];
  const rules = new Map<string, readonly AlertChannel[]>();
  for (const candidate of candidates) {
    const exists = await client.query('SELECT 1 FROM alerts WHERE dedup_key = $1', [
      candidate.dedupKey,
    ]);
    if (exists.rows.length > 0) {
      duplicates.push(candidate.dedupKey);
      continue;
    }
    // The nearest alert of the group in fact time, so replaying history out of order still
    // respects the cooldown; the latest is the fast path for the usual in-order case.
    const latest = await client.query<{ fact_at: string }>(
      'SELECT fact_at FROM alerts WHERE cooldown_key = $1 ORDER BY fact_at DESC LIMIT 1',
      [candidate.cooldownKey],
    );
    const last = latest.rows[0]?.fact_at ?? null;
    let near = last;
    if (last !== null && last > candidate.factAt) {
      const nearest = await client.query<{ fact_at: string }>(
        `SELECT fact_at FROM alerts WHERE cooldown_key = $1
         ORDER BY abs(extract(epoch FROM fact_at::timestamptz - $2::timestamptz)), fact_at
         LIMIT 1`,
        [candidate.cooldownKey, candidate.factAt],
      );
      near = nearest.rows[0]?.fact_at ?? null;
    }
    if (inCooldown(candidate, near)) {
      cooledDown.push(candidate.dedupKey);
      continue;
    }
    const alert: Alert = {
      ...candidate,
      id: alertIdFor(candidate.dedupKey),
      decidedAt: decidedAtIso,
    };
    await client.query(
      `INSERT INTO alerts (id, rule_id, dedup_key, cooldown_key, fact_at, decided_at, doc)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        alert.id,
        alert.ruleId,
        alert.dedupKey,
        alert.cooldownKey,
        alert.factAt,
        alert.decidedAt,
        JSON.stringify(alert),
      ],
    );
    let channels = rules.get(alert.ruleId);
    if (channels === undefined) {
      const rule = await client.query<{ doc: string }>(
        'SELECT doc FROM alert_rules WHERE id = $1',
        [alert.ruleId],
      );
      const doc = rule.rows[0]?.doc;
      channels = doc === undefined ? [] : parseAlertRule(JSON.parse(doc), alert.ruleId).channels;
      rules.set(alert.ruleId, channels);
    }
    for (const [index, channel] of channels.entries()) {
      await client.query(
        `INSERT INTO alert_outbox (alert_id, channel_index, channel, state, next_attempt_at)
         VALUES ($1, $2, $3, 'pending', $4)`,
        [alert.id, index, JSON.stringify(channel), decidedAtIso],
      );
    }
    recorded.push(alert);
  }
  return { recorded, duplicates, cooledDown };
}

/** The PostgreSQL alert transaction: its client, for the fact's own writes. */
export interface PgAlertTransaction extends AlertTransaction {
  readonly client: PgClient;
}

/** {@link AlertRepository} over a {@link PostgresDatabase}. */
export class PgAlertRepository implements AlertRepository<PgAlertTransaction> {
  readonly #db: PostgresDatabase;
  readonly #nowIso: () => string;

  constructor(db: PostgresDatabase, options: { nowIso?: () => string } = {}) {
    this.#db = db;
    this.#nowIso = options.nowIso ?? (() => new Date().toISOString());
  }

  async putRules(rules: readonly AlertRule[]): Promise<void> {
    const now = this.#nowIso();
    await this.#db.withTransaction(async (client) => {
      for (const r of rules) {
        await client.query(
          `INSERT INTO alert_rules (id, doc, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
          [r.id, JSON.stringify(r), now],
        );
      }
    });
  }

  async listRules(): Promise<AlertRule[]> {
    const { rows } = await this.#db.query<{ id: string; doc: string }>(
      'SELECT id, doc FROM alert_rules ORDER BY id',
    );
    return rows.map((row) => parseAlertRule(JSON.parse(row.doc), row.id));
  }

  async getRule(id: string): Promise<AlertRule | undefined> {
    const { rows } = await this.#db.query<{ doc: string }>(
      'SELECT doc FROM alert_rules WHERE id = $1',
      [id],
    );
    const doc = rows[0]?.doc;
    return doc === undefined ? undefined : parseAlertRule(JSON.parse(doc), id);
  }

  withTransaction<T>(work: (tx: PgAlertTransaction) => Promise<T>): Promise<T> {
    return this.#db.withTransaction(async (client) => {
      let open = true;
      let locked = false;
      const tx: PgAlertTransaction = {
        client,
        recordAlerts: async (candidates, decidedAtIso) => {
          if (!open) throw new Error('recordAlerts called after its transaction ended');
          if (!locked) {
            await lockAlertRecording(client);
            locked = true;
          }
          return recordPgAlertsInTransaction(client, candidates, decidedAtIso);
        },
      };
      try {
        return await work(tx);
      } finally {
        open = false;
      }
    });
  }

  async listAlerts(filter: AlertFilter = {}): Promise<AlertWithDeliveries[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.ruleId !== undefined) {
      params.push(filter.ruleId);
      where.push(`rule_id = $${params.length}`);
    }
    if (filter.since !== undefined) {
      params.push(filter.since);
      where.push(`decided_at >= $${params.length}`);
    }
    const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
    let limit = '';
    if (filter.limit !== undefined) {
      params.push(Math.max(0, Math.trunc(filter.limit)));
      limit = ` LIMIT $${params.length}`;
    }
    const { rows } = await this.#db.query<{ doc: string }>(
      `SELECT doc FROM alerts${clause} ORDER BY decided_at DESC, id DESC${limit}`,
      params,
    );
    return Promise.all(rows.map((row) => this.#withDeliveries(JSON.parse(row.doc) as Alert)));
  }

  async getAlert(id: string): Promise<AlertWithDeliveries | undefined> {
    const { rows } = await this.#db.query<{ doc: string }>('SELECT doc FROM alerts WHERE id = $1', [
      id,
    ]);
    const doc = rows[0]?.doc;
    return doc === undefined ? undefined : this.#withDeliveries(JSON.parse(doc) as Alert);
  }

  async #withDeliveries(alert: Alert): Promise<AlertWithDeliveries> {
    const { rows } = await this.#db.query<OutboxRow>(
      'SELECT * FROM alert_outbox WHERE alert_id = $1 ORDER BY channel_index',
      [alert.id],
    );
    const deliveries: AlertDeliveryState[] = rows.map((row) => ({
      outboxId: Number(row.id),
      channel: parseChannel(row.channel).kind,
      state: row.state,
      attempts: row.attempts,
      nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : null,
      deliveredAt: row.delivered_at,
      lastError: row.last_error,
    }));
    return { alert, deliveries };
  }

  async claimDue(nowIso: string, leaseUntilIso: string, limit: number): Promise<OutboxItem[]> {
    const { rows } = await this.#db.query<{
      id: string;
      channel: string;
      attempts: number;
      doc: string;
    }>(
      `WITH due AS (
         SELECT id FROM alert_outbox
         WHERE state = 'pending' AND next_attempt_at <= $1
           AND (claimed_until IS NULL OR claimed_until <= $1)
         ORDER BY next_attempt_at, id LIMIT $3
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE alert_outbox o SET claimed_until = $2 FROM due WHERE o.id = due.id
         RETURNING o.id, o.alert_id, o.channel, o.attempts, o.next_attempt_at
       )
       SELECT c.id, c.channel, c.attempts, a.doc FROM claimed c JOIN alerts a ON a.id = c.alert_id
       ORDER BY c.next_attempt_at, c.id`,
      [nowIso, leaseUntilIso, limit],
    );
    return rows.map((row) => ({
      outboxId: Number(row.id),
      alert: JSON.parse(row.doc) as Alert,
      channel: parseChannel(row.channel),
      attempts: row.attempts,
    }));
  }

  async releaseClaims(outboxIds: readonly number[]): Promise<void> {
    await this.#db.query(
      'UPDATE alert_outbox SET claimed_until = NULL WHERE id = ANY($1::bigint[])',
      [[...outboxIds]],
    );
  }

  async markDelivered(outboxId: number, nowIso: string): Promise<void> {
    await this.#db.query(
      `UPDATE alert_outbox SET state = 'delivered', attempts = attempts + 1,
       delivered_at = $1, claimed_until = NULL, last_error = NULL WHERE id = $2`,
      [nowIso, outboxId],
    );
  }

  async markAttemptFailed(
    outboxId: number,
    error: string,
    nextAttemptIso: string | null,
  ): Promise<void> {
    await this.#db.query(
      `UPDATE alert_outbox SET attempts = attempts + 1, last_error = $1, claimed_until = NULL,
       state = CASE WHEN $2::text IS NULL THEN 'failed' ELSE 'pending' END,
       next_attempt_at = coalesce($2::text, next_attempt_at) WHERE id = $3`,
      [error, nextAttemptIso, outboxId],
    );
  }

  async requeue(alertId: string, nowIso: string): Promise<number> {
    const result = await this.#db.query(
      `UPDATE alert_outbox SET state = 'pending', attempts = 0, next_attempt_at = $1,
       claimed_until = NULL, delivered_at = NULL, last_error = NULL WHERE alert_id = $2`,
      [nowIso, alertId],
    );
    return result.rowCount ?? 0;
  }
}
