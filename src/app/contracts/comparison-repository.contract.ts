/**
 * The behaviour every ComparisonRepository adapter must show (SQLite and PostgreSQL). Call
 * {@link describeComparisonRepositoryContract} from the adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Comparison } from '../../core/change/comparison.ts';
import { ConflictError } from '../../core/errors.ts';
import type { ComparisonRepository } from '../ports.ts';

export interface ComparisonRepositoryFixture {
  readonly comparisons: ComparisonRepository;
  close(): Promise<void>;
}

/** A small CVA comparison of `imageA` and `imageB`. */
export function makeComparison(
  id: string,
  imageA: string,
  imageB: string,
  createdAt: string,
): Comparison {
  return {
    schemaVersion: 1,
    id,
    imageA,
    imageB,
    sha256A: 'a'.repeat(64),
    sha256B: 'b'.repeat(64),
    createdAt,
    parameters: {
      method: 'cva',
      siteId: null,
      thresholdOverride: null,
      threshold: 2.5,
      minMappingUnitM2: 400,
      minMappingUnitPixels: 4,
      irmadIterations: null,
      morphologyRadiusPx: 1,
      reliabilityThreshold: 0.5,
      siteBufferMeters: null,
      bands: ['b2', 'b3'],
      resampling: 'bilinear',
    },
    grid: {
      crs: 'EPSG:32631',
      geoTransform: [0, 10, 0, 0, 0, -10],
      width: 4,
      height: 3,
      gsdMeters: 10,
    },
    registration: {
      dx: 0.25,
      dy: -1,
      residualMedianPx: null,
      residualP90Px: null,
      residualMedianM: null,
      residualP90M: null,
      confidence: 0.9,
      reliable: true,
      applied: true,
      decimation: 1,
    },
    changedFraction: 0.5,
    validPixels: 12,
    changedPixels: 6,
    polygonCount: 1,
    zones: [],
    outputs: null,
    softwareVersion: '0.0.0-test',
    timingsMs: { totalMs: 3 },
  };
}

/** The shared ComparisonRepository contract. */
export function describeComparisonRepositoryContract(
  name: string,
  make: () => Promise<ComparisonRepositoryFixture>,
): void {
  describe(`ComparisonRepository contract: ${name}`, () => {
    let store: ComparisonRepositoryFixture;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores a comparison and reads it back whole, by id and by image', async () => {
      const repo = store.comparisons;
      const first = makeComparison('cmp_1', 'img_a', 'img_b', '2026-01-01T00:00:00.000Z');
      const second = makeComparison('cmp_2', 'img_b', 'img_c', '2026-01-02T00:00:00.000Z');
      await repo.insert(first);
      await repo.insert(second);
      expect(await repo.get('cmp_1')).toEqual(first);
      expect(await repo.get('cmp_missing')).toBeUndefined();
      expect((await repo.listForImage('img_b')).map((c) => c.id)).toEqual(['cmp_2', 'cmp_1']);
      expect((await repo.listForImage('img_a')).map((c) => c.id)).toEqual(['cmp_1']);
      expect(await repo.listForImage('img_none')).toEqual([]);
    });

    it('keeps numbers JSON cannot hold (NaN, Infinity, -0)', async () => {
      const odd = {
        ...makeComparison('cmp_odd', 'img_a', 'img_b', '2026-01-01T00:00:00.000Z'),
        changedFraction: NaN,
        registration: {
          ...makeComparison('x', 'a', 'b', 't').registration,
          dx: -0,
          residualMedianPx: Infinity,
        },
      };
      await store.comparisons.insert(odd);
      const back = await store.comparisons.get('cmp_odd');
      expect(back?.changedFraction).toBeNaN();
      expect(Object.is(back?.registration.dx, -0)).toBe(true);
      expect(back?.registration.residualMedianPx).toBe(Infinity);
    });

    it('refuses a duplicate id with a ConflictError, keeping the first', async () => {
      const repo = store.comparisons;
      const first = makeComparison('cmp_1', 'img_a', 'img_b', '2026-01-01T00:00:00.000Z');
      await repo.insert(first);
      await expect(repo.insert({ ...first, changedFraction: 0.1 })).rejects.toThrow(/cmp_1/);
      await expect(repo.insert({ ...first, changedFraction: 0.1 })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await repo.get('cmp_1'))?.changedFraction).toBe(0.5);
    });
  });
}
