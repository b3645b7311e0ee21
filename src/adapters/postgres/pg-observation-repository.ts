/**
 * Stored observations in PostgreSQL: one document per observation, the same documents as
 * the SQLite adapter. Inserts are one multi-row statement per batch inside one transaction.
 * The alert side (ObservationAlertStore.insertWithAlerts) belongs with the PostgreSQL alert
 * repository; it can reuse {@link insertObservationsInTransaction} and
 * {@link listObservationsWith} on its own transaction's client.
 */
import type { Observation } from '../../core/activity/observation.ts';
import type { ObservationFilter, ObservationRepository } from '../../app/ports.ts';
import { encodeDocument } from '../sqlite/stored-document.ts';
import { mapPgError, type PgQueryable, type PostgresDatabase } from './pg-database.ts';
import {
  observationFromRow as toObservation,
  type ObservationRow,
} from '../sql-rows/observation-rows.ts';

/** The SQL and parameters for a filter (exported for query-plan tests). */
export function pgObservationListQuery(filter: ObservationFilter = {}): {
  sql: string;
  params: unknown[];
} {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown): void => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.siteId !== undefined) add((p) => `site_id = ${p}`, filter.siteId);
  if (filter.zoneId !== undefined) add((p) => `zone_id = ${p}`, filter.zoneId ?? '');
  if (filter.metric !== undefined) add((p) => `metric = ${p}`, filter.metric);
  if (filter.since !== undefined) add((p) => `observed_at >= ${p}`, filter.since);
  if (filter.until !== undefined) add((p) => `observed_at <= ${p}`, filter.until);
  if (filter.siteIds !== undefined) add((p) => `site_id = ANY(${p}::text[])`, filter.siteIds);
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return { sql: `SELECT id, doc FROM observations${clause} ORDER BY observed_at, id`, params };
}

/** Lists observations through `client` (the pool, or an open transaction's client). */
export async function listObservationsWith(
  client: PgQueryable,
  filter: ObservationFilter = {},
): Promise<Observation[]> {
  const { sql, params } = pgObservationListQuery(filter);
  const result = await client.query<ObservationRow>(sql, params);
  return result.rows.map(toObservation);
}

/**
 * Inserts the observations not stored yet through `client`, inside the caller's
 * transaction; ids in input order (a repeat within the input counts as existing).
 */
export async function insertObservationsInTransaction(
  client: PgQueryable,
  observations: readonly Observation[],
): Promise<{ inserted: string[]; existing: string[] }> {
  const unique = new Map<string, Observation>();
  for (const o of observations) if (!unique.has(o.id)) unique.set(o.id, o);
  const rows = [...unique.values()];
  const fresh = new Set<string>();
  const batchSize = 1000;
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const result = await client.query<{ id: string }>(
      `INSERT INTO observations (id, site_id, zone_id, metric, observed_at, state, image_id,
         entered_at, doc, schema_version)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
         $6::text[], $7::text[], $8::text[], $9::text[], $10::integer[])
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        batch.map((o) => o.id),
        batch.map((o) => o.siteId),
        batch.map((o) => o.zoneId ?? ''),
        batch.map((o) => o.metric),
        batch.map((o) => o.observedAt),
        batch.map((o) => o.observability.state),
        batch.map((o) => o.source.imageId),
        batch.map((o) => o.enteredAt),
        batch.map((o) => encodeDocument(o)),
        batch.map((o) => o.schemaVersion),
      ],
    );
    for (const row of result.rows) fresh.add(row.id);
  }
  const inserted: string[] = [];
  const existing: string[] = [];
  for (const o of observations) {
    if (fresh.delete(o.id)) inserted.push(o.id);
    else existing.push(o.id);
  }
  return { inserted, existing };
}

/** {@link ObservationRepository} over an open {@link PostgresDatabase}. */
export class PgObservationRepository implements ObservationRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /** The database, for the PostgreSQL alert store that extends these writes. */
  get database(): PostgresDatabase {
    return this.#db;
  }

  insertMany(
    observations: readonly Observation[],
  ): Promise<{ inserted: readonly string[]; existing: readonly string[] }> {
    return this.#db.withTransaction((client) =>
      insertObservationsInTransaction(client, observations),
    );
  }

  async get(id: string): Promise<Observation | undefined> {
    const result = await this.#db.query<ObservationRow>(
      'SELECT id, doc FROM observations WHERE id = $1',
      [id],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : toObservation(row);
  }

  async list(filter: ObservationFilter = {}): Promise<Observation[]> {
    try {
      return await listObservationsWith(this.#db.pool, filter);
    } catch (error) {
      throw mapError(error);
    }
  }

  async count(): Promise<number> {
    const result = await this.#db.query<{ n: string }>('SELECT count(*) AS n FROM observations');
    return Number(result.rows[0]?.n ?? 0);
  }
}

const mapError = (error: unknown) => mapPgError(error, 'listing observations');
