/**
 * The `detection_runs` and `detections` rows as both SQL stores read and write them (SQLite
 * migration 3, PostgreSQL migration 100): one JSON document per run, one row per detection.
 */
import {
  DETECTION_RUN_SCHEMA_VERSION,
  type DetectionRun,
  type StoredDetection,
} from '../../app/detect/detection-run.ts';
import { CorruptFileError } from '../../core/errors.ts';
import {
  decodeDocument,
  encodeDocument,
  readStoredDocument,
  type DocumentSchema,
} from '../sqlite/stored-document.ts';

const RUN_SCHEMA: DocumentSchema = {
  kind: 'detection run',
  currentVersion: DETECTION_RUN_SCHEMA_VERSION,
  upgrades: new Map(),
};

export interface RunRow {
  id: string;
  doc: string;
}

export interface DetectionRow {
  run_id: string;
  idx: number;
  doc: string;
}

export function runFromRow(row: RunRow): DetectionRun {
  return readStoredDocument(row.doc, row.id, RUN_SCHEMA) as unknown as DetectionRun;
}

export function detectionFromRow(row: DetectionRow): StoredDetection {
  try {
    return decodeDocument(row.doc) as StoredDetection;
  } catch (error) {
    throw new CorruptFileError(
      `detection ${row.idx} of run ${row.run_id}: stored document is not JSON`,
      { cause: error },
    );
  }
}

/**
 * Values for `INSERT INTO detection_runs (id, image_id, model_id, model_version, created_at,
 * detection_count, doc, schema_version)`.
 */
export function runToParams(run: DetectionRun, detectionCount: number): (string | number)[] {
  return [
    run.id,
    run.imageId,
    run.model.id,
    run.model.version,
    run.createdAt,
    detectionCount,
    encodeDocument(run),
    run.schemaVersion,
  ];
}

/**
 * Values for `INSERT INTO detections (run_id, idx, class, score, min_lon, min_lat, max_lon,
 * max_lat, doc)`.
 */
export function detectionToParams(runId: string, d: StoredDetection): (string | number | null)[] {
  return [runId, d.index, d.className, d.score, ...bounds(d), encodeDocument(d)];
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
