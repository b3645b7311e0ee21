/**
 * Assessment snapshots and watched playbooks in SQLite (migration 7). A snapshot and the
 * alerts it causes are written in one `BEGIN IMMEDIATE` transaction, like observations.
 */
import type {
  AssessmentHistoryStore,
  AssessmentSnapshot,
  DecideAssessmentAlerts,
  WatchedPlaybook,
} from '../../app/alerts/fact-stores.ts';
import type { RecordedAlerts } from '../../app/ports.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { recordAlertsInTransaction } from './sqlite-alert-repository.ts';
import { settle } from './settle.ts';
import {
  SNAPSHOT_COLUMNS,
  snapshotFromRow as toSnapshot,
  snapshotToParams,
  watchedPlaybookFromRow,
  watchedPlaybookToParams,
  type SnapshotRow,
  type WatchedPlaybookRow,
} from '../sql-rows/assessment-rows.ts';

/** {@link AssessmentHistoryStore} over an open {@link SqliteDatabase}. */
export class SqliteAssessmentHistory implements AssessmentHistoryStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  recordWithAlerts(
    snapshot: AssessmentSnapshot,
    decide: DecideAssessmentAlerts,
    decidedAtIso: string,
  ): Promise<RecordedAlerts> {
    return settle(() =>
      this.#db.transaction(() => {
        const earlier = (
          this.#db
            .prepare(
              `SELECT ${SNAPSHOT_COLUMNS} FROM assessment_snapshots
               WHERE playbook_id = ? AND hypothesis = ? AND as_of <> ? ORDER BY as_of, id`,
            )
            .all(snapshot.playbookId, snapshot.hypothesis, snapshot.asOf) as SnapshotRow[]
        ).map(toSnapshot);
        const candidates = decide(earlier);
        this.#db
          .prepare(
            `INSERT INTO assessment_snapshots (${SNAPSHOT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (playbook_id, hypothesis, playbook_sha256, as_of) DO UPDATE SET
               probability = excluded.probability, prior = excluded.prior,
               recorded_at = excluded.recorded_at`,
          )
          .run(...snapshotToParams(snapshot));
        return recordAlertsInTransaction(this.#db, candidates, decidedAtIso);
      }),
    );
  }

  listSnapshots(playbookId?: string): Promise<AssessmentSnapshot[]> {
    return settle(() => {
      const where = playbookId === undefined ? '' : ' WHERE playbook_id = ?';
      const rows = this.#db
        .prepare(
          `SELECT ${SNAPSHOT_COLUMNS} FROM assessment_snapshots${where} ORDER BY as_of, playbook_id, id`,
        )
        .all(...(playbookId === undefined ? [] : [playbookId])) as SnapshotRow[];
      return rows.map(toSnapshot);
    });
  }

  watch(playbook: WatchedPlaybook, nowIso: string): Promise<void> {
    return settle(() => {
      this.#db
        .prepare(
          `INSERT INTO watched_playbooks (playbook_id, label, doc, playbook_sha256, site_ids, added_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (playbook_id) DO UPDATE SET label = excluded.label, doc = excluded.doc,
             playbook_sha256 = excluded.playbook_sha256, site_ids = excluded.site_ids,
             added_at = excluded.added_at`,
        )
        .run(...watchedPlaybookToParams(playbook, nowIso));
    });
  }

  unwatch(playbookId: string): Promise<boolean> {
    return settle(
      () =>
        this.#db.prepare('DELETE FROM watched_playbooks WHERE playbook_id = ?').run(playbookId)
          .changes === 1,
    );
  }

  listWatched(): Promise<WatchedPlaybook[]> {
    return settle(() =>
      (
        this.#db
          .prepare(
            'SELECT playbook_id, label, doc, playbook_sha256, site_ids FROM watched_playbooks ORDER BY playbook_id',
          )
          .all() as WatchedPlaybookRow[]
      ).map(watchedPlaybookFromRow),
    );
  }
}
