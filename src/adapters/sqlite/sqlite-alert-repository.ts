/**
 * Alert rules, alerts and the delivery outbox in SQLite (migration 5). The outbox rows are
 * written in the same transaction as the alert, and `withTransaction` lets the writer of a
 * fact (an observation, an assessment point) put the fact, the alert and its outbox rows in
 * one `BEGIN IMMEDIATE` transaction: a crash before the commit loses all three, after it none.
 * The transaction's work is async (the port's shape, shared with PostgreSQL); on the single
 * better-sqlite3 connection it runs between an explicit BEGIN IMMEDIATE and COMMIT, one such
 * transaction at a time per connection, and must await only its own writes.
 */
import { createHash } from 'node:crypto';
import type { AlertCandidate } from '../../core/alerts/alert-decision.ts';
import { inCooldown } from '../../core/alerts/alert-decision.ts';
import type { Alert, OutboxItem, OutboxState } from '../../core/alerts/alert.ts';
import {
  alertChannelSchema,
  type AlertChannel,
  type AlertRule,
} from '../../core/alerts/alert-rule.ts';
import { parseAlertRule } from '../../core/alerts/alert-rule.ts';
import type {
  AlertDeliveryState,
  AlertFilter,
  AlertRepository,
  AlertTransaction,
  AlertWithDeliveries,
  RecordedAlerts,
} from '../../app/ports.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { asStoreError, settle } from './settle.ts';

/** `alt_` + 16 hex of the sha256 of the dedup key. */
export function alertIdFor(dedupKey: string): string {
  return `alt_${createHash('sha256').update(dedupKey, 'utf8').digest('hex').slice(0, 16)}`;
}

