/**
 * The behaviour every ObservationRepository adapter must show (SQLite today, PostgreSQL later).
 * Call {@link describeObservationRepositoryContract} from the adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OBSERVATION_SCHEMA_VERSION, type Observation } from '../../core/activity/observation.ts';
import type { ObservationRepository } from '../ports.ts';
import { fakeSha256 } from './fixtures.ts';

export interface ObservationRepositoryFixture {
  readonly observations: ObservationRepository;
  close(): Promise<void>;
}

/** Creates an empty store for one test. */
export type MakeObservationRepository = () => Promise<ObservationRepositoryFixture>;

const DAY_MS = 86_400_000;

/** A manual vehicle count at site-1/parking, `seed` days after 2019-01-01. */
export function makeObservation(seed: number, overrides: Partial<Observation> = {}): Observation {
  return {
    schemaVersion: OBSERVATION_SCHEMA_VERSION,
    id: `obs_${fakeSha256(seed).slice(0, 16)}`,
    siteId: 'site-1',
    zoneId: 'parking',
    metric: 'vehicles',
    value: seed % 13,
    observedAt: new Date(Date.UTC(2019, 0, 1, 2, 10) + seed * DAY_MS).toISOString(),
    source: {
      kind: 'manual',
      imageId: `img_${fakeSha256(seed + 1).slice(0, 16)}`,
      runId: null,
      comparisonId: null,
    },
    author: 'analyst-a',
    enteredAt: '2024-05-01T12:00:00.000Z',
    note: `counted on image ${seed}`,
    observability: {
      state: 'observed',
      reasons: [],
      unchecked: ['cloud-cover'],
      zoneVisibleShare: 1,
      gsdMeters: 0.5,
      cloudCoverPercent: null,
    },
    ...overrides,
  };
}

const ids = (list: readonly Observation[]) => list.map((o) => o.id);

/** The shared ObservationRepository contract. */
export function describeObservationRepositoryContract(
  name: string,
  make: MakeObservationRepository,
): void {
  describe(`ObservationRepository contract: ${name}`, () => {
    let store: ObservationRepositoryFixture;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it('starts empty', async () => {
      expect(await store.observations.count()).toBe(0);
      expect(await store.observations.list()).toEqual([]);
      expect(await store.observations.get('obs_0000000000000000')).toBeUndefined();
    });

    it('round-trips every kind of value and observability with deep equality', async () => {
      const count = makeObservation(1);
      const fact = makeObservation(2, { metric: 'crane-present', value: false, zoneId: null });
      const hidden = makeObservation(3, {
        value: null,
        observability: {
          state: 'not-observable',
          reasons: [
            { rule: 'gsd', message: 'GSD 3.00 m is coarser than the 1 m vehicle metrics need' },
          ],
          unchecked: [],
          zoneVisibleShare: 0.25,
          gsdMeters: 3,
          cloudCoverPercent: 85.5,
        },
      });
      const fraction = makeObservation(4, {
        metric: 'changed-fraction',
        value: 0.0625,
        source: { kind: 'comparison', imageId: 'img_b', runId: null, comparisonId: 'cmp_1' },
      });
      await store.observations.insertMany([count, fact, hidden, fraction]);
      for (const o of [count, fact, hidden, fraction]) {
        expect(await store.observations.get(o.id)).toEqual(o);
      }
      expect(await store.observations.count()).toBe(4);
    });

    it('inserts each id once: a second insert reports it as existing and keeps the first', async () => {
      const first = makeObservation(5);
      const again = { ...first, note: 'entered twice', enteredAt: '2024-06-01T00:00:00.000Z' };
      const other = makeObservation(6);
      expect(await store.observations.insertMany([first])).toEqual({
        inserted: [first.id],
        existing: [],
      });
      expect(await store.observations.insertMany([again, other, other])).toEqual({
        inserted: [other.id],
        existing: [first.id, other.id],
      });
      expect(await store.observations.count()).toBe(2);
      expect(await store.observations.get(first.id)).toEqual(first);
    });

    it('lists by observedAt then id, whatever the insertion order', async () => {
      const a = makeObservation(30);
      const b = makeObservation(10);
      const c = makeObservation(20);
      const sameTime = makeObservation(99, { observedAt: b.observedAt });
      await store.observations.insertMany([a, b, c, sameTime]);
      const expected = [b, sameTime].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(ids(await store.observations.list())).toEqual([...ids(expected), c.id, a.id]);
    });

    it('filters by site, zone (null: site-level only), metric, time and a set of sites', async () => {
      const parking = makeObservation(1);
      const siteLevel = makeObservation(2, { zoneId: null });
      const crane = makeObservation(3, { zoneId: 'yard', metric: 'crane-present', value: true });
      const elsewhere = makeObservation(4, { siteId: 'site-2' });
      const third = makeObservation(5, { siteId: 'site-3' });
      await store.observations.insertMany([parking, siteLevel, crane, elsewhere, third]);
      const list = store.observations.list.bind(store.observations);
      expect(ids(await list({ siteId: 'site-1' }))).toEqual(ids([parking, siteLevel, crane]));
      expect(ids(await list({ siteId: 'site-1', zoneId: null }))).toEqual([siteLevel.id]);
      expect(ids(await list({ siteId: 'site-1', zoneId: 'yard' }))).toEqual([crane.id]);
      expect(ids(await list({ metric: 'vehicles' }))).toEqual(
        ids([parking, siteLevel, elsewhere, third]),
      );
      expect(ids(await list({ since: siteLevel.observedAt, until: crane.observedAt }))).toEqual(
        ids([siteLevel, crane]),
      );
      expect(ids(await list({ siteIds: ['site-2', 'site-3'] }))).toEqual(ids([elsewhere, third]));
      expect(await list({ siteIds: [] })).toEqual([]);
    });

    it('writes all or nothing: a batch with one bad observation stores none of it', async () => {
      const good = makeObservation(7);
      const bad = {
        ...makeObservation(8),
        observability: { ...makeObservation(8).observability, state: 'maybe' },
      } as unknown as Observation;
      await expect(store.observations.insertMany([good, bad])).rejects.toThrow();
      expect(await store.observations.count()).toBe(0);
      expect(await store.observations.get(good.id)).toBeUndefined();
    });
  });
}
