import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeObservationRepositoryContract,
  makeObservation,
} from '../../app/contracts/observation-repository.contract.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
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
});
