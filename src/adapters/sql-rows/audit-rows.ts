/**
 * The `audit_log` and `reviews` rows as both SQL stores read them (SQLite migration 6,
 * PostgreSQL migration 101) and their mapping to the domain. Identity columns are numbers in
 * SQLite and bigint strings from pg.
 */
import type { AuditEntry, NewAuditEntry } from '../../core/review/audit.ts';
import type { Review } from '../../core/review/review.ts';

export interface AuditRow<Id extends number | string> {
  id: Id;
  at: string;
  actor: string;
  action: AuditEntry['action'];
  target_kind: string | null;
  target_id: string | null;
  reason: string | null;
  details: string;
}

export function auditEntryFromRow(row: AuditRow<number | string>): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    action: row.action,
    targetKind: row.target_kind,
    targetId: row.target_id,
    reason: row.reason,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}

/** Values for `INSERT INTO audit_log (at, actor, action, target_kind, target_id, reason, details)`. */
export function auditEntryToParams(entry: NewAuditEntry): (string | null)[] {
  return [
    entry.at,
    entry.actor,
    entry.action,
    entry.targetKind,
    entry.targetId,
    entry.reason,
    JSON.stringify(entry.details),
  ];
}

export interface ReviewRow<Seq extends number | string> {
  seq: Seq;
  target_kind: Review['targetKind'];
  target_id: string;
  verdict: Review['verdict'];
  reading: Review['reading'];
  reason: string;
  author: string;
  at: string;
}

export function reviewFromRow(row: ReviewRow<number | string>): Review {
  return {
    id: `rev_${row.seq}`,
    targetKind: row.target_kind,
    targetId: row.target_id,
    verdict: row.verdict,
    reading: row.reading,
    reason: row.reason,
    author: row.author,
    at: row.at,
  };
}
