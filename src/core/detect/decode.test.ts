import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { decodeOutputs } from './decode.ts';
import { parseModelDescriptor } from './descriptor.ts';
import type { Detection, ModelDescriptor, OutputTensor } from './detection.ts';

function descriptor(overrides: Record<string, unknown>): ModelDescriptor {
  return parseModelDescriptor(
    {
      id: 'test-model',
      version: '1',
      layout: 'yolov8-detect',
      classes: ['car', 'truck'],
      inputWidth: 64,
      inputHeight: 64,
      bands: ['red', 'green', 'blue'],
      normalisation: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
      gsdMeters: 0.5,
      licence: 'test',
      ...overrides,
    },
    'test.json',
  );
}

/** `[B, channels, N]` from rows given per channel (each row lists the N anchors). */
function yoloTensor(batches: number[][][]): OutputTensor {
  const channels = batches[0]!.length;
  const n = batches[0]![0]!.length;
  return {
    name: 'output0',
    dims: [batches.length, channels, n],
    data: Float32Array.from(batches.flat(2)),
  };
}

function rounded(detections: Detection[]) {
  return detections.map((d) => ({
    ...d,
    score: Number(d.score.toFixed(5)),
    box: {
      cx: Number(d.box.cx.toFixed(4)),
      cy: Number(d.box.cy.toFixed(4)),
      width: Number(d.box.width.toFixed(4)),
      height: Number(d.box.height.toFixed(4)),
      angleRad: Number(d.box.angleRad.toFixed(4)),
    },
  }));
}

describe('decodeOutputs: yolov8-detect', () => {
  // Three anchors: (10, 20, 4×6) best truck 0.8; (30, 30) scores 0.3/0.2 below the floor;
  // (50, 60, 8×2) best car 0.9.
  const batch = [
    [10, 30, 50],
    [20, 30, 60],
    [4, 5, 8],
    [6, 5, 2],
    [0.1, 0.3, 0.9],
    [0.8, 0.2, 0.05],
  ];
  const d = descriptor({});

  it('takes the best class per anchor above the floor, best score first', () => {
    expect(rounded(decodeOutputs(d, [yoloTensor([batch])], 0, 0.5))).toEqual([
      {
        box: { cx: 50, cy: 60, width: 8, height: 2, angleRad: 0 },
        classIndex: 0,
        className: 'car',
        score: 0.9,
      },
      {
        box: { cx: 10, cy: 20, width: 4, height: 6, angleRad: 0 },
        classIndex: 1,
        className: 'truck',
        score: 0.8,
      },
    ]);
  });

  it('reads the asked batch item and keeps at most maxDetectionsPerTile', () => {
    const other = batch.map((row) => row.map((v) => v));
    other[0] = [11, 31, 51];
    const two = yoloTensor([batch, other]);
    const second = decodeOutputs(d, [two], 1, 0.25);
    expect(second.map((x) => x.box.cx)).toEqual([51, 11, 31]);
    const capped = decodeOutputs(descriptor({ maxDetectionsPerTile: 1 }), [two], 1, 0.25);
    expect(capped.map((x) => x.box.cx)).toEqual([51]);
  });

  it('names the width the classes imply when the tensor does not fit', () => {
    const wrong = yoloTensor([[...batch, [0, 0, 0]]]);
    expect(() => decodeOutputs(d, [wrong], 0, 0.5)).toThrow(
      /2 classes so yolov8-detect expects \[B, 6, N\]; the model outputs \[1, 7, 3\]/,
    );
    expect(() => decodeOutputs(d, [yoloTensor([batch])], 1, 0.5)).toThrow(
      /batch index 1 outside \[0, 0\]/,
    );
    const short = { name: 'o', dims: [1, 6, 3], data: new Float32Array(17) };
    expect(() => decodeOutputs(d, [short], 0, 0.5)).toThrow(ValidationError);
  });
});

