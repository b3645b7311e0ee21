/** Stored observations in SQLite: one JSON document per observation (migration 4). */
import { OBSERVATION_SCHEMA_VERSION, type Observation } from '../../core/activity/observation.ts';
import type { ObservationFilter, ObservationRepository } from '../../app/ports.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { encodeDocument, readStoredDocument, type DocumentSchema } from './stored-document.ts';
import { settle } from './settle.ts';

const OBSERVATION_SCHEMA: DocumentSchema = {
  kind: 'observation',
  currentVersion: OBSERVATION_SCHEMA_VERSION,
  upgrades: new Map(),
};

interface ObservationRow {
  id: string;
  doc: string;
}

function toObservation(row: ObservationRow): Observation {
  return readStoredDocument(row.doc, row.id, OBSERVATION_SCHEMA) as unknown as Observation;
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
export class SqliteObservationRepository implements ObservationRepository {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  insertMany(
    observations: readonly Observation[],
  ): Promise<{ inserted: readonly string[]; existing: readonly string[] }> {
    return settle(() => {
      const inserted: string[] = [];
      const existing: string[] = [];
      const insert = this.#db.prepare(
        `INSERT INTO observations (id, site_id, zone_id, metric, observed_at, state, image_id, entered_at, doc, schema_version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      );
      this.#db.transaction(() => {
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
            encodeDocument(o),
            o.schemaVersion,
          );
          (result.changes === 1 ? inserted : existing).push(o.id);
        }
      });
      return { inserted, existing };
    });
  }

  get(id: string): Promise<Observation | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT id, doc FROM observations WHERE id = ?').get(id) as
        ObservationRow | undefined;
      return row === undefined ? undefined : toObservation(row);
    });
  }

  list(filter: ObservationFilter = {}): Promise<Observation[]> {
    return settle(() => {
      const { sql, params } = observationListQuery(filter);
      const rows = this.#db.prepare(sql).all(...params) as ObservationRow[];
      return rows.map(toObservation);
    });
  }

  count(): Promise<number> {
    return settle(() => {
      const row = this.#db.prepare('SELECT count(*) AS n FROM observations').get() as { n: number };
      return row.n;
    });
  }
}
