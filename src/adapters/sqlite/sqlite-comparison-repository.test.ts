import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../core/change/comparison.ts';
import { ConflictError, UnsupportedError } from '../../core/errors.ts';
import { SqliteComparisonRepository } from './sqlite-comparison-repository.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

function comparison(id: string, imageA: string, imageB: string, createdAt: string): Comparison {
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

describe('SqliteComparisonRepository', () => {
  it('stores a comparison and reads it back whole, by id and by image', async () => {
    const db = openSqliteDatabase(':memory:');
    const repo = new SqliteComparisonRepository(db);
    const first = comparison('cmp_1', 'img_a', 'img_b', '2026-01-01T00:00:00.000Z');
    const second = comparison('cmp_2', 'img_b', 'img_c', '2026-01-02T00:00:00.000Z');
    await repo.insert(first);
    await repo.insert(second);
    expect(await repo.get('cmp_1')).toEqual(first);
    expect(await repo.get('cmp_missing')).toBeUndefined();
    expect((await repo.listForImage('img_b')).map((c) => c.id)).toEqual(['cmp_2', 'cmp_1']);
    expect((await repo.listForImage('img_a')).map((c) => c.id)).toEqual(['cmp_1']);
    db.close();
  });

  it('refuses a duplicate id with a ConflictError, keeping the first', async () => {
    const db = openSqliteDatabase(':memory:');
    const repo = new SqliteComparisonRepository(db);
    const first = comparison('cmp_1', 'img_a', 'img_b', '2026-01-01T00:00:00.000Z');
    await repo.insert(first);
    await expect(repo.insert({ ...first, changedFraction: 0.1 })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await repo.get('cmp_1'))?.changedFraction).toBe(0.5);
    db.close();
  });

  it('refuses a document written by a newer sitewatch', async () => {
    const db = openSqliteDatabase(':memory:');
    db.prepare(
      "INSERT INTO comparisons (id, image_a, image_b, created_at, doc, schema_version) VALUES ('cmp_x', 'a', 'b', 't', '{\"schemaVersion\":99}', 99)",
    ).run();
    await expect(new SqliteComparisonRepository(db).get('cmp_x')).rejects.toBeInstanceOf(
      UnsupportedError,
    );
    db.close();
  });
});
