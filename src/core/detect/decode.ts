/**
 * Decoding of raw model outputs into detections, per output layout (see `OutputLayout` in
 * detection.ts). Boxes are in the tile's model-input pixels; at most the descriptor's
 * `maxDetectionsPerTile` highest-scored detections are returned, by descending score, before NMS.
 */
import { ValidationError } from '../errors.ts';
import { expectedOutputDims } from './descriptor.ts';
import type { Detection, ModelDescriptor, OutputTensor } from './detection.ts';
import { normaliseAngle } from './rotated-iou.ts';

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function checkTensor(tensor: OutputTensor, rank: number, batchIndex: number): void {
  const dims = tensor.dims;
  if (dims.length !== rank || !dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ValidationError(
      `output "${tensor.name}": expected ${rank} concrete dimensions, got [${dims.join(', ')}]`,
    );
  }
  if (tensor.data.length !== product(dims)) {
    throw new ValidationError(
      `output "${tensor.name}": dims [${dims.join(', ')}] need ${product(dims)} values, got ${tensor.data.length}`,
    );
  }
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= (dims[0] ?? 0)) {
    throw new ValidationError(
      `output "${tensor.name}": batch index ${batchIndex} outside [0, ${(dims[0] ?? 0) - 1}]`,
    );
  }
}

function keepTop(detections: Detection[], max: number): Detection[] {
  detections.sort((a, b) => b.score - a.score);
  return detections.length > max ? detections.slice(0, max) : detections;
}

/** `[B, 4 + C (+1), N]`: best class per anchor, optional trailing angle channel. */
function decodeYolo(
  descriptor: ModelDescriptor,
  tensor: OutputTensor,
  batchIndex: number,
  minScore: number,
  withAngle: boolean,
): Detection[] {
  checkTensor(tensor, 3, batchIndex);
  const classes = descriptor.classes;
  const c = classes.length;
  const channels = 4 + c + (withAngle ? 1 : 0);
  if (tensor.dims[1] !== channels) {
    throw new ValidationError(
      `descriptor "${descriptor.id}" has ${c} classes so ${descriptor.layout} expects [B, ${channels}, N]; the model outputs [${tensor.dims.join(', ')}]`,
    );
  }
  const n = tensor.dims[2] ?? 0;
  const data = tensor.data;
  const base = batchIndex * channels * n;
  const out: Detection[] = [];
  for (let a = 0; a < n; a++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let k = 0; k < c; k++) {
      const s = data[base + (4 + k) * n + a] ?? 0;
      if (s > bestScore) {
        bestScore = s;
        best = k;
      }
    }
    if (!(bestScore >= minScore)) continue;
    const angle = withAngle ? (data[base + (4 + c) * n + a] ?? 0) : 0;
    out.push({
      box: {
        cx: data[base + a] ?? 0,
        cy: data[base + n + a] ?? 0,
        width: data[base + 2 * n + a] ?? 0,
        height: data[base + 3 * n + a] ?? 0,
        // Ultralytics' angle turns the w side clockwise in image space, as ours does; a half
        // turn is the same rectangle, so folding into [-π/2, π/2) never swaps w and h.
        angleRad: normaliseAngle(angle),
      },
      classIndex: best,
      className: classes[best] ?? String(best),
      score: Math.min(1, bestScore),
    });
  }
  return keepTop(out, descriptor.maxDetectionsPerTile);
}

function findOutput(outputs: readonly OutputTensor[], name: string): OutputTensor {
  const found = outputs.find((o) => o.name === name);
  if (found === undefined) {
    throw new ValidationError(
      `sitewatch-centernet-v1 expects an output named "${name}"; got ${outputs.map((o) => `"${o.name}"`).join(', ') || 'none'}`,
    );
  }
  return found;
}

/**
 * A cell is a peak when it beats every 3 × 3 neighbour: strictly those before it in raster
 * order, at least equal those after, so a plateau yields one peak, not several.
 */
