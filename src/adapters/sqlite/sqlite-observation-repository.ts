/**
 * Stored observations in SQLite: one JSON document per observation (migration 4).
 * `insertWithAlerts` records the alerts the new observations cause in the same transaction.
 * (Measured: multi-row INSERT … RETURNING and inserting in id order cost more CPU than one
 * cached single-row statement; the document's JSON is the part worth saving.)
 */
import type { Observation } from '../../core/activity/observation.ts';
import type { ObservationFilter, ObservationRepository } from '../../app/ports.ts';
import type {
  DecideObservationAlerts,
  ObservationAlertStore,
  StoredObservations,
} from '../../app/alerts/fact-stores.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import { recordAlertsInTransaction } from './sqlite-alert-repository.ts';
import { appendAuditEntryInTransaction } from './sqlite-audit-log.ts';
import { encodeDocument } from './stored-document.ts';
import { settle } from './settle.ts';
import {
  observationFromRow as toObservation,
  type ObservationRow,
} from '../sql-rows/observation-rows.ts';

const INSERT_SQL = `INSERT INTO observations (id, site_id, zone_id, metric, observed_at, state, image_id, entered_at, doc, schema_version)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`;

const isPlainNumber = (n: number | null): boolean =>
  n === null || (Number.isFinite(n) && !Object.is(n, -0));

/**
 * The stored document: plain JSON.stringify when no number needs a tag (the usual case, and
 * what encodeDocument would write then), else encodeDocument.
 */
function encodeObservation(o: Observation): string {
  const { zoneVisibleShare, gsdMeters, cloudCoverPercent } = o.observability;
  const plain =
    (typeof o.value !== 'number' || isPlainNumber(o.value)) &&
    isPlainNumber(zoneVisibleShare) &&
    isPlainNumber(gsdMeters) &&
    isPlainNumber(cloudCoverPercent);
  return plain ? JSON.stringify(o) : encodeDocument(o);
}

/** The WHERE clause and parameters for a filter (exported for query-plan tests). */
export function observationListQuery(filter: ObservationFilter = {}): {
  sql: string;
  params: (string | number)[];
} {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.siteId !== undefined) {
    where.push('site_id = ?');
    params.push(filter.siteId);
  }
  if (filter.zoneId !== undefined) {
    where.push('zone_id = ?');
    params.push(filter.zoneId ?? '');
  }
  if (filter.metric !== undefined) {
    where.push('metric = ?');
    params.push(filter.metric);
  }
  if (filter.since !== undefined) {
    where.push('observed_at >= ?');
    params.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push('observed_at <= ?');
    params.push(filter.until);
  }
  if (filter.siteIds !== undefined) {
    where.push(`site_id IN (${filter.siteIds.map(() => '?').join(', ') || "''"})`);
    params.push(...filter.siteIds);
  }
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return {
    sql: `SELECT id, doc FROM observations${clause} ORDER BY observed_at, id`,
    params,
  };
}

/** {@link ObservationRepository} over an open {@link SqliteDatabase}. */
export class SqliteObservationRepository implements ObservationRepository, ObservationAlertStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  insertMany(
    observations: readonly Observation[],
  ): Promise<{ inserted: readonly string[]; existing: readonly string[] }> {
    return settle(() => this.#db.transaction(() => this.#insert(observations)));
  }

  insertWithAlerts(
    observations: readonly Observation[],
    decide: DecideObservationAlerts,
    decidedAtIso: string,
    audit?: (inserted: readonly string[]) => NewAuditEntry | null,
  ): Promise<StoredObservations> {
    return settle(() =>
      this.#db.transaction(() => {
        const { inserted, existing } = this.#insert(observations);
        const entry = audit === undefined || inserted.length === 0 ? null : audit(inserted);
        if (entry !== null) appendAuditEntryInTransaction(this.#db, entry);
        const isNew = new Set(inserted);
        const fresh = observations.filter((o) => isNew.delete(o.id));
        const candidates = fresh.length === 0 ? [] : decide(fresh, (filter) => this.#list(filter));
        return {
          inserted,
          existing,
          alerts: recordAlertsInTransaction(this.#db, candidates, decidedAtIso),
        };
      }),
    );
  }

  /** Inserts inside the caller's transaction; ids in input order (a repeat is "existing"). */
  #insert(observations: readonly Observation[]): { inserted: string[]; existing: string[] } {
    const insert = this.#db.prepare(INSERT_SQL);
    const inserted: string[] = [];
    const existing: string[] = [];
    for (const o of observations) {
      const result = insert.run(
        o.id,
        o.siteId,
        o.zoneId ?? '',
        o.metric,
        o.observedAt,
        o.observability.state,
        o.source.imageId,
        o.enteredAt,
        encodeObservation(o),
        o.schemaVersion,
      );
      (result.changes === 1 ? inserted : existing).push(o.id);
    }
    return { inserted, existing };
  }

  #list(filter: ObservationFilter): Observation[] {
    const { sql, params } = observationListQuery(filter);
    return (this.#db.prepare(sql).all(...params) as ObservationRow[]).map(toObservation);
  }

  get(id: string): Promise<Observation | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT id, doc FROM observations WHERE id = ?').get(id) as
        ObservationRow | undefined;
      return row === undefined ? undefined : toObservation(row);
    });
  }

  list(filter: ObservationFilter = {}): Promise<Observation[]> {
    return settle(() => this.#list(filter));
  }

  count(): Promise<number> {
    return settle(() => {
      const row = this.#db.prepare('SELECT count(*) AS n FROM observations').get() as { n: number };
      return row.n;
    });
  }
}
