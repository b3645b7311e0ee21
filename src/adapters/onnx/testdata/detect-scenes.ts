/**
 * Synthetic scenes and model folders for the detect tests: RGB PNGs (with a world file, or
 * pixel-only) painted with known objects, and the hand-made ONNX models of
 * tiny-onnx-model.ts installed as model folders with their descriptors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { tinyOnnxModel, type TinyLayout } from './tiny-onnx-model.ts';

/** UTM 31N (EPSG:32631) top-left corner of the georeferenced scenes, and their pixel size. */
export const SCENE_ORIGIN = { x: 500000, y: 5400000 } as const;
export const SCENE_PIXEL_METERS = 0.5;

export interface PaintedRect {
  readonly col0: number;
  readonly row0: number;
  readonly width: number;
  readonly height: number;
  readonly rgb: readonly [number, number, number];
}

/**
 * Writes `name.png` (RGB) of width × height filled with `background`, the rectangles painted
 * over it, plus `name.pgw` (0.5 m pixels at {@link SCENE_ORIGIN}) unless `pixelOnly`.
 * `noise` adds a seeded ±noise pattern to the background. Returns the PNG's path.
 */
export function writeScene(
  dir: string,
  name: string,
  options: {
    readonly width: number;
    readonly height: number;
    readonly background: readonly [number, number, number];
    readonly rects: readonly PaintedRect[];
    readonly pixelOnly?: boolean;
    readonly noise?: number;
  },
): string {
  mkdirSync(dir, { recursive: true });
  const { width, height, background, rects } = options;
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.alloc(width * height * 3);
  let state = 12345;
  const noise = options.noise ?? 0;
  for (let i = 0; i < width * height; i += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const jitter = noise === 0 ? 0 : Math.round(((state / 2147483648) * 2 - 1) * noise);
    for (let c = 0; c < 3; c += 1) {
      png.data[i * 3 + c] = Math.min(255, Math.max(0, (background[c] ?? 0) + jitter));
    }
  }
  for (const r of rects) {
    for (let row = r.row0; row < r.row0 + r.height; row += 1) {
      for (let col = r.col0; col < r.col0 + r.width; col += 1) {
        for (let c = 0; c < 3; c += 1) png.data[(row * width + col) * 3 + c] = r.rgb[c] ?? 0;
      }
    }
  }
  const path = join(dir, `${name}.png`);
  writeFileSync(
    path,
    PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false }),
  );
  if (options.pixelOnly !== true) {
    const p = SCENE_PIXEL_METERS;
    writeFileSync(
      join(dir, `${name}.pgw`),
      [p, 0, 0, -p, SCENE_ORIGIN.x + p / 2, SCENE_ORIGIN.y - p / 2].join('\n') + '\n',
    );
  }
  return path;
}

export interface TinyModelFolder {
  readonly dir: string;
  readonly modelPath: string;
  readonly descriptorPath: string;
  readonly descriptor: Record<string, unknown>;
}

/**
 * A model folder `<parent>/<id>/` with `model.onnx` (tiny model: 32 px input, stride 8, class 0
 * score = mean red / 255 of each 8 × 8 cell, 6 px boxes) and `descriptor.json`.
 */
export function writeTinyModelFolder(
  parent: string,
  id: string,
  options: {
    readonly layout?: TinyLayout;
    readonly classes?: readonly string[];
    readonly bands?: readonly string[];
    readonly gsdMeters?: number;
    readonly descriptorOverrides?: Record<string, unknown>;
    readonly modelClasses?: number;
    readonly inputRank3?: boolean;
  } = {},
): TinyModelFolder {
  const dir = join(parent, id);
  mkdirSync(dir, { recursive: true });
  const layout = options.layout ?? 'yolov8-detect';
  const classes = options.classes ?? ['vehicle', 'ship'];
  const bands = options.bands ?? ['red', 'green', 'blue'];
  const modelPath = join(dir, 'model.onnx');
  writeFileSync(
    modelPath,
    tinyOnnxModel({
      layout,
      channels: bands.length,
      inputSize: 32,
      stride: 8,
      classes: options.modelClasses ?? classes.length,
      boxPx: 6,
      angleRad: layout === 'yolov8-detect' ? 0 : 0.3,
      ...(options.inputRank3 === true ? { inputRank3: true } : {}),
    }),
  );
  const descriptor: Record<string, unknown> = {
    id,
    version: '0.1.0',
    description: 'tiny hand-made test model',
    layout,
    classes,
    inputWidth: 32,
    inputHeight: 32,
    bands,
    normalisation: {
      scale: 1 / 255,
      mean: bands.map(() => 0),
      std: bands.map(() => 1),
    },
    gsdMeters: options.gsdMeters ?? SCENE_PIXEL_METERS,
    stride: layout === 'sitewatch-centernet-v1' ? 8 : null,
    nmsIou: 0.5,
    licence: 'test only',
    ...options.descriptorOverrides,
  };
  const descriptorPath = join(dir, 'descriptor.json');
  writeFileSync(descriptorPath, `${JSON.stringify(descriptor, null, 2)}\n`);
  return { dir, modelPath, descriptorPath, descriptor };
}
