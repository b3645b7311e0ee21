/**
 * Analyst reviews in SQLite (migration 6): append-only rows; triggers refuse UPDATE and
 * DELETE, so a review is superseded only by a later one of the same target.
 */
import type { NewReview, Review } from '../../core/review/review.ts';
import type { ReviewFilter, ReviewRepository } from '../../app/review/review-ports.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import { appendAuditEntryInTransaction } from './sqlite-audit-log.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { settle } from './settle.ts';
import {
  reviewFromRow as toReview,
  type ReviewRow as SqlReviewRow,
} from '../sql-rows/audit-rows.ts';

type ReviewRow = SqlReviewRow<number>;

/** {@link ReviewRepository} over an open {@link SqliteDatabase}. */
export class SqliteReviewRepository implements ReviewRepository {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  append(review: NewReview, audit: (stored: Review) => NewAuditEntry): Promise<Review> {
    return settle(() =>
      this.#db.transaction(() => {
        const stored = this.#insert(review);
        appendAuditEntryInTransaction(this.#db, audit(stored));
        return stored;
      }),
    );
  }

  #insert(review: NewReview): Review {
    const result = this.#db
      .prepare(
        `INSERT INTO reviews (target_kind, target_id, verdict, reading, reason, author, at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        review.targetKind,
        review.targetId,
        review.verdict,
        review.reading,
        review.reason,
        review.author,
        review.at,
      );
    return { id: `rev_${Number(result.lastInsertRowid)}`, ...review };
  }

  list(filter: ReviewFilter = {}): Promise<Review[]> {
    return settle(() => {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.targetKind !== undefined) {
        where.push('target_kind = ?');
        params.push(filter.targetKind);
      }
      if (filter.targetId !== undefined) {
        where.push('target_id = ?');
        params.push(filter.targetId);
      }
      const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
      const rows = this.#db
        .prepare(`SELECT * FROM reviews${clause} ORDER BY seq`)
        .all(...params) as ReviewRow[];
      return rows.map(toReview);
    });
  }
}
