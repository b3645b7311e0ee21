/**
 * {@link ObservationAlertStore} in PostgreSQL: the observations, their audit entry, the
 * alerts their anomaly scores cause and the alerts' outbox rows in one transaction. The
 * decision is synchronous (the use case's pure rules), so the store reads what it needs
 * first: every stored point of each series (site, zone, metric) that gains an observation,
 * inside the transaction and after taking the alert-recording lock. `read` then answers from
 * those points; it may only ask for the series of the inserted observations (the port says
 * so), and a read of any other series fails loudly rather than seeing nothing.
 */
import type { Observation } from '../../core/activity/observation.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import type {
  DecideObservationAlerts,
  ObservationAlertStore,
  StoredObservations,
} from '../../app/alerts/fact-stores.ts';
import type { ObservationFilter } from '../../app/ports.ts';
import { lockAlertRecording, recordPgAlertsInTransaction } from './pg-alert-repository.ts';
import { appendPgAuditEntry } from './pg-audit-log.ts';
import type { PgClient, PostgresDatabase } from './pg-database.ts';
import {
  insertObservationsInTransaction,
  listObservationsWith,
} from './pg-observation-repository.ts';

const seriesKey = (siteId: string, zoneId: string, metric: string): string =>
  JSON.stringify([siteId, zoneId, metric]);

/** Loads each series of `fresh` whole, through the transaction's client. */
async function loadSeries(
  client: PgClient,
  fresh: readonly Observation[],
): Promise<Map<string, readonly Observation[]>> {
  const series = new Map<string, readonly Observation[]>();
  for (const o of fresh) {
    const zoneId = o.zoneId ?? '';
    const key = seriesKey(o.siteId, zoneId, o.metric);
    if (series.has(key)) continue;
    series.set(
      key,
      await listObservationsWith(client, {
        siteId: o.siteId,
        zoneId: o.zoneId,
        metric: o.metric,
      }),
    );
  }
  return series;
}

/** `read` over preloaded series, with the filter semantics of the SQL list query. */
function readerOver(
  series: ReadonlyMap<string, readonly Observation[]>,
): (filter: ObservationFilter) => readonly Observation[] {
  return (filter) => {
    const { siteId, zoneId, metric } = filter;
    const points =
      siteId === undefined || zoneId === undefined || metric === undefined
        ? undefined
        : series.get(seriesKey(siteId, zoneId ?? '', metric));
    if (points === undefined) {
      throw new Error(
        `observation alerts may only read the series of the new observations; ` +
          `got ${JSON.stringify(filter)}`,
      );
    }
    return points.filter(
      (o) =>
        (filter.since === undefined || o.observedAt >= filter.since) &&
        (filter.until === undefined || o.observedAt <= filter.until) &&
        (filter.siteIds === undefined || filter.siteIds.includes(o.siteId)),
    );
  };
}

/** {@link ObservationAlertStore} over a {@link PostgresDatabase}. */
export class PgObservationAlertStore implements ObservationAlertStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  insertWithAlerts(
    observations: readonly Observation[],
    decide: DecideObservationAlerts,
    decidedAtIso: string,
    audit?: (inserted: readonly string[]) => NewAuditEntry | null,
  ): Promise<StoredObservations> {
    return this.#db.withTransaction(async (client) => {
      await lockAlertRecording(client);
      const { inserted, existing } = await insertObservationsInTransaction(client, observations);
      const entry = audit === undefined || inserted.length === 0 ? null : audit(inserted);
      if (entry !== null) await appendPgAuditEntry(client, entry);
      const isNew = new Set(inserted);
      const fresh = observations.filter((o) => isNew.delete(o.id));
      const candidates =
        fresh.length === 0 ? [] : decide(fresh, readerOver(await loadSeries(client, fresh)));
      return {
        inserted,
        existing,
        alerts: await recordPgAlertsInTransaction(client, candidates, decidedAtIso),
      };
    });
  }
}
