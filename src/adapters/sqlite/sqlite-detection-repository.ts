/**
 * Stored detection runs in SQLite (migration 3): one JSON document per run, one row per
 * detection (class, score, lon/lat bounds for spatial queries, the detection as JSON), the run
 * and all its detections inserted in one transaction.
 */
import type { DetectionRun, StoredDetection } from '../../app/detect/detection-run.ts';
import type { DetectionRepository } from '../../app/ports.ts';
import { ConflictError } from '../../core/errors.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { isSqliteConstraint } from './sqlite-errors.ts';
import { settle } from './settle.ts';
import {
  detectionFromRow as toDetection,
  detectionToParams,
  runFromRow as toRun,
  runToParams,
  type DetectionRow,
  type RunRow,
} from '../sql-rows/detection-rows.ts';

/** {@link DetectionRepository} over an open {@link SqliteDatabase}. */
export class SqliteDetectionRepository implements DetectionRepository {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** @throws ConflictError when a run with the same id is stored. */
  insert(run: DetectionRun, detections: readonly StoredDetection[]): Promise<void> {
    return settle(() => {
      this.#db.transaction(() => {
        try {
          this.#db
            .prepare(
              'INSERT INTO detection_runs (id, image_id, model_id, model_version, created_at, detection_count, doc, schema_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            )
            .run(...runToParams(run, detections.length));
        } catch (error) {
          if (isSqliteConstraint(error, 'PRIMARYKEY')) {
            throw new ConflictError(`detection run ${run.id} is already stored`, {
              cause: error,
            });
          }
          throw error;
        }
        const insert = this.#db.prepare(
          'INSERT INTO detections (run_id, idx, class, score, min_lon, min_lat, max_lon, max_lat, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        );
        for (const d of detections) {
          insert.run(...detectionToParams(run.id, d));
        }
      });
    });
  }

  getRun(id: string): Promise<DetectionRun | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT id, doc FROM detection_runs WHERE id = ?').get(id) as
        RunRow | undefined;
      return row === undefined ? undefined : toRun(row);
    });
  }

  /** Runs on the image, newest first (then by id). */
  listRunsForImage(imageId: string): Promise<DetectionRun[]> {
    return settle(() => {
      const rows = this.#db
        .prepare(
          'SELECT id, doc FROM detection_runs WHERE image_id = ? ORDER BY created_at DESC, id',
        )
        .all(imageId) as RunRow[];
      return rows.map(toRun);
    });
  }

  listDetections(runId: string): Promise<StoredDetection[]> {
    return settle(() => {
      const rows = this.#db
        .prepare('SELECT run_id, idx, doc FROM detections WHERE run_id = ? ORDER BY idx')
        .all(runId) as DetectionRow[];
      return rows.map(toDetection);
    });
  }
}