describe('decodeOutputs: yolov8-obb', () => {
  const d = descriptor({ layout: 'yolov8-obb' });

  it('keeps the Ultralytics angle (clockwise on screen), folded into [-π/2, π/2)', () => {
    const batch = [
      [10, 40],
      [20, 40],
      [12, 9],
      [4, 3],
      [0.7, 0.1],
      [0.2, 0.95],
      [0.3, 2.0],
    ];
    const out = decodeOutputs(d, [yoloTensor([batch])], 0, 0.5);
    expect(rounded(out)).toEqual([
      // 2.0 rad is past π/2: the same rectangle at 2 − π, w still along it.
      {
        box: { cx: 40, cy: 40, width: 9, height: 3, angleRad: Number((2 - Math.PI).toFixed(4)) },
        classIndex: 1,
        className: 'truck',
        score: 0.95,
      },
      {
        box: { cx: 10, cy: 20, width: 12, height: 4, angleRad: 0.3 },
        classIndex: 0,
        className: 'car',
        score: 0.7,
      },
    ]);
  });

  it('expects the angle channel', () => {
    const withoutAngle = yoloTensor([[[1], [1], [1], [1], [1], [1]]]);
    expect(() => decodeOutputs(d, [withoutAngle], 0, 0.5)).toThrow(
      /expects \[B, 7, N\]; the model outputs \[1, 6, 1\]/,
    );
  });
});

describe('decodeOutputs: sitewatch-centernet-v1', () => {
  // Input 16 × 16, stride 4: 4 × 4 cells, one class.
  const d = descriptor({
    layout: 'sitewatch-centernet-v1',
    classes: ['vehicle'],
    inputWidth: 16,
    inputHeight: 16,
    stride: 4,
  });
  const cells = 16;

  function outputs(): OutputTensor[] {
    const heat = new Float32Array(cells);
    heat[1 * 4 + 2] = 0.9; // peak at col 2, row 1
    heat[1 * 4 + 3] = 0.5; // its neighbour: not a peak
    heat[3 * 4 + 0] = 0.7; // a plateau of two equal cells: one peak (the first)
    heat[3 * 4 + 1] = 0.7;
    const box = new Float32Array(4 * cells);
    const angle = new Float32Array(2 * cells);
    const set = (
      cell: number,
      dx: number,
      dy: number,
      w: number,
      h: number,
      theta: number,
    ): void => {
      box[cell] = dx;
      box[cells + cell] = dy;
      box[2 * cells + cell] = w;
      box[3 * cells + cell] = h;
      angle[cell] = Math.cos(2 * theta);
      angle[cells + cell] = Math.sin(2 * theta);
    };
    set(1 * 4 + 2, 0.5, 0.25, 10, 4, Math.PI / 6);
    set(3 * 4 + 0, 0.1, 0.9, 6, 2, -1.2);
    return [
      { name: 'angle', dims: [1, 2, 4, 4], data: angle },
      { name: 'heatmap', dims: [1, 1, 4, 4], data: heat },
      { name: 'box', dims: [1, 4, 4, 4], data: box },
    ];
  }

  it('decodes 3 × 3 peaks: centre ((i + dx)·s, (j + dy)·s), size, θ from (cos 2θ, sin 2θ)', () => {
    expect(rounded(decodeOutputs(d, outputs(), 0, 0.3))).toEqual([
      {
        box: { cx: 10, cy: 5, width: 10, height: 4, angleRad: Number((Math.PI / 6).toFixed(4)) },
        classIndex: 0,
        className: 'vehicle',
        score: 0.9,
      },
      {
        box: { cx: 0.4, cy: 15.6, width: 6, height: 2, angleRad: -1.2 },
        classIndex: 0,
        className: 'vehicle',
        score: 0.7,
      },
    ]);
    expect(decodeOutputs(d, outputs(), 0, 0.8)).toHaveLength(1);
  });

  it('names a missing output and a wrong class count', () => {
    expect(() => decodeOutputs(d, outputs().slice(0, 2), 0, 0.3)).toThrow(
      /output named "box"; got "angle", "heatmap"/,
    );
    const two = descriptor({
      layout: 'sitewatch-centernet-v1',
      classes: ['a', 'b'],
      inputWidth: 16,
      inputHeight: 16,
      stride: 4,
    });
    expect(() => decodeOutputs(two, outputs(), 0, 0.3)).toThrow(
      /2 classes so sitewatch-centernet-v1 expects "heatmap" \[B, 2, 4, 4\]; the model outputs \[1, 1, 4, 4\]/,
    );
  });
});
