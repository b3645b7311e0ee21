/** Seeded detections spread over a lon/lat box, for figure tests and the figure benchmark. */
import type { Bbox, Position } from '../../core/geo/types.ts';
import { seededRandom } from '../../core/random.ts';
import { makeDetectionRun } from '../detect/detection-fixtures.ts';
import type { DetectionRun, StoredDetection } from '../detect/detection-run.ts';

const CLASSES = ['small-vehicle', 'large-vehicle', 'storage-tank', 'building'] as const;

/**
 * A detection run on `imageId` with `count` boxes of 10–40 m inside `bboxLonLat`, scores and
 * classes from `seed` (same seed, same run). The run's id is `det_` + the seed in hex.
 */
export function makeFigureDetections(
  imageId: string,
  bboxLonLat: Bbox,
  count: number,
  seed: number,
  createdAt: string,
): { run: DetectionRun; detections: StoredDetection[] } {
  const random = seededRandom(seed);
  const [w, s, e, n] = bboxLonLat;
  const metersPerDegreeLat = 111_320;
  const metersPerDegreeLon = metersPerDegreeLat * Math.cos((((s + n) / 2) * Math.PI) / 180);
  const detections: StoredDetection[] = Array.from({ length: count }, (_, index) => {
    const lon = w + random() * (e - w);
    const lat = s + random() * (n - s);
    const halfW = (5 + random() * 15) / metersPerDegreeLon;
    const halfH = (5 + random() * 15) / metersPerDegreeLat;
    const ring: Position[] = [
      [lon - halfW, lat - halfH],
      [lon + halfW, lat - halfH],
      [lon + halfW, lat + halfH],
      [lon - halfW, lat + halfH],
      [lon - halfW, lat - halfH],
    ];
    return {
      index,
      className: CLASSES[Math.floor(random() * CLASSES.length)] ?? 'small-vehicle',
      score: Math.round((0.3 + random() * 0.69) * 100) / 100,
      pixelPolygon: [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
      ],
      centerCol: 0.5,
      centerRow: 0.5,
      widthPx: 1,
      heightPx: 1,
      angleRad: 0,
      geometry: { type: 'Polygon', coordinates: [ring] },
      zones: [],
    };
  });
  detections.sort((a, b) => b.score - a.score);
  const ordered = detections.map((d, index) => ({ ...d, index }));
  const { run } = makeDetectionRun(seed, imageId, 0, createdAt);
  return {
    run: { ...run, detectionCount: count, counts: [] },
    detections: ordered,
  };
}
