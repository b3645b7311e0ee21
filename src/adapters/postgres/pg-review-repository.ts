/**
 * Analyst reviews in PostgreSQL (migration 101): append-only rows; triggers refuse UPDATE,
 * DELETE and TRUNCATE, so a review is superseded only by a later one of the same target.
 */
import type { NewReview, Review } from '../../core/review/review.ts';
import type { ReviewFilter, ReviewRepository } from '../../app/review/review-ports.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import { appendPgAuditEntry } from './pg-audit-log.ts';
import type { PostgresDatabase } from './pg-database.ts';
import {
  reviewFromRow as toReview,
  type ReviewRow as SqlReviewRow,
} from '../sql-rows/audit-rows.ts';

type ReviewRow = SqlReviewRow<string>;

/** {@link ReviewRepository} over a {@link PostgresDatabase}. */
export class PgReviewRepository implements ReviewRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  append(review: NewReview, audit: (stored: Review) => NewAuditEntry): Promise<Review> {
    return this.#db.withTransaction(async (client) => {
      const { rows } = await client.query<{ seq: string }>(
        `INSERT INTO reviews (target_kind, target_id, verdict, reading, reason, author, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`,
        [
          review.targetKind,
          review.targetId,
          review.verdict,
          review.reading,
          review.reason,
          review.author,
          review.at,
        ],
      );
      const stored: Review = { id: `rev_${rows[0]?.seq ?? '?'}`, ...review };
      await appendPgAuditEntry(client, audit(stored));
      return stored;
    });
  }

  async list(filter: ReviewFilter = {}): Promise<Review[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.targetKind !== undefined) {
      params.push(filter.targetKind);
      where.push(`target_kind = $${params.length}`);
    }
    if (filter.targetId !== undefined) {
      params.push(filter.targetId);
      where.push(`target_id = $${params.length}`);
    }
    const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
    const { rows } = await this.#db.query<ReviewRow>(
      `SELECT * FROM reviews${clause} ORDER BY seq`,
      params,
    );
    return rows.map(toReview);
  }
}
