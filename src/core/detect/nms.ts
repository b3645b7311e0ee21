/**
 * Greedy non-maximum suppression with rotated IoU. Kept boxes sit in a uniform grid of cells
 * as wide as the largest bounding-circle diameter, so each candidate is compared only with
 * kept boxes in the 3 × 3 neighbouring cells whose bounding circles overlap its own: about
 * O(n · k) for k boxes per neighbourhood instead of O(n²).
 */
import { ValidationError } from '../errors.ts';
import type { Detection } from './detection.ts';
import { boundingRadius, rotatedIou } from './rotated-iou.ts';

export interface NmsOptions {
  /** Suppress across classes too (default false: only boxes of the same class compete). */
  readonly classAgnostic?: boolean | undefined;
}

/** Packs two signed cell indices (|i| < 2²⁰) into one number key. */
function cellKey(i: number, j: number): number {
  return (i + 1_048_576) * 2_097_152 + (j + 1_048_576);
}

/**
 * Keeps the highest-scored detections, dropping any whose rotated IoU with an already kept
 * detection (of the same class, unless `classAgnostic`) is above `iouThreshold`.
 * Returns the kept ones by descending score; ties keep their input order.
 * @throws ValidationError when `iouThreshold` is not in [0, 1].
 */
export function nonMaximumSuppression(
  detections: readonly Detection[],
  iouThreshold: number,
  options: NmsOptions = {},
): Detection[] {
  if (!(iouThreshold >= 0 && iouThreshold <= 1)) {
    throw new ValidationError(`NMS IoU threshold must be in [0, 1], got ${iouThreshold}`);
  }
  if (detections.length === 0) return [];
  const items = detections.map((d, i) => ({ d, i, r: boundingRadius(d.box) }));
  items.sort((a, b) => b.d.score - a.d.score || a.i - b.i);

  let maxRadius = 0;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const { d, r } of items) {
    maxRadius = Math.max(maxRadius, r);
    minX = Math.min(minX, d.box.cx);
    minY = Math.min(minY, d.box.cy);
    maxX = Math.max(maxX, d.box.cx);
    maxY = Math.max(maxY, d.box.cy);
  }
  if (![minX, minY, maxX, maxY, maxRadius].every(Number.isFinite)) {
    throw new ValidationError('NMS: every box must have a finite centre and size');
  }
  // Boxes without area never overlap.
  if (maxRadius === 0) return items.map((item) => item.d);
  // At most ~5·10⁵ cells per axis, so cell indices fit the packed key.
  const cellSize = Math.max(2 * maxRadius, (maxX - minX) / 500_000, (maxY - minY) / 500_000);
  const classAgnostic = options.classAgnostic === true;
  // One grid per class (or one in all), each cell holding the kept detections.
  const grids = new Map<string, Map<number, (typeof items)[number][]>>();
  const kept: Detection[] = [];

  for (const item of items) {
    const d = item.d;
    const gridName = classAgnostic ? '' : d.className;
    let grid = grids.get(gridName);
    if (grid === undefined) {
      grid = new Map();
      grids.set(gridName, grid);
    }
    const ci = Math.floor((d.box.cx - minX) / cellSize);
    const cj = Math.floor((d.box.cy - minY) / cellSize);
    let suppressed = false;
    for (let di = -1; di <= 1 && !suppressed; di++) {
      for (let dj = -1; dj <= 1 && !suppressed; dj++) {
        const cell = grid.get(cellKey(ci + di, cj + dj));
        if (cell === undefined) continue;
        for (const other of cell) {
          const dx = other.d.box.cx - d.box.cx;
          const dy = other.d.box.cy - d.box.cy;
          const reach = other.r + item.r;
          if (dx * dx + dy * dy >= reach * reach) continue;
          if (rotatedIou(d.box, other.d.box) > iouThreshold) {
            suppressed = true;
            break;
          }
        }
      }
    }
    if (suppressed) continue;
    const key = cellKey(ci, cj);
    const cell = grid.get(key);
    if (cell === undefined) grid.set(key, [item]);
    else cell.push(item);
    kept.push(d);
  }
  return kept;
}
