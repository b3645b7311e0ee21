import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { observationsAuditEntry, reviewAuditEntry } from '../../core/review/audit.ts';
import type { NewReview } from '../../core/review/review.ts';
import { appendAuditEntryInTransaction, SqliteAuditLog } from './sqlite-audit-log.ts';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database.ts';
import { SqliteReviewRepository } from './sqlite-review-repository.ts';

const reviewOf = (n: number, overrides: Partial<NewReview> = {}): NewReview => ({
  targetKind: 'observation',
  targetId: `obs_000000000000000${n}`,
  verdict: 'reject',
  reading: null,
  reason: `reason ${n}`,
  author: n % 2 === 0 ? 'kim' : 'lee',
  at: `2026-11-2${n}T10:00:00.000Z`,
  ...overrides,
});

describe('SQLite reviews and audit log', () => {
  let dir: string;
  let db: SqliteDatabase;
  let reviews: SqliteReviewRepository;
  let audit: SqliteAuditLog;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sitewatch-review-'));
    db = openSqliteDatabase(join(dir, 'sitewatch.db'));
    reviews = new SqliteReviewRepository(db);
    audit = new SqliteAuditLog(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (review: NewReview) => reviews.append(review, reviewAuditEntry);

  it('stores reviews with their audit entries, in order, and filters them', async () => {
    const first = await record(reviewOf(1));
    const second = await record(
      reviewOf(2, {
        targetKind: 'indicator',
        targetId: 'h/crane',
        verdict: 'confirm',
        reading: 'present',
      }),
    );
    const third = await record(reviewOf(3, { targetId: first.targetId, verdict: 'confirm' }));
    expect([first.id, second.id, third.id]).toEqual(['rev_1', 'rev_2', 'rev_3']);
    expect(await reviews.list()).toEqual([first, second, third]);
    expect((await reviews.list({ targetId: first.targetId })).map((r) => r.id)).toEqual([
      'rev_1',
      'rev_3',
    ]);
    expect((await reviews.list({ targetKind: 'indicator' }))[0]).toEqual(second);
    const entries = await audit.list();
    expect(entries.map((e) => [e.id, e.action, e.actor, e.targetId])).toEqual([
      [1, 'review.reject', 'lee', first.targetId],
      [2, 'review.confirm', 'kim', 'h/crane'],
      [3, 'review.confirm', 'lee', first.targetId],
    ]);
    expect(entries[1]?.details).toEqual({ reviewId: 'rev_2', reading: 'present' });
    expect((await audit.list({ actor: 'kim' })).map((e) => e.id)).toEqual([2]);
    expect((await audit.list({ since: '2026-11-23T00:00:00.000Z' })).map((e) => e.id)).toEqual([3]);
    expect((await audit.list({ action: 'review.reject' })).map((e) => e.id)).toEqual([1]);
  });

  it('refuses to update or delete a review or an audit entry (triggers)', async () => {
    await record(reviewOf(1));
    const sql = [
      "UPDATE reviews SET reason = 'changed'",
      'DELETE FROM reviews',
      "UPDATE audit_log SET actor = 'someone else'",
      'DELETE FROM audit_log',
    ];
    for (const statement of sql) {
      expect(() => db.handle.exec(statement), statement).toThrow(/append-only/);
    }
    expect((await reviews.list())[0]?.reason).toBe('reason 1');
    expect(await audit.list()).toHaveLength(1);
  });

  it('refuses an empty reason in the table itself', () => {
    expect(() =>
      db.handle
        .prepare(
          "INSERT INTO reviews (target_kind, target_id, verdict, reason, author, at) VALUES ('observation', 'obs_1', 'reject', '  ', 'kim', '2026-01-01')",
        )
        .run(),
    ).toThrow(/CHECK constraint/);
  });

  it('stores neither the review nor its entry when either fails', async () => {
    await expect(
      reviews.append(reviewOf(1), () => {
        throw new Error('describe failed');
      }),
    ).rejects.toThrow('describe failed');
    await expect(
      // The audit insert fails (NOT NULL) after the review's: the review is rolled back too.
      reviews.append(reviewOf(2), (stored) => ({
        ...reviewAuditEntry(stored),
        actor: null as unknown as string,
      })),
    ).rejects.toThrow(/NOT NULL/);
    expect(await reviews.list()).toEqual([]);
    expect(await audit.list()).toEqual([]);
    expect(db.handle.inTransaction).toBe(false);
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
