import { describe, expect, it } from 'vitest';
import { describeComparisonRepositoryContract } from '../../app/contracts/comparison-repository.contract.ts';
import { UnsupportedError } from '../../core/errors.ts';
import { SqliteComparisonRepository } from './sqlite-comparison-repository.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

describeComparisonRepositoryContract('SQLite (in memory)', () => {
  const db = openSqliteDatabase(':memory:');
  return Promise.resolve({
    comparisons: new SqliteComparisonRepository(db),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  });
});

describe('SqliteComparisonRepository beyond the contract', () => {
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
