import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptFileError, SitewatchError, UnsupportedError } from '../../core/errors.ts';
import { makeImageRecord, makeSite } from '../../app/contracts/fixtures.ts';
import { describeImageRepositoryContract } from '../../app/contracts/image-repository.contract.ts';
import type { MakeRepositories } from '../../app/contracts/repository-fixture.ts';
import { describeSiteRepositoryContract } from '../../app/contracts/site-repository.contract.ts';
import { imageListQuery } from './sqlite-image-repository.ts';
import { openSqliteStore, type SqliteStore } from './sqlite-store.ts';

function tempStore(): SqliteStore & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-sqlite-'));
  const store = openSqliteStore(join(dir, 'sitewatch.db'));
  return {
    ...store,
    dir,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const makeRepositories: MakeRepositories = () => Promise.resolve(tempStore());

describeSiteRepositoryContract('SQLite (temp file)', makeRepositories);
describeImageRepositoryContract('SQLite (temp file)', makeRepositories);

function tableCounts(store: SqliteStore): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of ['images', 'images_rtree', 'image_files', 'image_sites', 'sites']) {
    const row = store.db.handle.prepare(`SELECT count(*) AS n FROM ${table}`).get() as {
      n: number;
    };
    counts[table] = row.n;
  }
  return counts;
}

function queryPlan(store: SqliteStore, sql: string, ...params: unknown[]): string {
  const rows = store.db.handle.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as {
    detail: string;
  }[];
  return rows.map((row) => row.detail).join('\n');
}

describe('SQLite repositories beyond the contract', () => {
  let store: SqliteStore & { dir: string };
  beforeEach(() => {
    store = tempStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('leaves no row in any table after an insert that fails at the site index', async () => {
    await expect(
      store.images.insert(makeImageRecord({ seed: 3, sites: ['site-a', 'site-a'] })),
    ).rejects.toThrow(/site-a/);
    expect(tableCounts(store)).toEqual({
      images: 0,
      images_rtree: 0,
      image_files: 0,
      image_sites: 0,
      sites: 0,
    });
  });

  it('writes one row per file, per site and one R*Tree box per geo-referenced image', async () => {
    await store.images.insert(makeImageRecord({ seed: 1, sites: ['site-a', 'site-b'] }));
    await store.images.insert(makeImageRecord({ seed: 2, footprint: null, crs: null }));
    expect(tableCounts(store)).toEqual({
      images: 2,
      images_rtree: 1,
      image_files: 4,
      image_sites: 2,
      sites: 0,
    });
  });

  it('answers a siteId filter from the (site_id, image_id) index, not a scan of images', async () => {
    // Enough rows and fresh statistics, so the planner has a real choice to make.
    for (let seed = 1; seed <= 60; seed += 1) {
      await store.images.insert(makeImageRecord({ seed, sites: [`site-${seed % 6}`] }));
    }
    store.db.handle.exec('ANALYZE');
    const { sql, params } = imageListQuery({ siteId: 'site-1', since: '2019-01-01' });
    expect(params).toEqual(['site-1', '2019-01-01T00:00:00.000Z']);
    const plan = queryPlan(store, sql, ...params);
    expect(plan).toMatch(/SEARCH x USING (COVERING )?INDEX image_sites_by_site \(site_id=\?\)/);
    expect(plan).not.toMatch(/SCAN i\b/);
    expect((await store.images.list({ siteId: 'site-1' })).length).toBe(10);
  });

  it('answers footprintsIntersecting from the R*Tree', () => {
    const plan = queryPlan(
      store,
      `SELECT i.id FROM images_rtree AS r CROSS JOIN images AS i ON i.row_id = r.row_id
       WHERE r.min_lon <= ? AND r.max_lon >= ? AND r.min_lat <= ? AND r.max_lat >= ?`,
      1,
      0,
      1,
      0,
    );
    expect(plan).toMatch(/SCAN r VIRTUAL TABLE INDEX/);
    expect(plan).toMatch(/SEARCH i USING INTEGER PRIMARY KEY/);
  });

  it('stores documents with a schemaVersion and refuses one from a newer sitewatch', async () => {
    await store.sites.upsertMany([makeSite({ seed: 1 })], new Map());
    const row = store.db.handle.prepare('SELECT doc, schema_version FROM sites').get() as {
      doc: string;
      schema_version: number;
    };
    expect(JSON.parse(row.doc)).toMatchObject({ schemaVersion: 1, id: 'site-1' });
    expect(row.schema_version).toBe(1);
    store.db.handle.prepare('UPDATE sites SET doc = json_set(doc, ?, 2)').run('$.schemaVersion');
    await expect(store.sites.get('site-1')).rejects.toThrow(UnsupportedError);
    await expect(store.sites.get('site-1')).rejects.toThrow(/schemaVersion 2.*\(1\)/);
  });

  it('reports a corrupt image document naming the image', async () => {
    const record = makeImageRecord({ seed: 5 });
    await store.images.insert(record);
    store.db.handle.prepare("UPDATE images SET doc = '{not json'").run();
    const error: unknown = await store.images.get(record.id).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect((error as Error).message).toContain(record.id);
  });

  it('turns an unexpected SQLite failure into an IO SitewatchError, rolled back', async () => {
    store.db.handle.exec('DROP TABLE image_sites');
    const error: unknown = await store.images
      .insert(makeImageRecord({ seed: 4 }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SitewatchError);
    expect((error as SitewatchError).code).toBe('IO');
    expect((error as SitewatchError).message).toMatch(/image_sites/);
    expect(await store.images.count()).toBe(0);
  });

  it('stores the acquisition time canonically, so text order is time order', async () => {
    const record = makeImageRecord({
      seed: 6,
      acquisition: { acquiredAt: '2019-02-22T11:10:00+09:00' },
    });
    await store.images.insert(record);
    const row = store.db.handle.prepare('SELECT acquired_at FROM images').get() as {
      acquired_at: string;
    };
    expect(row.acquired_at).toBe('2019-02-22T02:10:00.000Z');
    expect(await store.images.get(record.id)).toEqual(record);
  });
});
