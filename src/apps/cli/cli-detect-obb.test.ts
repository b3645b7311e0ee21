/**
 * End to end through onnxruntime-node: `sitewatch models add` and `detect` with a real ONNX
 * file of the Ultralytics OBB output layout (src/adapters/onnx/testdata/yolov8-obb-fixture.onnx,
 * made by make-yolov8-obb-fixture.py), whose output encodes known oriented boxes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScene } from '../../adapters/onnx/testdata/detect-scenes.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const testdata = new URL('../../adapters/onnx/testdata/', import.meta.url);
const modelPath = new URL('yolov8-obb-fixture.onnx', testdata).pathname;

interface Anchor {
  cx: number;
  cy: number;
  w: number;
  h: number;
  scores: number[];
  angleRad: number;
}
const spec = JSON.parse(
  readFileSync(new URL('yolov8-obb-fixture.boxes.json', testdata), 'utf8'),
) as { classes: string[]; inputSize: number; anchors: Anchor[] };

interface Feature {
  geometry: unknown;
  properties: { class: string; score: number; pixelPolygon: [number, number][] };
}

const MIN_SCORE = 0.3;
const root = mkdtempSync(join(tmpdir(), 'sitewatch-cli-obb-'));
const home = join(root, 'home');
const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The box's corners, computed here from the encoded centre, size and angle, sorted. */
function encodedCorners(a: Anchor): [number, number][] {
  const cos = Math.cos(a.angleRad);
  const sin = Math.sin(a.angleRad);
  const corners = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ].map(([u, v]): [number, number] => {
    const x = ((u ?? 0) * a.w) / 2;
    const y = ((v ?? 0) * a.h) / 2;
    return [a.cx + x * cos - y * sin, a.cy + x * sin + y * cos];
  });
  return sortCorners(corners);
}

function sortCorners(corners: readonly [number, number][]): [number, number][] {
  return [...corners].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

async function ingestScene(name: string, grey: number): Promise<string> {
  const size = spec.inputSize;
  const png = writeScene(join(root, 'scenes'), name, {
    width: size,
    height: size,
    background: [grey, grey, grey],
    rects: [],
    pixelOnly: true,
  });
  const run = await sw('images', 'ingest', png, '--acquired-at', '2024-05-01', '--json');
  expect(run.code, run.stderr).toBe(0);
  return run.json<{ id: string }[]>()[0]!.id;
}

describe('detect with a yolov8-obb ONNX model', () => {
  beforeAll(async () => {
    const descriptorPath = join(root, 'yolov8-obb-fixture.json');
    writeFileSync(
      descriptorPath,
      JSON.stringify({
        id: 'yolov8-obb-fixture',
        version: '1.0.0',
        description: 'test fixture with the Ultralytics OBB output layout',
        layout: 'yolov8-obb',
        classes: spec.classes,
        inputWidth: spec.inputSize,
        inputHeight: spec.inputSize,
        bands: ['red', 'green', 'blue'],
        normalisation: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
        gsdMeters: 0.5,
        nmsIou: 0.5,
        licence: 'CC0 1.0 (made by the sitewatch project)',
      }),
    );
    const run = await sw('models', 'add', modelPath, '--descriptor', descriptorPath, '--json');
    expect(run.code, run.stderr).toBe(0);
  });

  it('returns the rotated boxes the model encodes, in source pixels', async () => {
    const imageId = await ingestScene('white', 255);
    const out = join(root, 'out-white');
    const run = await sw(
      'detect',
      imageId,
      '--model',
      'yolov8-obb-fixture',
      '--gsd',
      '0.5',
      '--min-score',
      String(MIN_SCORE),
      '--out',
      out,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const kept = spec.anchors.filter((a) => Math.max(...a.scores) >= MIN_SCORE);
    expect(kept).toHaveLength(3);
    const summary = run.json<{ detections: number; counts: Record<string, unknown> }>();
    expect(summary.detections).toBe(kept.length);
    expect(summary.counts.all).toEqual({ 'small-vehicle': 2, ship: 1 });
    const features = (
      JSON.parse(readFileSync(join(out, 'detections.geojson'), 'utf8')) as { features: Feature[] }
    ).features;
    expect(features).toHaveLength(kept.length);
    for (const anchor of kept) {
      const best = Math.max(...anchor.scores);
      const className = spec.classes[anchor.scores.indexOf(best)];
      const found = features.find(
        (f) => f.properties.class === className && Math.abs(f.properties.score - best) < 1e-6,
      );
      expect(found, `${className} ${best}`).toBeDefined();
      expect(found!.geometry).toBeNull();
      // The same rectangle (an angle folded by a half turn lists its corners in another order).
      const got = sortCorners(found!.properties.pixelPolygon);
      encodedCorners(anchor).forEach(([x, y], k) => {
        expect(got[k]![0]).toBeCloseTo(x, 4);
        expect(got[k]![1]).toBeCloseTo(y, 4);
      });
    }
  });

  it('finds nothing in a black tile, whose maximum scales every score to 0', async () => {
    const imageId = await ingestScene('black', 0);
    const run = await sw(
      'detect',
      imageId,
      '--model',
      'yolov8-obb-fixture',
      '--gsd',
      '0.5',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<{ detections: number }>().detections).toBe(0);
  });
});
