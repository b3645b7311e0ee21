/**
 * The `assessment_snapshots` and `watched_playbooks` rows as both SQL stores read and write
 * them (SQLite migration 7, PostgreSQL migration 102).
 */
import type { AssessmentSnapshot, WatchedPlaybook } from '../../app/alerts/fact-stores.ts';

export interface SnapshotRow {
  playbook_id: string;
  hypothesis: string;
  as_of: string;
  probability: number;
  prior: number;
  playbook_sha256: string;
  recorded_at: string;
}

/** The snapshot columns, in the order of {@link snapshotToParams}. */
export const SNAPSHOT_COLUMNS =
  'playbook_id, hypothesis, as_of, probability, prior, playbook_sha256, recorded_at';

export function snapshotFromRow(row: SnapshotRow): AssessmentSnapshot {
  return {
    playbookId: row.playbook_id,
    hypothesis: row.hypothesis,
    asOf: row.as_of,
    probability: row.probability,
    prior: row.prior,
    playbookSha256: row.playbook_sha256,
    recordedAt: row.recorded_at,
  };
}

export function snapshotToParams(snapshot: AssessmentSnapshot): (string | number)[] {
  return [
    snapshot.playbookId,
    snapshot.hypothesis,
    snapshot.asOf,
    snapshot.probability,
    snapshot.prior,
    snapshot.playbookSha256,
    snapshot.recordedAt,
  ];
}

export interface WatchedPlaybookRow {
  playbook_id: string;
  label: string;
  doc: string;
  playbook_sha256: string;
  site_ids: string;
}

export function watchedPlaybookFromRow(row: WatchedPlaybookRow): WatchedPlaybook {
  return {
    playbookId: row.playbook_id,
    label: row.label,
    json: JSON.parse(row.doc) as unknown,
    playbookSha256: row.playbook_sha256,
    siteIds: JSON.parse(row.site_ids) as string[],
  };
}

/**
 * Values for `INSERT INTO watched_playbooks (playbook_id, label, doc, playbook_sha256,
 * site_ids, added_at)`.
 */
export function watchedPlaybookToParams(playbook: WatchedPlaybook, nowIso: string): string[] {
  return [
    playbook.playbookId,
    playbook.label,
    JSON.stringify(playbook.json),
    playbook.playbookSha256,
    JSON.stringify(playbook.siteIds),
    nowIso,
  ];
}