interface OutboxRow {
  id: number;
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
 * Records candidates with the open connection; call inside `db.transaction` (the fact's own
 * transaction). Exported for adapters of this folder that store facts.
 */
export function recordAlertsInTransaction(
  db: SqliteDatabase,
  candidates: readonly AlertCandidate[],
  decidedAtIso: string,
): RecordedAlerts {
  if (!db.handle.inTransaction) {
    throw new Error('recordAlertsInTransaction must run inside a transaction');
  }
  const recorded: Alert[] = [];
  const duplicates: string[] = [];
  const cooledDown: string[] = [];
  const exists = db.prepare('SELECT 1 FROM alerts WHERE dedup_key = ?');
  const latest = db.prepare(
    'SELECT fact_at FROM alerts WHERE cooldown_key = ? ORDER BY fact_at DESC LIMIT 1',
  );
  const nearest = db.prepare(
    `SELECT fact_at FROM alerts WHERE cooldown_key = ?
     ORDER BY abs(julianday(fact_at) - julianday(?)) LIMIT 1`,
  );
  const rule = db.prepare('SELECT doc FROM alert_rules WHERE id = ?');
  const insertAlert = db.prepare(
    `INSERT INTO alerts (id, rule_id, dedup_key, cooldown_key, fact_at, decided_at, doc)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertOutbox = db.prepare(
    `INSERT INTO alert_outbox (alert_id, channel_index, channel, state, next_attempt_at)
     VALUES (?, ?, ?, 'pending', ?)`,
  );
  for (const candidate of candidates) {
    if (exists.get(candidate.dedupKey) !== undefined) {
      duplicates.push(candidate.dedupKey);
      continue;
    }
    // The nearest alert of the group in fact time, so replaying history out of order still
    // respects the cooldown; `latest` is the fast path for the usual in-order case.
    const last =
      (latest.get(candidate.cooldownKey) as { fact_at: string } | undefined)?.fact_at ?? null;
    const near =
      last === null || last <= candidate.factAt
        ? last
        : (nearest.get(candidate.cooldownKey, candidate.factAt) as { fact_at: string }).fact_at;
    if (inCooldown(candidate, near)) {
      cooledDown.push(candidate.dedupKey);
      continue;
    }
    const alert: Alert = {
      ...candidate,
      id: alertIdFor(candidate.dedupKey),
      decidedAt: decidedAtIso,
    };
    insertAlert.run(
      alert.id,
      alert.ruleId,
      alert.dedupKey,
      alert.cooldownKey,
      alert.factAt,
      alert.decidedAt,
      JSON.stringify(alert),
    );
    const ruleRow = rule.get(alert.ruleId) as { doc: string } | undefined;
    const channels =
      ruleRow === undefined ? [] : parseAlertRule(JSON.parse(ruleRow.doc), alert.ruleId).channels;
    channels.forEach((channel, index) => {
      insertOutbox.run(alert.id, index, JSON.stringify(channel), decidedAtIso);
    });
    recorded.push(alert);
  }
  return { recorded, duplicates, cooledDown };
}

/** The SQLite alert transaction: the connection, for the fact's own writes. */
export interface SqliteAlertTransaction extends AlertTransaction {
  readonly db: SqliteDatabase;
}

/** The tail of each connection's queue of async transactions (one open at a time). */
const transactionQueues = new WeakMap<SqliteDatabase, Promise<unknown>>();

/** {@link AlertRepository} over an open {@link SqliteDatabase}. */
export class SqliteAlertRepository implements AlertRepository<SqliteAlertTransaction> {
  readonly #db: SqliteDatabase;
  readonly #nowIso: () => string;

  constructor(db: SqliteDatabase, options: { nowIso?: () => string } = {}) {
    this.#db = db;
    this.#nowIso = options.nowIso ?? (() => new Date().toISOString());
  }

  putRules(rules: readonly AlertRule[]): Promise<void> {
    return settle(() => {
      const put = this.#db.prepare(
        `INSERT INTO alert_rules (id, doc, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
      );
      const now = this.#nowIso();
      this.#db.transaction(() => {
        for (const r of rules) put.run(r.id, JSON.stringify(r), now);
      });
    });
  }

  listRules(): Promise<AlertRule[]> {
    return settle(() =>
      (
        this.#db.prepare('SELECT id, doc FROM alert_rules ORDER BY id').all() as {
          id: string;
          doc: string;
        }[]
      ).map((row) => parseAlertRule(JSON.parse(row.doc), row.id)),
    );
  }

  getRule(id: string): Promise<AlertRule | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT doc FROM alert_rules WHERE id = ?').get(id) as
        { doc: string } | undefined;
      return row === undefined ? undefined : parseAlertRule(JSON.parse(row.doc), id);
    });
  }

  withTransaction<T>(work: (tx: SqliteAlertTransaction) => Promise<T>): Promise<T> {
    const previous = transactionQueues.get(this.#db) ?? Promise.resolve();
    const run = previous.then(
      () => this.#runTransaction(work),
      () => this.#runTransaction(work),
    );
    transactionQueues.set(
      this.#db,
      run.catch(() => undefined),
    );
    return run;
  }

  async #runTransaction<T>(work: (tx: SqliteAlertTransaction) => Promise<T>): Promise<T> {
    const handle = this.#db.handle;
    try {
      handle.prepare('BEGIN IMMEDIATE').run();
    } catch (error) {
      throw asStoreError(error);
    }
    let open = true;
    const tx: SqliteAlertTransaction = {
      db: this.#db,
      recordAlerts: (candidates, decidedAtIso) =>
        open
          ? settle(() => recordAlertsInTransaction(this.#db, candidates, decidedAtIso))
          : Promise.reject(new Error('recordAlerts called after its transaction ended')),
    };
    try {
      const result = await work(tx);
      handle.prepare('COMMIT').run();
      return result;
    } catch (error) {
      if (handle.inTransaction) handle.prepare('ROLLBACK').run();
      throw asStoreError(error);
    } finally {
      open = false;
    }
  }

  listAlerts(filter: AlertFilter = {}): Promise<AlertWithDeliveries[]> {
    return settle(() => {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (filter.ruleId !== undefined) {
        where.push('rule_id = ?');
        params.push(filter.ruleId);
      }
      if (filter.since !== undefined) {
        where.push('decided_at >= ?');
        params.push(filter.since);
      }
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      const limit =
        filter.limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.trunc(filter.limit))}`;
      const rows = this.#db
        .prepare(`SELECT doc FROM alerts${clause} ORDER BY decided_at DESC, id DESC${limit}`)
        .all(...params) as { doc: string }[];
      return rows.map((row) => this.#withDeliveries(JSON.parse(row.doc) as Alert));
    });
  }

  getAlert(id: string): Promise<AlertWithDeliveries | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT doc FROM alerts WHERE id = ?').get(id) as
        { doc: string } | undefined;
      return row === undefined ? undefined : this.#withDeliveries(JSON.parse(row.doc) as Alert);
    });
  }

  #withDeliveries(alert: Alert): AlertWithDeliveries {
    const rows = this.#db
      .prepare('SELECT * FROM alert_outbox WHERE alert_id = ? ORDER BY channel_index')
      .all(alert.id) as OutboxRow[];
    const deliveries: AlertDeliveryState[] = rows.map((row) => ({
      outboxId: row.id,
      channel: parseChannel(row.channel).kind,
      state: row.state,
      attempts: row.attempts,
      nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : null,
      deliveredAt: row.delivered_at,
      lastError: row.last_error,
    }));
    return { alert, deliveries };
  }

  claimDue(nowIso: string, leaseUntilIso: string, limit: number): Promise<OutboxItem[]> {
    return settle(() =>
      this.#db.transaction(() => {
        const rows = this.#db
          .prepare(
            `SELECT o.id, o.channel, o.attempts, a.doc FROM alert_outbox o JOIN alerts a ON a.id = o.alert_id
             WHERE o.state = 'pending' AND o.next_attempt_at <= ?
               AND (o.claimed_until IS NULL OR o.claimed_until <= ?)
             ORDER BY o.next_attempt_at, o.id LIMIT ?`,
          )
          .all(nowIso, nowIso, limit) as {
          id: number;
          channel: string;
          attempts: number;
          doc: string;
        }[];
        const claim = this.#db.prepare('UPDATE alert_outbox SET claimed_until = ? WHERE id = ?');
        return rows.map((row) => {
          claim.run(leaseUntilIso, row.id);
          return {
            outboxId: row.id,
            alert: JSON.parse(row.doc) as Alert,
            channel: parseChannel(row.channel),
            attempts: row.attempts,
          };
        });
      }),
    );
  }

  releaseClaims(outboxIds: readonly number[]): Promise<void> {
    return settle(() => {
      const release = this.#db.prepare('UPDATE alert_outbox SET claimed_until = NULL WHERE id = ?');
      this.#db.transaction(() => {
        for (const id of outboxIds) release.run(id);
      });
    });
  }

  markDelivered(outboxId: number, nowIso: string): Promise<void> {
    return settle(() => {
      this.#db
        .prepare(
          `UPDATE alert_outbox SET state = 'delivered', attempts = attempts + 1,
           delivered_at = ?, claimed_until = NULL, last_error = NULL WHERE id = ?`,
        )
        .run(nowIso, outboxId);
    });
  }

  markAttemptFailed(outboxId: number, error: string, nextAttemptIso: string | null): Promise<void> {
    return settle(() => {
      this.#db
        .prepare(
          `UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?, claimed_until = NULL,
           state = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
           next_attempt_at = coalesce(?, next_attempt_at) WHERE id = ?`,
        )
        .run(error, nextAttemptIso, nextAttemptIso, outboxId);
    });
  }

  requeue(alertId: string, nowIso: string): Promise<number> {
    return settle(
      () =>
        this.#db
          .prepare(
            `UPDATE alert_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?,
             claimed_until = NULL, delivered_at = NULL, last_error = NULL WHERE alert_id = ?`,
          )
          .run(nowIso, alertId).changes,
    );
  }
}
