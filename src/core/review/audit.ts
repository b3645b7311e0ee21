/**
 * The audit log: who did what, when and why. Entries are appended, never changed; each is
 * written in the same transaction as the change it describes.
 */
import type { Review } from './review.ts';

/** Actions recorded so far; others may be added (the column is free text). */
export const AUDIT_ACTIONS = [
  'review.confirm',
  'review.reject',
  'observation.add',
  'observation.import',
  'observation.derive',
  'user.add',
  'token.create',
  'annotation.create',
  'annotation.update',
  'annotation.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** An entry as written, before the log numbers it. */
export interface NewAuditEntry {
  /** ISO 8601 UTC. */
  readonly at: string;
  /** Who: an analyst's name, or `sitewatch` for automatic steps. */
  readonly actor: string;
  readonly action: AuditAction;
  readonly targetKind: string | null;
  readonly targetId: string | null;
  readonly reason: string | null;
  /** Anything else worth keeping, as JSON. */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends NewAuditEntry {
  /** 1, 2, 3, … in the order written. */
  readonly id: number;
}

/** The entry that records a review. */
export function reviewAuditEntry(review: Review): NewAuditEntry {
  return {
    at: review.at,
    actor: review.author,
    action: review.verdict === 'confirm' ? 'review.confirm' : 'review.reject',
    targetKind: review.targetKind,
    targetId: review.targetId,
    reason: review.reason,
    details: { reviewId: review.id, reading: review.reading },
  };
}

/**
 * The entry that records observations stored by `observe add` (one), `observe import` or
 * `observe derive`.
 */
export function observationsAuditEntry(
  action: 'observation.add' | 'observation.import' | 'observation.derive',
  actor: string,
  at: string,
  inserted: readonly string[],
  label: string | null,
): NewAuditEntry {
  return {
    at,
    actor,
    action,
    targetKind: 'observation',
    targetId: inserted.length === 1 ? (inserted[0] ?? null) : null,
    reason: null,
    details: { inserted, ...(label === null ? {} : { file: label }) },
  };
}
