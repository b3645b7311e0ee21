/**
 * The behaviour every SiteRepository adapter must show, including how it keeps the
 * image↔site index that ImageRepository.list({ siteId }) answers from.
 * Call {@link describeSiteRepositoryContract} from the adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { makeImageRecord, makeSite, rectangle } from './fixtures.ts';
import type { MakeRepositories, RepositoryFixture } from './repository-fixture.ts';

/** The shared SiteRepository contract. */
export function describeSiteRepositoryContract(name: string, make: MakeRepositories): void {
  describe(`SiteRepository contract: ${name}`, () => {
    let store: RepositoryFixture;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    const siteIdsOf = async (siteId: string) =>
      (await store.images.list({ siteId })).map((record) => record.id);

    it('starts empty', async () => {
      expect(await store.sites.list()).toEqual([]);
      expect(await store.sites.get('site-1')).toBeUndefined();
    });

    it('round-trips sites with deep equality, listed by id', async () => {
      const multi = makeSite({
        seed: 2,
        id: 'alpha-yard',
        geometry: {
          type: 'MultiPolygon',
          coordinates: [
            rectangle([124.8, 39.7, 124.81, 39.71]).coordinates,
            rectangle([124.82, 39.7, 124.83, 39.71]).coordinates,
          ],
        },
        zones: [],
        links: [],
        notes: '',
      });
      const base = makeSite({ seed: 1 });
      const plain = makeSite({
        seed: 1,
        attributes: { operator: 'State Space Agency', source: { name: 'osm', way: 42 } },
        zones: base.zones.map((zone) => ({ ...zone, notes: 'resurfaced', attributes: { n: 1 } })),
      });
      await store.sites.upsertMany([plain, multi], new Map());
      expect(await store.sites.get(plain.id)).toEqual(plain);
      expect(await store.sites.get(multi.id)).toEqual(multi);
      expect(await store.sites.list()).toEqual([multi, plain]);
    });

    it('replaces a site with the same id', async () => {
      await store.sites.upsertMany([makeSite({ seed: 1 })], new Map());
      const renamed = makeSite({ seed: 1, name: 'Renamed', tags: [] });
      await store.sites.upsertMany([renamed], new Map());
      expect(await store.sites.list()).toEqual([renamed]);
    });

    it('rewrites the index rows of the upserted sites, and only theirs', async () => {
      const first = makeImageRecord({ seed: 1, sites: ['site-1', 'site-2'] });
      const second = makeImageRecord({ seed: 2, sites: ['site-1'] });
      await store.images.insert(first);
      await store.images.insert(second);
      await store.sites.upsertMany(
        [makeSite({ seed: 1 }), makeSite({ seed: 3 })],
        new Map([['site-1', [second.id]]]),
      );
      expect(await siteIdsOf('site-1')).toEqual([second.id]);
      expect(await siteIdsOf('site-2')).toEqual([first.id]);
      expect(await siteIdsOf('site-3')).toEqual([]);
      expect((await store.images.get(first.id))?.sites).toEqual(['site-2']);
      expect((await store.images.get(second.id))?.sites).toEqual(['site-1']);
    });

    it('clears the index rows of an upserted site absent from the map', async () => {
      const record = makeImageRecord({ seed: 1, sites: ['site-1'] });
      await store.images.insert(record);
      await store.sites.upsertMany([makeSite({ seed: 1 })], new Map());
      expect(await siteIdsOf('site-1')).toEqual([]);
      expect((await store.images.get(record.id))?.sites).toEqual([]);
    });

    it('writes all or nothing: an unknown image id in the map rolls the whole upsert back', async () => {
      const record = makeImageRecord({ seed: 1, sites: ['site-1'] });
      await store.images.insert(record);
      const before = makeSite({ seed: 1 });
      await store.sites.upsertMany([before], new Map([['site-1', [record.id]]]));
      const error: unknown = await store.sites
        .upsertMany(
          [makeSite({ seed: 1, name: 'Changed' }), makeSite({ seed: 2 })],
          new Map([
            ['site-1', []],
            ['site-2', ['img_ffffffffffffffff']],
          ]),
        )
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as Error).message).toContain('img_ffffffffffffffff');
      expect(await store.sites.list()).toEqual([before]);
      expect(await siteIdsOf('site-1')).toEqual([record.id]);
    });

    it('refuses repeated site ids and map keys naming no upserted site', async () => {
      await expect(
        store.sites.upsertMany([makeSite({ seed: 1 }), makeSite({ seed: 1 })], new Map()),
      ).rejects.toThrow(ValidationError);
      await expect(
        store.sites.upsertMany([makeSite({ seed: 1 })], new Map([['site-9', []]])),
      ).rejects.toThrow(/site-9/);
      expect(await store.sites.list()).toEqual([]);
    });

    it('removes a site with its index rows, leaving other sites alone', async () => {
      const record = makeImageRecord({ seed: 1 });
      await store.images.insert(record);
      await store.sites.upsertMany(
        [makeSite({ seed: 1 }), makeSite({ seed: 2 })],
        new Map([
          ['site-1', [record.id]],
          ['site-2', [record.id]],
        ]),
      );
      await store.sites.remove('site-1');
      expect(await store.sites.get('site-1')).toBeUndefined();
      expect(await store.sites.list()).toEqual([makeSite({ seed: 2 })]);
      expect(await siteIdsOf('site-1')).toEqual([]);
      expect(await siteIdsOf('site-2')).toEqual([record.id]);
      expect((await store.images.get(record.id))?.sites).toEqual(['site-2']);
    });

    it('refuses to remove an unknown site with NotFoundError naming it', async () => {
      await expect(store.sites.remove('no-such-site')).rejects.toThrow(NotFoundError);
      await expect(store.sites.remove('no-such-site')).rejects.toThrow(/no-such-site/);
    });
  });
}
