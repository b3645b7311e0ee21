/**
 * The catalog contract suites (sites, images, observations) against PostgreSQL + PostGIS,
 * plus what only PostgreSQL has: spatial queries in SQL, migrations under an advisory lock,
 * and a connection killed in the middle of a write. One database per file; each test starts
 * from emptied tables. Skips with the reason when no PostgreSQL server answers.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { makeImageRecord, makeSite, rectangle } from '../../app/contracts/fixtures.ts';
import { describeImageRepositoryContract } from '../../app/contracts/image-repository.contract.ts';
import {
  describeObservationRepositoryContract,
  makeObservation,
} from '../../app/contracts/observation-repository.contract.ts';
import { describeSiteRepositoryContract } from '../../app/contracts/site-repository.contract.ts';
import type { PolygonGeometry } from '../../core/geo/types.ts';
import { ConflictError, SitewatchError, UnsupportedError } from '../../core/errors.ts';
import { footprintBbox } from '../sqlite/image-rows.ts';
import { applyPgMigrations, PG_MIGRATIONS } from './migrations.ts';
import { imagesCoveringSiteQuery } from './pg-image-repository.ts';
import {
  createTestDatabase,
  postgresUnavailableReason,
  type TestDatabase,
} from './pg-test-database.ts';
import { postgresStoreOver, type PostgresStore } from './postgres-store.ts';

const unavailable = await postgresUnavailableReason();

const CATALOG_TABLES = ['image_files', 'image_sites', 'images', 'sites', 'observations'];

let shared: TestDatabase | undefined;
async function database(): Promise<TestDatabase> {
  shared ??= await createTestDatabase();
  return shared;
}

/** The shared database's store with emptied catalog tables; `close` leaves the pool open. */
async function freshStore(): Promise<PostgresStore> {
  const { db } = await database();
  // DELETE is much faster than TRUNCATE on tables this small.
  for (const table of CATALOG_TABLES) await db.query(`DELETE FROM ${table}`);
  const store = postgresStoreOver(db);
  return { ...store, close: () => Promise.resolve() };
}

async function tableCounts(store: PostgresStore): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of CATALOG_TABLES) {
    const result = await store.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    counts[table] = Number(result.rows[0]?.n);
  }
  return counts;
}

const EMPTY = { image_files: 0, image_sites: 0, images: 0, sites: 0, observations: 0 };

afterAll(async () => {
  await shared?.drop();
});

