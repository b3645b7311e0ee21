/**
 * Stored detection runs in PostgreSQL (migration 100): one JSON document per run, one row per
 * detection (class, score, lon/lat bounds, the detection as JSON), the run and all its
 * detections inserted in one transaction (one multi-row INSERT per batch).
 */
import type { DetectionRun, StoredDetection } from '../../app/detect/detection-run.ts';
import type { DetectionRepository } from '../../app/ports.ts';
import { ConflictError } from '../../core/errors.ts';
import { isUniqueViolation, type PostgresDatabase } from './pg-database.ts';
import {
  detectionFromRow as toDetection,
  detectionToParams,
  runFromRow as toRun,
  runToParams,
  type DetectionRow,
  type RunRow,
} from '../sql-rows/detection-rows.ts';

/** Detections per INSERT statement (9 parameters each, far below PostgreSQL's 65,535). */
const BATCH = 500;

/** {@link DetectionRepository} over a {@link PostgresDatabase}. */
export class PgDetectionRepository implements DetectionRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  /** @throws ConflictError when a run with the same id is stored (nothing of it is written). */
  async insert(run: DetectionRun, detections: readonly StoredDetection[]): Promise<void> {
    await this.#db.withTransaction(async (client) => {
      try {
        await client.query(
          'INSERT INTO detection_runs (id, image_id, model_id, model_version, created_at, detection_count, doc, schema_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          runToParams(run, detections.length),
        );
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictError(`detection run ${run.id} is already stored`, { cause: error });
        }
        throw error;
      }
      for (let start = 0; start < detections.length; start += BATCH) {
        const batch = detections.slice(start, start + BATCH);
        const params: unknown[] = [];
        const tuples = batch.map((d) => {
          const base = params.length;
          params.push(...detectionToParams(run.id, d));
          return `(${Array.from({ length: 9 }, (_, i) => `$${base + i + 1}`).join(', ')})`;
        });
        await client.query(
          `INSERT INTO detections (run_id, idx, class, score, min_lon, min_lat, max_lon, max_lat, doc) VALUES ${tuples.join(', ')}`,
          params,
        );
      }
    });
  }

  async getRun(id: string): Promise<DetectionRun | undefined> {
    const { rows } = await this.#db.query<RunRow>(
      'SELECT id, doc FROM detection_runs WHERE id = $1',
      [id],
    );
    const row = rows[0];
    return row === undefined ? undefined : toRun(row);
  }

  /** Runs on the image, newest first (then by id). */
  async listRunsForImage(imageId: string): Promise<DetectionRun[]> {
    const { rows } = await this.#db.query<RunRow>(
      'SELECT id, doc FROM detection_runs WHERE image_id = $1 ORDER BY created_at DESC, id',
      [imageId],
    );
    return rows.map(toRun);
  }

  async listDetections(runId: string): Promise<StoredDetection[]> {
    const { rows } = await this.#db.query<DetectionRow>(
      'SELECT run_id, idx, doc FROM detections WHERE run_id = $1 ORDER BY idx',
      [runId],
    );
    return rows.map(toDetection);
  }
}
