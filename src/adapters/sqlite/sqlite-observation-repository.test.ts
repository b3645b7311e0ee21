import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeObservationRepositoryContract,
  makeObservation,
} from '../../app/contracts/observation-repository.contract.ts';
import { decideForAnomaly } from '../../core/alerts/alert-decision.ts';
import { parseAlertRule } from '../../core/alerts/alert-rule.ts';
import type { Observation } from '../../core/activity/observation.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import { SqliteAlertRepository } from './sqlite-alert-repository.ts';
import {
  observationListQuery,
  SqliteObservationRepository,
} from './sqlite-observation-repository.ts';

function tempRepository() {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-obs-'));
  const db = openSqliteDatabase(join(dir, 'sitewatch.db'));
  return {
    db,
    observations: new SqliteObservationRepository(db),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

describeObservationRepositoryContract('SQLite (temp file)', () =>
  Promise.resolve(tempRepository()),
);

describe('SQLite observations beyond the contract', () => {
  it('answers a series query from the series index', async () => {
    const store = tempRepository();
    try {
      await store.observations.insertMany([makeObservation(1)]);
      const { sql, params } = observationListQuery({
        siteId: 'site-1',
        zoneId: 'parking',
        metric: 'vehicles',
        since: '2019-01-01T00:00:00.000Z',
      });
      const plan = (
        store.db.handle.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]
      )
        .map((row) => row.detail)
        .join('\n');
      expect(plan).toMatch(/observations_by_series/);
    } finally {
      await store.close();
    }
  });

  it('stores a site-level observation with an empty zone column and reads it back as null', async () => {
    const store = tempRepository();
    try {
      const o = makeObservation(2, { zoneId: null });
      await store.observations.insertMany([o]);
      const row = store.db.handle.prepare('SELECT zone_id FROM observations').get() as {
        zone_id: string;
      };
      expect(row.zone_id).toBe('');
      expect((await store.observations.get(o.id))?.zoneId).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('inserts many in input order, a repeat counted as held, odd numbers kept exactly', async () => {
    const store = tempRepository();
    try {
      const list = Array.from({ length: 450 }, (_, i) =>
        makeObservation(
          i,
          i === 7 ? { observability: { ...makeObservation(i).observability, gsdMeters: -0 } } : {},
        ),
      );
      const first = await store.observations.insertMany([
        ...list.slice(0, 3),
        list[1] as Observation,
      ]);
      expect(first).toEqual({
        inserted: list.slice(0, 3).map((o) => o.id),
        existing: [list[1]?.id],
      });
      const rest = await store.observations.insertMany(list);
      expect(rest.inserted).toEqual(list.slice(3).map((o) => o.id));
      expect(rest.existing).toEqual(list.slice(0, 3).map((o) => o.id));
      expect(await store.observations.count()).toBe(450);
      expect(await store.observations.get(list[449]?.id ?? '')).toEqual(list[449]);
      const odd = await store.observations.get(list[7]?.id ?? '');
      expect(Object.is(odd?.observability.gsdMeters, -0)).toBe(true);
    } finally {
      await store.close();
    }
  });

  describe('insertWithAlerts', () => {
    const rule = parseAlertRule(
      {
        id: 'vehicles',
        severity: 'warning',
        condition: { kind: 'anomaly', metric: 'vehicles', minScore: 2 },
        cooldownMinutes: 0,
        channels: [{ kind: 'webhook', url: 'http://127.0.0.1:9/hook', secretEnv: 'HOOK_SECRET' }],
      },
      'test',
    );
    const decideEach = (inserted: readonly Observation[]) =>
      inserted.flatMap((o) =>
        decideForAnomaly([rule], {
          seriesKey: { siteId: o.siteId, zoneId: o.zoneId, metric: o.metric },
          observationId: o.id,
          at: o.observedAt,
          anomalyScore: 3,
        }),
      );
    const rows = (store: ReturnType<typeof tempRepository>, table: string) =>
      (store.db.handle.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

    it('records the alerts of the new observations only, with their outbox rows', async () => {
      const store = tempRepository();
      try {
        await new SqliteAlertRepository(store.db).putRules([rule]);
        await store.observations.insertMany([makeObservation(1)]);
        const seen: string[][] = [];
        const result = await store.observations.insertWithAlerts(
          [makeObservation(1), makeObservation(2)],
          (inserted, read) => {
            seen.push(
              inserted.map((o) => o.id),
              read({ siteId: 'site-1' }).map((o) => o.id),
            );
            return decideEach(inserted);
          },
          '2026-01-01T00:00:00.000Z',
        );
        expect(result.inserted).toEqual([makeObservation(2).id]);
        expect(result.existing).toEqual([makeObservation(1).id]);
        // The reader sees the new observation inside the transaction.
        expect(seen).toEqual([
          [makeObservation(2).id],
          [makeObservation(1).id, makeObservation(2).id],
        ]);
        expect(result.alerts.recorded.map((a) => a.subject)).toMatchObject([
          { kind: 'anomaly', observationId: makeObservation(2).id },
        ]);
        expect([rows(store, 'alerts'), rows(store, 'alert_outbox')]).toEqual([1, 1]);
      } finally {
        await store.close();
      }
    });

    it('rolls the observations back when an alert insert fails', async () => {
      const store = tempRepository();
      try {
        await new SqliteAlertRepository(store.db).putRules([rule]);
        store.db.handle.exec(
          "CREATE TRIGGER refuse_alerts BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'alerts refused'); END",
        );
        await expect(
          store.observations.insertWithAlerts(
            [makeObservation(3), makeObservation(4)],
            decideEach,
            '2026-01-01T00:00:00.000Z',
          ),
        ).rejects.toThrow(/alerts refused/);
        expect(await store.observations.count()).toBe(0);
        expect([rows(store, 'alerts'), rows(store, 'alert_outbox')]).toEqual([0, 0]);
      } finally {
        await store.close();
      }
    });
  });
});
