import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkInputShape, checkOutputShapes } from '../../core/detect/descriptor.ts';
import { decodeOutputs } from '../../core/detect/decode.ts';
import type { ModelDescriptor } from '../../core/detect/detection.ts';
import { CorruptFileError, ValidationError } from '../../core/errors.ts';
import { OnnxDetectorFactory } from './onnx-detector.ts';
import { tinyOnnxModel, type TinyLayout } from './testdata/tiny-onnx-model.ts';

const SIZE = 32;
const STRIDE = 8;
const dir = mkdtempSync(join(tmpdir(), 'sitewatch-onnx-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeModel(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function descriptor(layout: TinyLayout): ModelDescriptor {
  return {
    id: 'tiny',
    version: '1',
    description: '',
    layout,
    classes: ['car', 'ship'],
    inputWidth: SIZE,
    inputHeight: SIZE,
    bands: ['red', 'green', 'blue'],
    normalisation: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1], stretch: 'none' },
    gsdMeters: 0.5,
    stride: layout === 'sitewatch-centernet-v1' ? STRIDE : null,
    maxDetectionsPerTile: 100,
    nmsIou: 0.5,
    licence: 'test',
  };
}

/** Two tiles: the first with channel 0 = 1 in cell (col 2, row 1), the second with 0.6 in cell (0, 3). */
function batchInput(): Float32Array {
  const input = new Float32Array(2 * 3 * SIZE * SIZE);
  for (let r = 8; r < 16; r += 1) for (let c = 16; c < 24; c += 1) input[r * SIZE + c] = 1;
  const second = 3 * SIZE * SIZE;
  for (let r = 24; r < 32; r += 1)
    for (let c = 0; c < 8; c += 1) input[second + r * SIZE + c] = 0.6;
  return input;
}

describe('OnnxDetectorFactory with hand-made models', () => {
  const factory = new OnnxDetectorFactory({ intraOpThreads: 1 });

  for (const layout of ['yolov8-detect', 'yolov8-obb', 'sitewatch-centernet-v1'] as const) {
    it(`runs a ${layout} model on a batch and its outputs decode to the painted cells`, async () => {
      const path = writeModel(
        `${layout}.onnx`,
        tinyOnnxModel({
          layout,
          channels: 3,
          inputSize: SIZE,
          stride: STRIDE,
          classes: 2,
          boxPx: 6,
          angleRad: 0.25,
        }),
      );
      const detector = await factory.open(path);
      try {
        const d = descriptor(layout);
        expect(detector.inputs).toEqual([{ name: 'images', dims: [-1, 3, SIZE, SIZE] }]);
        checkInputShape(d, detector.inputs[0]!.dims);
        checkOutputShapes(d, detector.outputs);
        const outputs = await detector.run(batchInput(), [2, 3, SIZE, SIZE]);
        checkOutputShapes(d, outputs);
        const angle = layout === 'yolov8-detect' ? 0 : 0.25;
        const first = decodeOutputs(d, outputs, 0, 0.3);
        expect(first).toHaveLength(1);
        expect(first[0]!.className).toBe('car');
        expect(first[0]!.score).toBeCloseTo(1, 5);
        expect(first[0]!.box.cx).toBeCloseTo(20, 4);
        expect(first[0]!.box.cy).toBeCloseTo(12, 4);
        expect(first[0]!.box.width).toBeCloseTo(6, 4);
        expect(first[0]!.box.angleRad).toBeCloseTo(angle, 4);
        const second = decodeOutputs(d, outputs, 1, 0.3);
        expect(second.map((x) => [x.box.cx, x.box.cy, Number(x.score.toFixed(4))])).toEqual([
          [4, 28, 0.6],
        ]);
      } finally {
        await detector.close();
      }
    });
  }

  it('reports the input of a rank-3 model, which the descriptor check refuses naming both', async () => {
    const path = writeModel(
      'rank3.onnx',
      tinyOnnxModel({
        layout: 'yolov8-detect',
        channels: 3,
        inputSize: SIZE,
        stride: STRIDE,
        classes: 2,
        boxPx: 6,
        inputRank3: true,
      }),
    );
    const opened = await factory.open(path);
    expect(opened.inputs[0]!.dims).toEqual([3, SIZE, SIZE]);
    expect(() => {
      checkInputShape(descriptor('yolov8-detect'), opened.inputs[0]!.dims);
    }).toThrow(/rank 4.*rank 3/);
    await opened.close();
  });

  it('refuses a file that is not an ONNX model with a CorruptFileError naming it', async () => {
    const path = writeModel('garbage.onnx', new TextEncoder().encode('not a model at all'));
    await expect(factory.open(path)).rejects.toThrow(CorruptFileError);
    await expect(factory.open(path)).rejects.toThrow(path);
  });

  it('refuses an input whose length does not match its dims', async () => {
    const path = writeModel(
      'small.onnx',
      tinyOnnxModel({
        layout: 'yolov8-detect',
        channels: 3,
        inputSize: SIZE,
        stride: STRIDE,
        classes: 2,
        boxPx: 6,
      }),
    );
    const detector = await factory.open(path);
    await expect(detector.run(new Float32Array(10), [1, 3, SIZE, SIZE])).rejects.toThrow(
      ValidationError,
    );
    await detector.close();
  });

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => new OnnxDetectorFactory({ intraOpThreads: 0 })).toThrow(/positive integer; got 0/);
  });
});
