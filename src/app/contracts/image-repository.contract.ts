/**
 * The behaviour every ImageRepository adapter must show (SQLite today, PostgreSQL later).
 * Call {@link describeImageRepositoryContract} from the adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bbox } from '../../core/geo/types.ts';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import { defined, makeImageRecord, rectangle } from './fixtures.ts';
import type { MakeRepositories, RepositoryFixture } from './repository-fixture.ts';
import { seededRandom } from '../../core/random.ts';

/** Ids of `records` in acquiredAt-then-id order. */
function idsInOrder(records: readonly ImageRecord[]): string[] {
  return [...records]
    .sort((a, b) =>
      a.acquisition.acquiredAt === b.acquisition.acquiredAt
        ? a.id.localeCompare(b.id)
        : a.acquisition.acquiredAt < b.acquisition.acquiredAt
          ? -1
          : 1,
    )
    .map((record) => record.id);
}

function at(seed: number, acquiredAt: string, sites: readonly string[] = []): ImageRecord {
  return makeImageRecord({ seed, acquisition: { acquiredAt }, sites });
}

/** The shared ImageRepository contract. */
export function describeImageRepositoryContract(name: string, make: MakeRepositories): void {
  describe(`ImageRepository contract: ${name}`, () => {
    let store: RepositoryFixture;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it('starts empty', async () => {
      expect(await store.images.count()).toBe(0);
      expect(await store.images.list()).toEqual([]);
      expect(await store.images.get('img_0000000000000000')).toBeUndefined();
    });

    it('round-trips a record with deep equality through every lookup', async () => {
      const record = makeImageRecord({ seed: 7, sites: ['site-a', 'site-b'] });
      await store.images.insert(record);
      expect(await store.images.get(record.id)).toEqual(record);
      expect(await store.images.findBySha256(record.sha256)).toEqual(record);
      const originalPath = defined(record.files[1], 'a sidecar file').originalPath;
      expect(await store.images.findByOriginalPath(originalPath)).toEqual(record);
      expect(await store.images.list()).toEqual([record]);
      expect(await store.images.count()).toBe(1);
    });

    it('returns sites sorted by id whatever order they were given in', async () => {
      const record = makeImageRecord({ seed: 8, sites: ['zeta', 'alpha', 'mu'] });
      await store.images.insert(record);
      expect((await store.images.get(record.id))?.sites).toEqual(['alpha', 'mu', 'zeta']);
    });

    it('keeps numbers JSON cannot hold: NaN nodata, infinite stats, negative zero', async () => {
      const base = makeImageRecord({ seed: 9 });
      const record = makeImageRecord({
        seed: 9,
        dataType: 'float32',
        nodata: NaN,
        geoTransform: [386_900, 10, -0, 4_390_550, 0, -10],
        stats: base.stats.map((stats) => ({ ...stats, min: -Infinity, max: Infinity })),
      });
      await store.images.insert(record);
      const back = await store.images.get(record.id);
      expect(back).toEqual(record);
      expect(Number.isNaN(back?.nodata)).toBe(true);
      expect(Object.is(back?.geoTransform?.[2], -0)).toBe(true);
    });

    it('stores pixel-only imagery (no CRS, no footprint)', async () => {
      const record = makeImageRecord({
        seed: 10,
        format: 'png',
        crs: null,
        geoTransform: null,
        gsdMeters: null,
        footprint: null,
      });
      await store.images.insert(record);
      expect(await store.images.get(record.id)).toEqual(record);
      expect(await store.images.footprintsIntersecting([-180, -90, 180, 90])).toEqual([]);
    });

    it('refuses a second image with the same sha256, naming it and the stored id', async () => {
      const first = makeImageRecord({ seed: 11 });
      await store.images.insert(first);
      const again = { ...makeImageRecord({ seed: 12 }), sha256: first.sha256, id: first.id };
      const error: unknown = await store.images.insert(again).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toContain(first.sha256);
      expect((error as Error).message).toContain(first.id);
      expect(await store.images.count()).toBe(1);
      expect(await store.images.get(first.id)).toEqual(first);
    });

    it('writes all or nothing: an insert failing at the site index leaves no trace', async () => {
      const broken = makeImageRecord({ seed: 13, sites: ['site-a', 'site-a'] });
      await expect(store.images.insert(broken)).rejects.toThrow(ValidationError);
      expect(await store.images.count()).toBe(0);
      expect(await store.images.get(broken.id)).toBeUndefined();
      expect(await store.images.findBySha256(broken.sha256)).toBeUndefined();
      const rasterPath = defined(broken.files[0], 'a raster file').originalPath;
      expect(await store.images.findByOriginalPath(rasterPath)).toBeUndefined();
      expect(await store.images.list({ siteId: 'site-a' })).toEqual([]);
      expect(await store.images.footprintsIntersecting([-180, -90, 180, 90])).toEqual([]);
      const fixed = { ...broken, sites: ['site-a'] };
      await store.images.insert(fixed);
      expect(await store.images.get(fixed.id)).toEqual(fixed);
    });

    it('lists by acquiredAt, then id', async () => {
      const random = seededRandom(20_190_222);
      const records = Array.from({ length: 12 }, (_, index) =>
        at(
          100 + index,
          `2019-02-${String(1 + Math.floor(random() * 4)).padStart(2, '0')}T02:10:00.000Z`,
        ),
      );
      for (const index of [5, 0, 11, 3, 8, 1, 10, 2, 7, 4, 9, 6]) {
        await store.images.insert(defined(records[index], `record ${index}`));
      }
      const listed = await store.images.list();
      expect(listed.map((record) => record.id)).toEqual(idsInOrder(records));
    });

    describe('since/until boundaries', () => {
      const times = [
        '2019-01-31T23:59:59.999Z',
        '2019-02-01T00:00:00.000Z',
        '2019-02-01T12:00:00.000Z',
        '2019-02-01T23:59:59.999Z',
        '2019-02-02T00:00:00.000Z',
      ];
      const records = times.map((time, index) => at(200 + index, time));
      const ids = (indexes: number[]) =>
        indexes.map((index) => defined(records[index], `record ${index}`).id);
      beforeEach(async () => {
        for (const record of records) await store.images.insert(record);
      });

      it('a date since means from the start of that day UTC, inclusive', async () => {
        const listed = await store.images.list({ since: '2019-02-01' });
        expect(listed.map((record) => record.id)).toEqual(ids([1, 2, 3, 4]));
      });

      it('a date until means to the end of that day UTC, inclusive', async () => {
        const listed = await store.images.list({ until: '2019-02-01' });
        expect(listed.map((record) => record.id)).toEqual(ids([0, 1, 2, 3]));
      });

      it('both dates select exactly that day', async () => {
        const listed = await store.images.list({ since: '2019-02-01', until: '2019-02-01' });
        expect(listed.map((record) => record.id)).toEqual(ids([1, 2, 3]));
      });

      it('date-times are inclusive instants, in any zone', async () => {
        const listed = await store.images.list({
          since: '2019-02-01T21:00:00+09:00',
          until: '2019-02-01T12:00:00Z',
        });
        expect(listed.map((record) => record.id)).toEqual(ids([2]));
      });

      it('refuses a bound that is not an ISO 8601 date or date-time', async () => {
        await expect(store.images.list({ since: '01/02/2019' })).rejects.toThrow(ValidationError);
        await expect(store.images.list({ until: '2019-02-30' })).rejects.toThrow(ValidationError);
        await expect(store.images.list({ since: '2019-02-01T00:00:00' })).rejects.toThrow(
          /2019-02-01T00:00:00/,
        );
      });
    });

    it('filters by site from the index, combined with time bounds', async () => {
      const a = at(301, '2019-03-01T00:00:00.000Z', ['site-a']);
      const b = at(302, '2019-03-02T00:00:00.000Z', ['site-a', 'site-b']);
      const c = at(303, '2019-03-03T00:00:00.000Z', ['site-b']);
      const d = at(304, '2019-03-04T00:00:00.000Z', ['site-a']);
      for (const record of [d, c, b, a]) await store.images.insert(record);
      const forA = await store.images.list({ siteId: 'site-a' });
      expect(forA.map((record) => record.id)).toEqual([a.id, b.id, d.id]);
      expect(forA[1]).toEqual(b);
      const bounded = await store.images.list({ siteId: 'site-a', since: '2019-03-02' });
      expect(bounded.map((record) => record.id)).toEqual([b.id, d.id]);
      expect(await store.images.list({ siteId: 'site-unknown' })).toEqual([]);
    });

    it('finds by original path, newest ingest first', async () => {
      const samePath = (seed: number, ingestedAt: string) => {
        const record = makeImageRecord({ seed, ingestedAt });
        const [raster, ...others] = record.files;
        const originalPath = '/data/incoming/site-1/latest.tif';
        return {
          ...record,
          files: [{ ...defined(raster, 'a raster file'), originalPath }, ...others],
        };
      };
      // Newest neither first nor last inserted, so insertion order cannot pass for time order.
      const middle = samePath(401, '2024-05-02T08:00:00.000Z');
      const newest = samePath(402, '2024-05-03T08:00:00.000Z');
      const oldest = samePath(403, '2024-05-01T08:00:00.000Z');
      for (const record of [middle, newest, oldest]) await store.images.insert(record);
      const found = await store.images.findByOriginalPath('/data/incoming/site-1/latest.tif');
      expect(found).toEqual(newest);
      expect(
        await store.images.findByOriginalPath('/data/incoming/never-seen.tif'),
      ).toBeUndefined();
    });

    describe('footprintsIntersecting', () => {
      it('matches a brute-force bbox test on seeded random footprints', async () => {
        const random = seededRandom(4242);
        const boxes = new Map<string, Bbox>();
        for (let seed = 500; seed < 540; seed += 1) {
          const minLon = 124 + random() * 2;
          const minLat = 39 + random() * 2;
          const bbox: Bbox = [minLon, minLat, minLon + random() * 0.3, minLat + random() * 0.3];
          const record = makeImageRecord({ seed, footprint: rectangle(bbox) });
          boxes.set(record.id, bbox);
          await store.images.insert(record);
        }
        for (let query = 0; query < 25; query += 1) {
          const minLon = 124 + random() * 2;
          const minLat = 39 + random() * 2;
          const box: Bbox = [minLon, minLat, minLon + random() * 0.5, minLat + random() * 0.5];
          const expected = [...boxes]
            .filter(([, b]) => b[0] <= box[2] && b[2] >= box[0] && b[1] <= box[3] && b[3] >= box[1])
            .map(([id]) => id)
            .sort();
          const found = await store.images.footprintsIntersecting(box);
          expect(found.map((footprint) => footprint.id).sort()).toEqual(expected);
          for (const footprint of found) expect(footprint.bbox).toEqual(boxes.get(footprint.id));
        }
      });

      it('returns the footprint polygon and counts touching edges, exactly', async () => {
        const record = makeImageRecord({ seed: 600, footprint: rectangle([125, 40, 125.1, 40.1]) });
        await store.images.insert(record);
        const touching = await store.images.footprintsIntersecting([125.1, 40.1, 126, 41]);
        expect(touching).toEqual([
          { id: record.id, bbox: [125, 40, 125.1, 40.1], footprint: record.footprint },
        ]);
        const justOutside = 125.1 + 1e-9;
        expect(await store.images.footprintsIntersecting([justOutside, 40, 126, 41])).toEqual([]);
      });

      it('refuses a bbox with min > max or a non-finite value', async () => {
        await expect(store.images.footprintsIntersecting([126, 40, 125, 41])).rejects.toThrow(
          ValidationError,
        );
        await expect(store.images.footprintsIntersecting([NaN, 40, 125, 41])).rejects.toThrow(
          ValidationError,
        );
      });
    });
  });
}
