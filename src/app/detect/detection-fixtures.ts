/** Deterministic detection runs for repository contracts and crash tests. */
import {
  DETECTION_RUN_SCHEMA_VERSION,
  type DetectionRun,
  type StoredDetection,
} from './detection-run.ts';

/** Detection `index` of run `runIndex`: a 4 × 2 px box, georeferenced when `geo`. */
export function makeStoredDetection(
  runIndex: number,
  index: number,
  geo: boolean,
): StoredDetection {
  const col = 10 + index * 7 + runIndex;
  const row = 20 + index * 3;
  const pixelPolygon: [number, number][] = [
    [col - 2, row - 1],
    [col + 2, row - 1],
    [col + 2, row + 1],
    [col - 2, row + 1],
  ];
  const lonLat = (p: readonly [number, number]): [number, number] => [
    2.38 + p[0] * 1e-5,
    48.83 - p[1] * 1e-5,
  ];
  return {
    index,
    className: index % 3 === 0 ? 'large-vehicle' : 'small-vehicle',
    score: 0.99 - index * 0.01,
    pixelPolygon,
    centerCol: col,
    centerRow: row,
    widthPx: 4,
    heightPx: 2,
    angleRad: 0,
    geometry: geo
      ? {
          type: 'Polygon',
          coordinates: [[...pixelPolygon, [col - 2, row - 1] as const].map(lonLat)],
        }
      : null,
    zones: index % 2 === 0 ? ['north'] : [],
  };
}

/** Run number `index` on `imageId` with `count` detections. */
export function makeDetectionRun(
  index: number,
  imageId: string,
  count: number,
  createdAt: string,
): { run: DetectionRun; detections: StoredDetection[] } {
  const detections = Array.from({ length: count }, (_, i) => makeStoredDetection(index, i, true));
  const counts: Record<string, number> = { 'small-vehicle': 0, 'large-vehicle': 0 };
  for (const d of detections) counts[d.className] = (counts[d.className] ?? 0) + 1;
  const run: DetectionRun = {
    schemaVersion: DETECTION_RUN_SCHEMA_VERSION,
    id: `det_${index.toString(16).padStart(16, '0')}`,
    imageId,
    imageSha256: 'c'.repeat(64),
    model: { id: 'tophat-baseline', version: '1.0.0', kind: 'tophat', sha256: null, layout: null },
    createdAt,
    parameters: {
      siteId: null,
      classes: null,
      minScore: 0.3,
      imageGsdMeters: 0.5,
      gsdOverride: false,
      modelGsdMeters: null,
      scale: 1,
      tileWidth: 512,
      tileHeight: 512,
      overlapPx: 64,
      batchSize: 4,
      testTimeFlips: false,
      nmsIou: 0.5,
      bands: [{ name: 'red', imageBand: 0 }],
      resampling: 'none',
      intraOpThreads: 2,
    },
    detectionCount: count,
    counts: [
      {
        zone: 'all',
        observable: true,
        observableAreaM2: 1234.5,
        observablePixels: 4938,
        counts,
      },
      {
        zone: 'east',
        observable: false,
        observableAreaM2: null,
        observablePixels: 0,
        counts: null,
      },
    ],
    tiles: { planned: 4, run: 3, skippedNoData: 1 },
    outputs: null,
    softwareVersion: '0.0.0-test',
    timingsMs: { totalMs: 12 },
  };
  return { run, detections };
}
