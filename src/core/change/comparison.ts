/**
 * The stored record of one image comparison (`sitewatch compare`): what was compared, with
 * which method and parameters, what came out, and provenance (hashes, software, timings).
 */

/** Version of the stored comparison document; bump it and add an upgrade when it changes. */
export const COMPARISON_SCHEMA_VERSION = 1;

/**
 * `combined` (the default): per-image-standardised CVA or IR-MAD χ², each averaged over a
 * neighbourhood in metres (the rule of `defaults.ts`); `irmad`: IR-MAD χ²; `cva`: CVA
 * magnitude. Without a user threshold both use hysteresis levels: grow at the
 * Kittler–Illingworth minimum-error threshold on log magnitude (at least the robust no-change
 * χ² 0.99 quantile), seed at Otsu's threshold of the magnitudes above it.
 */
export type ChangeMethod = 'combined' | 'irmad' | 'cva';

/** What the `combined` rule decided on a comparison (see `defaults.ts`). */
export interface CombinedRuleParameters {
  /** Neighbourhood radius, m on the ground (0 on pixel-only grids). */
  readonly neighbourhoodRadiusMeters: number;
  readonly neighbourhoodRadiusPx: number;
  /** Level of the smoothed per-image-standardised CVA mean square. */
  readonly cvaMeanSquareThreshold: number;
  readonly irmadRobustProbability: number;
  /** The smoothed χ² level IR-MAD called change above; Infinity (null in JSON) when none. */
  readonly chiSquareThreshold: number;
}

/** The co-registration of B onto A, in reference (A-grid) pixels. */
export interface RegistrationResult {
  /** B shifted by (dx, dy) grid pixels lands on A. */
  readonly dx: number;
  readonly dy: number;
  /** Median |local shift − global shift| over confident tiles, px; null when none. */
  readonly residualMedianPx: number | null;
  /** 90th percentile of the same, px; null when none. */
  readonly residualP90Px: number | null;
  /** The residuals in metres (px × grid GSD); null for pixel-only grids or no tiles. */
  readonly residualMedianM: number | null;
  readonly residualP90M: number | null;
  /** Confidence of the global estimate in [0, 1] (1 − 1/peak ratio). */
  readonly confidence: number;
  /** confidence ≥ the reliability threshold; when false the translation is not applied. */
  readonly reliable: boolean;
  /** Whether B was re-mapped with (dx, dy). */
  readonly applied: boolean;
  /** Decimation factor of the luminance images the shift was estimated on. */
  readonly decimation: number;
}

/** Every parameter that shaped the result. */
export interface ComparisonParameters {
  readonly method: ChangeMethod;
  readonly siteId: string | null;
  /** The user's threshold, or null for the automatic one (always null for `combined`). */
  readonly thresholdOverride: number | null;
  /**
   * The threshold applied to the magnitude (change: magnitude ≥ threshold); Infinity (null in
   * JSON output) when every valid magnitude is 0, as for an image compared with itself. For
   * `combined` it is 1: the magnitude is the smoothed CVA mean square over its level, and the
   * mask is that branch or the IR-MAD branch (see {@link CombinedRuleParameters}).
   */
  readonly threshold: number;
  /**
   * `irmad` and `cva` with the automatic levels: the hysteresis seed level (a change region
   * reaches `threshold` everywhere and `seedThreshold` somewhere); absent when the threshold
   * is plain (the user's, `combined`, or no seed above it).
   */
  readonly seedThreshold?: number;
  readonly minMappingUnitM2: number | null;
  readonly minMappingUnitPixels: number;
  readonly irmadIterations: number | null;
  readonly morphologyRadiusPx: number;
  readonly reliabilityThreshold: number;
  readonly siteBufferMeters: number | null;
  readonly bands: readonly string[];
  readonly resampling: 'bilinear';
  /** For `combined` only: the rule's levels (absent for the other methods). */
  readonly combined?: CombinedRuleParameters;
}

/** The grid both images were compared on. */
export interface ComparisonGrid {
  readonly crs: string | null;
  readonly geoTransform: readonly [number, number, number, number, number, number] | null;
  readonly width: number;
  readonly height: number;
  /** Pixel size in metres, null for pixel-only grids. */
  readonly gsdMeters: number | null;
}

export interface ZoneChange {
  readonly zoneId: string;
  /** Valid pixels whose centre lies in the zone. */
  readonly validPixels: number;
  readonly changedPixels: number;
  /** changedPixels / validPixels, null when validPixels is 0. */
  readonly changedFraction: number | null;
}

export interface ComparisonOutputs {
  readonly changeMask: string;
  readonly changeMagnitude: string;
  readonly changes: string;
  readonly registration: string;
}

/** One stored comparison. */
export interface Comparison {
  readonly schemaVersion: typeof COMPARISON_SCHEMA_VERSION;
  readonly id: string;
  readonly imageA: string;
  readonly imageB: string;
  readonly sha256A: string;
  readonly sha256B: string;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly parameters: ComparisonParameters;
  readonly grid: ComparisonGrid;
  readonly registration: RegistrationResult;
  /** Changed pixels / valid pixels after clean-up and MMU (0 when nothing is valid). */
  readonly changedFraction: number;
  readonly validPixels: number;
  readonly changedPixels: number;
  readonly polygonCount: number;
  readonly zones: readonly ZoneChange[];
  /** Absolute paths, or null when no output folder was given. */
  readonly outputs: ComparisonOutputs | null;
  readonly softwareVersion: string;
  /** Milliseconds per stage. */
  readonly timingsMs: Readonly<Record<string, number>>;
}