function isPeak(
  plane: Float32Array,
  offset: number,
  w: number,
  h: number,
  i: number,
  j: number,
): boolean {
  const v = plane[offset + j * w + i] ?? 0;
  for (let dj = -1; dj <= 1; dj++) {
    const y = j + dj;
    if (y < 0 || y >= h) continue;
    for (let di = -1; di <= 1; di++) {
      const x = i + di;
      if (x < 0 || x >= w || (di === 0 && dj === 0)) continue;
      const u = plane[offset + y * w + x] ?? 0;
      const before = dj < 0 || (dj === 0 && di < 0);
      if (before ? u >= v : u > v) return false;
    }
  }
  return true;
}

function decodeCenterNet(
  descriptor: ModelDescriptor,
  outputs: readonly OutputTensor[],
  batchIndex: number,
  minScore: number,
): Detection[] {
  const heatmap = findOutput(outputs, 'heatmap');
  const box = findOutput(outputs, 'box');
  const angle = findOutput(outputs, 'angle');
  for (const t of [heatmap, box, angle]) checkTensor(t, 4, batchIndex);
  const c = descriptor.classes.length;
  const s = descriptor.stride ?? 1;
  const [, , h, w] = heatmap.dims as [number, number, number, number];
  const want = expectedOutputDims({ ...descriptor, inputWidth: w * s, inputHeight: h * s });
  for (const [t, channels] of [
    [heatmap, c],
    [box, 4],
    [angle, 2],
  ] as const) {
    if (t.dims[1] !== channels || t.dims[2] !== h || t.dims[3] !== w) {
      const expected = want.find((e) => e.name === t.name)?.dims ?? [];
      throw new ValidationError(
        `descriptor "${descriptor.id}" has ${c} classes so sitewatch-centernet-v1 expects "${t.name}" [${expected.join(', ')}]; the model outputs [${t.dims.join(', ')}]`,
      );
    }
  }
  const plane = h * w;
  const heat = heatmap.data;
  const out: Detection[] = [];
  for (let k = 0; k < c; k++) {
    const offset = (batchIndex * c + k) * plane;
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const score = heat[offset + j * w + i] ?? 0;
        if (!(score >= minScore) || !isPeak(heat, offset, w, h, i, j)) continue;
        const cell = j * w + i;
        const b = batchIndex * 4 * plane + cell;
        const a = batchIndex * 2 * plane + cell;
        const cos2 = angle.data[a] ?? 0;
        const sin2 = angle.data[a + plane] ?? 0;
        out.push({
          box: {
            cx: (i + (box.data[b] ?? 0)) * s,
            cy: (j + (box.data[b + plane] ?? 0)) * s,
            width: box.data[b + 2 * plane] ?? 0,
            height: box.data[b + 3 * plane] ?? 0,
            angleRad: normaliseAngle(Math.atan2(sin2, cos2) / 2),
          },
          classIndex: k,
          className: descriptor.classes[k] ?? String(k),
          score: Math.min(1, score),
        });
      }
    }
  }
  return keepTop(out, descriptor.maxDetectionsPerTile);
}

/**
 * Decodes one batch item of a model's outputs into detections with score ≥ `minScore`,
 * boxes in the tile's model-input pixels, at most `maxDetectionsPerTile`, best first.
 * @throws ValidationError when the outputs' names, ranks or sizes do not fit the layout.
 */
export function decodeOutputs(
  descriptor: ModelDescriptor,
  outputs: readonly OutputTensor[],
  batchIndex: number,
  minScore: number,
): Detection[] {
  switch (descriptor.layout) {
    case 'yolov8-detect':
    case 'yolov8-obb': {
      const only = outputs[0];
      if (outputs.length !== 1 || only === undefined) {
        throw new ValidationError(
          `${descriptor.layout} expects one output; got ${outputs.length} (${outputs.map((o) => o.name).join(', ')})`,
        );
      }
      return decodeYolo(descriptor, only, batchIndex, minScore, descriptor.layout === 'yolov8-obb');
    }
    case 'sitewatch-centernet-v1':
      return decodeCenterNet(descriptor, outputs, batchIndex, minScore);
  }
}
