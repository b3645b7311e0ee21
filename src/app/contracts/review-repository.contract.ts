/**
 * The behaviour every ReviewRepository + AuditLog adapter must show (SQLite and PostgreSQL):
 * reviews and their audit entries stored together or not at all, and both tables append-only
 * in the database itself. Call {@link describeReviewRepositoryContract} from the adapter's
 * test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reviewAuditEntry } from '../../core/review/audit.ts';
import type { NewReview } from '../../core/review/review.ts';
import type { AuditLog, ReviewRepository } from '../review/review-ports.ts';

export interface ReviewRepositoryFixture {
  readonly reviews: ReviewRepository;
  readonly audit: AuditLog;
  /** Runs raw SQL on the store (the append-only checks go around the repository). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Review `n` of an observation (lee and kim alternate), entered on 2026-11-2n. */
export function makeReview(n: number, overrides: Partial<NewReview> = {}): NewReview {
  return {
    targetKind: 'observation',
    targetId: `obs_000000000000000${n}`,
    verdict: 'reject',
    reading: null,
    reason: `reason ${n}`,
    author: n % 2 === 0 ? 'kim' : 'lee',
    at: `2026-11-2${n}T10:00:00.000Z`,
    ...overrides,
  };
}

/** The shared ReviewRepository + AuditLog contract. */
export function describeReviewRepositoryContract(
  name: string,
  make: () => Promise<ReviewRepositoryFixture>,
): void {
  describe(`ReviewRepository contract: ${name}`, () => {
    let store: ReviewRepositoryFixture;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    const record = (review: NewReview) => store.reviews.append(review, reviewAuditEntry);

    it('stores reviews with their audit entries, in order, and filters them', async () => {
      const first = await record(makeReview(1));
      const second = await record(
        makeReview(2, {
          targetKind: 'indicator',
          targetId: 'h/crane',
          verdict: 'confirm',
          reading: 'present',
        }),
      );
      const third = await record(makeReview(3, { targetId: first.targetId, verdict: 'confirm' }));
      expect([first.id, second.id, third.id]).toEqual(['rev_1', 'rev_2', 'rev_3']);
      expect(await store.reviews.list()).toEqual([first, second, third]);
      expect((await store.reviews.list({ targetId: first.targetId })).map((r) => r.id)).toEqual([
        'rev_1',
        'rev_3',
      ]);
      expect((await store.reviews.list({ targetKind: 'indicator' }))[0]).toEqual(second);
      const entries = await store.audit.list();
      expect(entries.map((e) => [e.id, e.action, e.actor, e.targetId])).toEqual([
        [1, 'review.reject', 'lee', first.targetId],
        [2, 'review.confirm', 'kim', 'h/crane'],
        [3, 'review.confirm', 'lee', first.targetId],
      ]);
      expect(entries[1]?.details).toEqual({ reviewId: 'rev_2', reading: 'present' });
      expect((await store.audit.list({ actor: 'kim' })).map((e) => e.id)).toEqual([2]);
      expect(
        (await store.audit.list({ since: '2026-11-23T00:00:00.000Z' })).map((e) => e.id),
      ).toEqual([3]);
      expect((await store.audit.list({ action: 'review.reject' })).map((e) => e.id)).toEqual([1]);
      expect((await store.audit.list({ targetId: 'h/crane' })).map((e) => e.id)).toEqual([2]);
    });

    it('refuses to update or delete a review or an audit entry in the database', async () => {
      await record(makeReview(1));
      const sql = [
        "UPDATE reviews SET reason = 'changed'",
        'DELETE FROM reviews',
        "UPDATE audit_log SET actor = 'someone else'",
        'DELETE FROM audit_log',
      ];
      for (const statement of sql) {
        await expect(store.exec(statement), statement).rejects.toThrow(/append-only/);
      }
      expect((await store.reviews.list())[0]?.reason).toBe('reason 1');
      expect(await store.audit.list()).toHaveLength(1);
    });

    it('refuses an empty reason in the table itself', async () => {
      await expect(
        store.exec(
          "INSERT INTO reviews (target_kind, target_id, verdict, reason, author, at) VALUES ('observation', 'obs_1', 'reject', '  ', 'kim', '2026-01-01')",
        ),
      ).rejects.toThrow(/check constraint/i);
    });

    it('stores neither the review nor its entry when either fails', async () => {
      await expect(
        store.reviews.append(makeReview(1), () => {
          throw new Error('describe failed');
        }),
      ).rejects.toThrow('describe failed');
      await expect(
        // The audit insert fails (NOT NULL) after the review's: the review is rolled back too.
        store.reviews.append(makeReview(2), (stored) => ({
          ...reviewAuditEntry(stored),
          actor: null as unknown as string,
        })),
      ).rejects.toThrow(/not.null/i);
      expect(await store.reviews.list()).toEqual([]);
      expect(await store.audit.list()).toEqual([]);
      const next = await record(makeReview(3));
      expect((await store.reviews.list()).map((r) => r.id)).toEqual([next.id]);
    });
  });
}
