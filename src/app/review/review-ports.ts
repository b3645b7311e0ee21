/**
 * Ports for reviews and the audit log (kept beside their use cases rather than in ports.ts).
 */
import type { AuditAction, AuditEntry, NewAuditEntry } from '../../core/review/audit.ts';
import type { NewReview, Review, ReviewTargetKind } from '../../core/review/review.ts';

export interface ReviewFilter {
  readonly targetKind?: ReviewTargetKind;
  readonly targetId?: string;
}

/** Reviews, append-only: a later review of a target supersedes an earlier one. */
export interface ReviewRepository {
  /**
   * Stores the review and the audit entry `audit` makes of it in one transaction (both or
   * neither), and returns the review with its id (`rev_<n>`, n increasing).
   */
  append(review: NewReview, audit: (stored: Review) => NewAuditEntry): Promise<Review>;
  /** Reviews in the order stored (so the last of a target is the latest entered). */
  list(filter?: ReviewFilter): Promise<Review[]>;
}

export interface AuditFilter {
  /** ISO 8601 UTC; entries at or after. */
  readonly since?: string;
  readonly actor?: string;
  readonly action?: AuditAction;
  readonly targetId?: string;
}

/**
 * The append-only audit log, for reading. Entries are written by the repository that stores
 * the write they describe, in the same transaction.
 */
export interface AuditLog {
  /** Entries in the order written. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
}
