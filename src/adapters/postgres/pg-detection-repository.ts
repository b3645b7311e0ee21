/**
 * Stored detection runs in PostgreSQL (migration 100): one JSON document per run, one row per
 * detection (class, score, lon/lat bounds, the detection as JSON), the run and all its
 * detections inserted in one transaction (one multi-row INSERT per batch).
 */
import {
  DETECTION_RUN_SCHEMA_VERSION,
  type DetectionRun,
  type StoredDetection,
} from '../../app/detect/detection-run.ts';
import type { DetectionRepository } from '../../app/ports.ts';
import { ConflictError, CorruptFileError } from '../../core/errors.ts';
import {
  decodeDocument,
  encodeDocument,
  readStoredDocument,
  type DocumentSchema,
} from '../sqlite/stored-document.ts';
import { isUniqueViolation, type PostgresDatabase } from './pg-database.ts';

const RUN_SCHEMA: DocumentSchema = {
  kind: 'detection run',
  currentVersion: DETECTION_RUN_SCHEMA_VERSION,
  upgrades: new Map(),
};

/** Detections per INSERT statement (9 parameters each, far below PostgreSQL's 65,535). */
const BATCH = 500;

interface RunRow {
  id: string;
  doc: string;
}

interface DetectionRow {
  run_id: string;
  idx: number;
  doc: string;
}

function toRun(row: RunRow): DetectionRun {
  return readStoredDocument(row.doc, row.id, RUN_SCHEMA) as unknown as DetectionRun;
}

function toDetection(row: DetectionRow): StoredDetection {
  try {
    return decodeDocument(row.doc) as StoredDetection;
  } catch (error) {
    throw new CorruptFileError(
      `detection ${row.idx} of run ${row.run_id}: stored document is not JSON`,
      { cause: error },
    );
  }
}

/** lon/lat bounds of a detection's polygon, or nulls for pixel-only imagery. */
function bounds(d: StoredDetection): [number | null, number | null, number | null, number | null] {
  const ring = d.geometry?.coordinates[0];
  if (ring === undefined || ring.length === 0) return [null, null, null, null];
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  for (const [lon, lat] of ring) {
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
  }
  return [minLon, minLat, maxLon, maxLat];
}

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
          [
            run.id,
            run.imageId,
            run.model.id,
            run.model.version,
            run.createdAt,
            detections.length,
            encodeDocument(run),
            run.schemaVersion,
          ],
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
          params.push(run.id, d.index, d.className, d.score, ...bounds(d), encodeDocument(d));
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
