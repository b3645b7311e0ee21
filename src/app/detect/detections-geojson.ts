/**
 * `detections.geojson`, the scripts' contract: a FeatureCollection with one feature per
 * detection: `properties.class`, `properties.score`, `properties.pixelPolygon` (the box's
 * corners `[[col, row], …]` in the source image's pixel grid, always present), the model id
 * and version, the image id and run id; the geometry is the lon/lat polygon, or null for
 * pixel-only imagery.
 */
import type { OutputFiles } from '../ports.ts';
import type { DetectionModelRef, StoredDetection } from './detection-run.ts';

export const DETECTIONS_FILE = 'detections.geojson';

export interface DetectionsDocument {
  readonly runId: string;
  readonly imageId: string;
  readonly model: DetectionModelRef;
  readonly detections: readonly StoredDetection[];
}

export function detectionsGeoJson(doc: DetectionsDocument) {
  return {
    type: 'FeatureCollection' as const,
    runId: doc.runId,
    imageId: doc.imageId,
    model: { id: doc.model.id, version: doc.model.version, sha256: doc.model.sha256 },
    features: doc.detections.map((d) => ({
      type: 'Feature' as const,
      id: d.index,
      geometry: d.geometry,
      properties: {
        class: d.className,
        score: d.score,
        pixelPolygon: d.pixelPolygon,
        angleRad: d.angleRad,
        zones: d.zones,
        imageId: doc.imageId,
        modelId: doc.model.id,
        modelVersion: doc.model.version,
        runId: doc.runId,
      },
    })),
  };
}

/** Writes `DIR/detections.geojson` (atomically); returns its absolute path. */
export async function writeDetectionsGeoJson(
  files: OutputFiles,
  outDir: string,
  doc: DetectionsDocument,
): Promise<string> {
  const dir = await files.ensureDir(outDir);
  const path = files.join(dir, DETECTIONS_FILE);
  await files.writeText(path, `${JSON.stringify(detectionsGeoJson(doc))}\n`);
  return path;
}