if (unavailable !== undefined) {
  describe.skip(`PostgreSQL catalog repositories (skipped: ${unavailable})`, () => {
    it('needs a PostgreSQL server with PostGIS', () => undefined);
  });
} else {
  describeSiteRepositoryContract('PostgreSQL + PostGIS', freshStore);
  describeImageRepositoryContract('PostgreSQL + PostGIS', freshStore);
  describeObservationRepositoryContract('PostgreSQL + PostGIS', freshStore);

  describe('PostgreSQL catalog beyond the contract', () => {
    let store: PostgresStore;
    beforeEach(async () => {
      store = await freshStore();
    });

    it('finds the sites a footprint touches with ST_Intersects, not only bboxes', async () => {
      const sites = [1, 2, 3].map((seed) => makeSite({ seed }));
      await store.sites.upsertMany(sites, new Map());
      // site-1 spans lon 124.71–124.73, lat 39.67–39.685; site-2 lon 124.72–124.74.
      expect(await store.sites.sitesTouching(rectangle([124.725, 39.68, 124.726, 39.681]))).toEqual(
        ['site-1', 'site-2'],
      );
      // A triangle whose bbox covers site-3's corner but whose area does not reach it.
      const triangle: PolygonGeometry = {
        type: 'Polygon',
        coordinates: [
          [
            [124.6, 39.6],
            [124.7325, 39.6],
            [124.6, 39.7],
            [124.6, 39.6],
          ],
        ],
      };
      expect(await store.sites.sitesTouching(triangle)).toEqual([]);
      expect(await store.sites.sitesTouching(rectangle([0, 0, 1, 1]))).toEqual([]);
    });

    it('lists the images covering a site in a date range from the footprints', async () => {
      await store.sites.upsertMany([makeSite({ seed: 1 })], new Map());
      for (let seed = 1; seed <= 20; seed += 1) {
        // No image↔site rows at all: the answer must come from the geometry.
        await store.images.insert(makeImageRecord({ seed }));
      }
      const all = await store.images.list();
      const [siteMinLon, siteMinLat, siteMaxLon, siteMaxLat] = footprintBbox(
        makeSite({ seed: 1 }).geometry as PolygonGeometry,
        'site-1',
      );
      const expected = all
        .filter((image) => {
          if (image.footprint === null) return false;
          const [minLon, minLat, maxLon, maxLat] = footprintBbox(image.footprint, image.id);
          const overlaps =
            minLon <= siteMaxLon &&
            maxLon >= siteMinLon &&
            minLat <= siteMaxLat &&
            maxLat >= siteMinLat;
          const at = image.acquisition.acquiredAt;
          return overlaps && at >= '2019-01-05' && at <= '2019-01-15T23:59:59.999Z';
        })
        .map((image) => image.id);
      expect(expected.length).toBeGreaterThan(0);
      const found = await store.images.imagesCoveringSite('site-1', {
        since: '2019-01-05',
        until: '2019-01-15',
      });
      expect(found.map((image) => image.id)).toEqual(expected);
      await expect(store.images.imagesCoveringSite('site-404')).rejects.toThrow(/site-404/);
    });

    it('plans both spatial queries on the GiST indexes', async () => {
      const { sql, params } = imagesCoveringSiteQuery('site-1', { since: '2019-01-01' }, 'i.id');
      const plan = await store.db.withTransaction(async (client) => {
        await client.query('SET LOCAL enable_seqscan = off');
        const images = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
        const sites = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT id FROM sites WHERE geom && ST_MakeEnvelope(0, 0, 1, 1, 4326)`,
        );
        return [...images.rows, ...sites.rows].map((row) => row['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/images_footprint/);
      expect(plan).toMatch(/sites_geom/);
    });

    it('maps a unique violation in a race to ConflictError', async () => {
      const record = makeImageRecord({ seed: 9 });
      const outcomes = await Promise.allSettled([
        store.images.insert(record),
        store.images.insert(record),
        store.images.insert(record),
      ]);
      const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(rejected).toHaveLength(2);
      for (const outcome of rejected) {
        expect(outcome.reason).toBeInstanceOf(ConflictError);
      }
      expect(await store.images.count()).toBe(1);
    });

    it('leaves nothing half-written when the connection dies during an image insert', async () => {
      // A statement trigger that sleeps makes the last INSERT of the transaction slow
      // enough to kill its backend from outside while it runs.
      await store.db.query(`CREATE OR REPLACE FUNCTION sitewatch_test_slow() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NULL; END $$`);
      await store.db.query(`CREATE TRIGGER image_sites_slow AFTER INSERT ON image_sites
        FOR EACH STATEMENT EXECUTE FUNCTION sitewatch_test_slow()`);
      try {
        const record = makeImageRecord({ seed: 4, sites: ['site-a', 'site-b'] });
        const writing = store.images.insert(record).catch((error: unknown) => error);
        const pid = await waitForBackend(store, 'INSERT INTO image_sites');
        await store.db.query('SELECT pg_terminate_backend($1)', [pid]);
        const error = await writing;
        expect(error).toBeInstanceOf(SitewatchError);
        expect((error as SitewatchError).code).toBe('IO');
        expect(await tableCounts(store)).toEqual(EMPTY);
      } finally {
        await store.db.query('DROP TRIGGER IF EXISTS image_sites_slow ON image_sites');
      }
      // The pool dropped the dead connection: the next write works.
      await store.images.insert(makeImageRecord({ seed: 4, sites: ['site-a'] }));
      expect(await store.images.count()).toBe(1);
    });

    it('leaves nothing half-written when the connection dies during a batch of observations', async () => {
      const observations = Array.from({ length: 3000 }, (_, i) => makeObservation(i + 1));
      await store.db.query(`CREATE OR REPLACE FUNCTION sitewatch_test_slow() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NULL; END $$`);
      // Fires after the second batch of 1000 rows: the first batch is written by then.
      await store.db.query(`CREATE TRIGGER observations_slow AFTER INSERT ON observations
        FOR EACH ROW WHEN (NEW.id = '${observations[1500]?.id ?? ''}')
        EXECUTE FUNCTION sitewatch_test_slow()`);
      try {
        const writing = store.observations
          .insertMany(observations)
          .catch((error: unknown) => error);
        const pid = await waitForBackend(store, 'INSERT INTO observations');
        await store.db.query('SELECT pg_terminate_backend($1)', [pid]);
        expect(await writing).toBeInstanceOf(SitewatchError);
        expect(await store.observations.count()).toBe(0);
      } finally {
        await store.db.query('DROP TRIGGER IF EXISTS observations_slow ON observations');
      }
    });

    it('runs concurrent migrators one at a time and refuses a newer database', async () => {
      const { db } = await database();
      const outcomes = await Promise.all([
        applyPgMigrations(db.pool),
        applyPgMigrations(db.pool),
        applyPgMigrations(db.pool),
      ]);
      expect(outcomes.map((outcome) => outcome.applied)).toEqual([[], [], []]);
      expect(outcomes[0].versions).toEqual(PG_MIGRATIONS.map((m) => m.version));
      await db.query(
        "INSERT INTO schema_migrations (version, name) VALUES (999, 'from-the-future')",
      );
      try {
        await expect(applyPgMigrations(db.pool)).rejects.toThrow(UnsupportedError);
        await expect(applyPgMigrations(db.pool)).rejects.toThrow(/999/);
      } finally {
        await db.query('DELETE FROM schema_migrations WHERE version = 999');
      }
    });
  });
}

/** The pid of the backend running a statement that starts with `prefix` (polls up to 5 s). */
async function waitForBackend(store: PostgresStore, prefix: string): Promise<number> {
  for (let attempt = 0; attempt < 250; attempt += 1) {
    const result = await store.db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
         AND ltrim(query) LIKE $1 || '%'`,
      [prefix],
    );
    const row = result.rows[0];
    if (row !== undefined) return row.pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no backend ran '${prefix}…' within 5 s`);
}
