/**
 * Assessment snapshots and watched playbooks in PostgreSQL (migration 102). A snapshot and
 * the alerts it causes are written in one transaction, after the alert-recording lock, like
 * observations; the decision reads the earlier snapshots inside that transaction.
 */
import type {
  AssessmentHistoryStore,
  AssessmentSnapshot,
  DecideAssessmentAlerts,
  WatchedPlaybook,
} from '../../app/alerts/fact-stores.ts';
import type { RecordedAlerts } from '../../app/ports.ts';
import { lockAlertRecording, recordPgAlertsInTransaction } from './pg-alert-repository.ts';
import type { PostgresDatabase } from './pg-database.ts';
import {
  SNAPSHOT_COLUMNS,
  snapshotFromRow as toSnapshot,
  snapshotToParams,
  watchedPlaybookFromRow,
  watchedPlaybookToParams,
  type SnapshotRow,
  type WatchedPlaybookRow,
} from '../sql-rows/assessment-rows.ts';

/** {@link AssessmentHistoryStore} over a {@link PostgresDatabase}. */
export class PgAssessmentHistory implements AssessmentHistoryStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  recordWithAlerts(
    snapshot: AssessmentSnapshot,
    decide: DecideAssessmentAlerts,
    decidedAtIso: string,
  ): Promise<RecordedAlerts> {
    return this.#db.withTransaction(async (client) => {
      await lockAlertRecording(client);
      const { rows } = await client.query<SnapshotRow>(
        `SELECT ${SNAPSHOT_COLUMNS} FROM assessment_snapshots
         WHERE playbook_id = $1 AND hypothesis = $2 AND as_of <> $3 ORDER BY as_of, id`,
        [snapshot.playbookId, snapshot.hypothesis, snapshot.asOf],
      );
      const candidates = decide(rows.map(toSnapshot));
      await client.query(
        `INSERT INTO assessment_snapshots (${SNAPSHOT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (playbook_id, hypothesis, playbook_sha256, as_of) DO UPDATE SET
           probability = excluded.probability, prior = excluded.prior,
           recorded_at = excluded.recorded_at`,
        snapshotToParams(snapshot),
      );
      return recordPgAlertsInTransaction(client, candidates, decidedAtIso);
    });
  }

  async listSnapshots(playbookId?: string): Promise<AssessmentSnapshot[]> {
    const where = playbookId === undefined ? '' : ' WHERE playbook_id = $1';
    const { rows } = await this.#db.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM assessment_snapshots${where} ORDER BY as_of, playbook_id, id`,
      playbookId === undefined ? [] : [playbookId],
    );
    return rows.map(toSnapshot);
  }

  async watch(playbook: WatchedPlaybook, nowIso: string): Promise<void> {
    await this.#db.query(
      `INSERT INTO watched_playbooks (playbook_id, label, doc, playbook_sha256, site_ids, added_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (playbook_id) DO UPDATE SET label = excluded.label, doc = excluded.doc,
         playbook_sha256 = excluded.playbook_sha256, site_ids = excluded.site_ids,
         added_at = excluded.added_at`,
      watchedPlaybookToParams(playbook, nowIso),
    );
  }

  async unwatch(playbookId: string): Promise<boolean> {
    const result = await this.#db.query('DELETE FROM watched_playbooks WHERE playbook_id = $1', [
      playbookId,
    ]);
    return result.rowCount === 1;
  }

  async listWatched(): Promise<WatchedPlaybook[]> {
    const { rows } = await this.#db.query<WatchedPlaybookRow>(
      'SELECT playbook_id, label, doc, playbook_sha256, site_ids FROM watched_playbooks ORDER BY playbook_id',
    );
    return rows.map(watchedPlaybookFromRow);
  }
}
