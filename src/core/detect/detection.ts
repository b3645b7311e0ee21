/**
 * Object detection: the shared vocabulary of the detect core (decoders, NMS, tiling, counts)
 * and the detect use case. Pure types and constants; no I/O.
 *
 * Conventions:
 * - Pixel coordinates are (col, row) with rows growing downwards; a pixel's centre is at
 *   (col + 0.5, row + 0.5).
 * - An oriented box's `angleRad` is the direction of its `width` side, measured from +col
 *   towards +row (clockwise on screen), normalised to [-π/2, π/2). Axis-aligned boxes have 0.
 */

/** An oriented rectangle in some pixel space (a model tile's input, or a source image's). */
export interface OrientedBox {
  readonly cx: number;
  readonly cy: number;
  /** Length of the side along `angleRad`, px. */
  readonly width: number;
  /** Length of the other side, px. */
  readonly height: number;
  readonly angleRad: number;
}

/** One detection before georeferencing. */
export interface Detection {
  readonly box: OrientedBox;
  /** Index into the model's class list. */
  readonly classIndex: number;
  /** The class name (from the descriptor, or the baseline's own). */
  readonly className: string;
  /** Confidence in [0, 1]. */
  readonly score: number;
}

/**
 * Output layouts a model may have (the descriptor's `layout`):
 * - `yolov8-detect`: one output `[1, 4 + C, N]`: cx, cy, w, h in input pixels, then C class
 *   scores already in [0, 1]; no objectness. Ultralytics YOLOv8/YOLO11 `detect` export.
 * - `yolov8-obb`: one output `[1, 4 + C + 1, N]`: cx, cy, w, h, C class scores, then the angle
 *   in radians (Ultralytics convention: the rotation of the w side, clockwise in image space).
 * - `sitewatch-centernet-v1`: the project's own. Three outputs, by name, at `stride` s:
 *   `heatmap` `[B, C, H/s, W/s]` (sigmoid already applied), `box` `[B, 4, H/s, W/s]` holding
 *   (dx, dy, w, h): a peak at cell (i = col, j = row) has its centre at
 *   ((i + dx) · s, (j + dy) · s) and size w × h in input pixels; `angle` `[B, 2, H/s, W/s]`
 *   holding (cos 2θ, sin 2θ), θ = atan2(sin 2θ, cos 2θ) / 2. Peaks are 3 × 3 local maxima of
 *   the heatmap over the score floor.
 */
export type OutputLayout = 'yolov8-detect' | 'yolov8-obb' | 'sitewatch-centernet-v1';

export const OUTPUT_LAYOUTS: readonly OutputLayout[] = [
  'yolov8-detect',
  'yolov8-obb',
  'sitewatch-centernet-v1',
];

/** A model's descriptor (the JSON beside its `.onnx` file), validated. */
export interface ModelDescriptor {
  /** Registry id, lower-case slug, e.g. `sitewatch-vehicles`. */
  readonly id: string;
  /** The model's own version, e.g. `1.0.0` or a training date. */
  readonly version: string;
  readonly description: string;
  readonly layout: OutputLayout;
  /** Class names, in the model's output order. */
  readonly classes: readonly string[];
  /** Input tile size in pixels (the model's fixed H × W). */
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Canonical band names fed to the model, in channel order, e.g. ['red', 'green', 'blue']. */
  readonly bands: readonly string[];
  /**
   * Per channel: value fed = (sample · scale − mean[c]) / std[c]. For 8-bit RGB trained in
   * [0, 1]: scale 1/255, mean 0, std 1. `stretch: 'percentile'` first maps each band's
   * 2nd–98th percentile (of the image's stored statistics) to [0, 255], for 16-bit imagery.
   */
  readonly normalisation: {
    readonly scale: number;
    readonly mean: readonly number[];
    readonly std: readonly number[];
    readonly stretch: 'none' | 'percentile';
  };
  /** Ground sample distance the model was trained at, metres per pixel. */
  readonly gsdMeters: number;
  /** Output stride for `sitewatch-centernet-v1`; ignored by the YOLO layouts. */
  readonly stride: number | null;
  /** Detections kept per tile before NMS. */
  readonly maxDetectionsPerTile: number;
  /** IoU above which NMS suppresses the lower-scored of two same-class boxes. */
  readonly nmsIou: number;
  /** Licence of the weights and the terms of the data they were trained on. */
  readonly licence: string;
}

/** A tensor as an inference engine returns it. */
export interface OutputTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}
