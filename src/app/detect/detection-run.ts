/**
 * The stored record of one detection run (`sitewatch detect`): which image, which model
 * (id, version, sha256 of its file), every parameter, the counts per zone and class with each
 * zone's observable area, timings; and its detections, each a polygon in the source image's
 * pixels and (when georeferenced) in lon/lat.
 */
import type { PolygonGeometry } from '../../core/geo/types.ts';

/** Version of the stored run document; bump it and add an upgrade when it changes. */
export const DETECTION_RUN_SCHEMA_VERSION = 1;

/** Every parameter that shaped the result. */
export interface DetectionParameters {
  readonly siteId: string | null;
  /** Classes kept (null: all the model's). */
  readonly classes: readonly string[] | null;
  readonly minScore: number;
  /** GSD the image was taken to have (its own, or --gsd), metres; null for the baseline on pixel-only imagery. */
  readonly imageGsdMeters: number | null;
  /** Whether --gsd overrode the image's own. */
  readonly gsdOverride: boolean;
  /** GSD the detector ran at (the model's), metres. */
  readonly modelGsdMeters: number | null;
  /** Source pixels per model pixel (model GSD / image GSD); 1 for no resampling. */
  readonly scale: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly overlapPx: number;
  readonly batchSize: number;
  readonly testTimeFlips: boolean;
  readonly nmsIou: number;
  /** The image bands fed to the detector, in channel order (index into the image's bands). */
  readonly bands: readonly { readonly name: string; readonly imageBand: number }[];
  /** How the source was brought to the detection grid (see tile-pixels.ts). */
  readonly resampling: 'none' | 'bilinear' | 'average';
  readonly intraOpThreads: number;
}

/** Count of one zone (or `all`, the whole region) per class. */
export interface ZoneCount {
  /** Zone id, or `all` for the whole region (site polygon or image). */
  readonly zone: string;
  /** Whether any of the zone lies inside the image footprint; counts are null when not. */
  readonly observable: boolean;
  /**
   * Observable area of the zone in m²: zone ∩ image footprint, minus the nodata share of the
   * tiles read there; null for pixel-only imagery (see `observablePixels`).
   */
  readonly observableAreaM2: number | null;
  /** Observable source pixels of the zone (valid samples inside it). */
  readonly observablePixels: number;
  /** Detections per class (all classes of the run listed, 0 when none); null when not observable. */
  readonly counts: Readonly<Record<string, number>> | null;
}

export interface DetectionModelRef {
  readonly id: string;
  readonly version: string;
  readonly kind: 'onnx' | 'tophat';
  /** sha256 of the `.onnx` file; null for the built-in baseline. */
  readonly sha256: string | null;
  readonly layout: string | null;
}

export interface DetectionOutputs {
  /** Absolute path of detections.geojson. */
  readonly detections: string;
}

export interface DetectionRun {
  readonly schemaVersion: typeof DETECTION_RUN_SCHEMA_VERSION;
  /** `det_` + 16 hex digits. */
  readonly id: string;
  readonly imageId: string;
  readonly imageSha256: string;
  readonly model: DetectionModelRef;
  readonly createdAt: string;
  readonly parameters: DetectionParameters;
  readonly detectionCount: number;
  readonly counts: readonly ZoneCount[];
  readonly tiles: {
    readonly planned: number;
    readonly run: number;
    readonly skippedNoData: number;
  };
  readonly outputs: DetectionOutputs | null;
  readonly softwareVersion: string;
  readonly timingsMs: Readonly<Record<string, number>>;
}

/** One stored detection. */
export interface StoredDetection {
  /** Position in the run, 0-based (ordered by descending score). */
  readonly index: number;
  readonly className: string;
  readonly score: number;
  /** The oriented box's corners in the source image's pixel grid, `[[col, row], …]` (4 corners). */
  readonly pixelPolygon: readonly (readonly [number, number])[];
  /** Box in source pixels. */
  readonly centerCol: number;
  readonly centerRow: number;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly angleRad: number;
  /** lon/lat polygon (closed ring), or null for pixel-only imagery. */
  readonly geometry: PolygonGeometry | null;
  /** Zones of the site containing the box centre. */
  readonly zones: readonly string[];
}
