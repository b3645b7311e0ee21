import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeReviewRepositoryContract } from '../../app/contracts/review-repository.contract.ts';
import { observationsAuditEntry } from '../../core/review/audit.ts';
import { appendAuditEntryInTransaction, SqliteAuditLog } from './sqlite-audit-log.ts';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database.ts';
import { SqliteReviewRepository } from './sqlite-review-repository.ts';

describeReviewRepositoryContract('SQLite (temp file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-review-'));
  const db = openSqliteDatabase(join(dir, 'sitewatch.db'));
  return Promise.resolve({
    reviews: new SqliteReviewRepository(db),
    audit: new SqliteAuditLog(db),
    exec: (sql: string) => {
      try {
        db.handle.exec(sql);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    close: () => {
      expect(db.handle.inTransaction).toBe(false);
      db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});

describe('SQLite audit log beyond the contract', () => {
  let dir: string;
  let db: SqliteDatabase;
  let audit: SqliteAuditLog;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sitewatch-review-'));
    db = openSqliteDatabase(join(dir, 'sitewatch.db'));
    audit = new SqliteAuditLog(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("appends an entry inside another writer's transaction, and only there", async () => {
    const entry = observationsAuditEntry(
      'observation.import',
      'kim',
      '2026-11-27T10:00:00.000Z',
      ['obs_1', 'obs_2'],
      'file.json',
    );
    expect(() => {
      appendAuditEntryInTransaction(db, entry);
    }).toThrow(/inside a transaction/);
    expect(() =>
      db.transaction(() => {
        appendAuditEntryInTransaction(db, entry);
        throw new Error('the write failed');
      }),
    ).toThrow('the write failed');
    expect(await audit.list()).toEqual([]);
    db.transaction(() => {
      appendAuditEntryInTransaction(db, entry);
    });
    expect(await audit.list()).toEqual([
      { ...entry, id: 1, details: { inserted: ['obs_1', 'obs_2'], file: 'file.json' } },
    ]);
  });
});
