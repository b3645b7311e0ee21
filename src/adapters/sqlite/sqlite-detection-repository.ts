/**
 * Stored detection runs in SQLite (migration 3): one JSON document per run, one row per
 * detection (class, score, lon/lat bounds for spatial queries, the detection as JSON), the run
 * and all its detections inserted in one transaction.
 */
import {
  DETECTION_RUN_SCHEMA_VERSION,
  type DetectionRun,
  type StoredDetection,
} from '../../app/detect/detection-run.ts';
import type { DetectionRepository } from '../../app/ports.ts';
import { ConflictError, CorruptFileError } from '../../core/errors.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import {
  decodeDocument,
  encodeDocument,
  readStoredDocument,
  type DocumentSchema,
} from './stored-document.ts';
import { isSqliteConstraint } from './sqlite-errors.ts';
import { settle } from './settle.ts';

const RUN_SCHEMA: DocumentSchema = {
  kind: 'detection run',
  currentVersion: DETECTION_RUN_SCHEMA_VERSION,
  upgrades: new Map(),
};

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
            .run(
              run.id,
              run.imageId,
              run.model.id,
              run.model.version,
              run.createdAt,
              detections.length,
              encodeDocument(run),
              run.schemaVersion,
            );
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
          insert.run(run.id, d.index, d.className, d.score, ...bounds(d), encodeDocument(d));
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
