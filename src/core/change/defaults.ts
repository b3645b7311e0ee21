/**
 * The default unsupervised change configuration, as data, shared by the product's compare
 * pipeline and the benchmark (bench/eval-change). How it was chosen, and on which data, is in
 * bench/eval-change/README.md; every parameter is fixed a priori or set in ground units.
 */

export interface CombinedChangeConfig {
  /** Radius (m on the ground) of the square neighbourhood mean of both statistics. */
  readonly neighbourhoodRadiusMeters: number;
  /**
   * Change where the neighbourhood mean of the mean squared per-image-standardised band
   * difference (CVA magnitude² / band count) reaches this: the change exceeds the scene's own
   * variability (1 = one standard deviation per band).
   */
  readonly cvaMeanSquareThreshold: number;
  /**
   * Or where the neighbourhood mean of the IR-MAD χ², scaled so its median is the χ²(n)
   * median, exceeds the χ²(n) quantile of this probability.
   */
  readonly irmadRobustProbability: number;
  /** IR-MAD iterations (the first is unweighted). */
  readonly irmadIterations: number;
  /** Square opening then closing radius, pixels. */
  readonly morphologyRadiusPx: number;
  /** Connected components smaller than this are dropped, m². */
  readonly minimumMappingUnitSquareMeters: number;
}

/** The default: chosen on the benchmark by "most datasets above OTB's best, then overall F1". */
export const DEFAULT_CHANGE_CONFIG: CombinedChangeConfig = {
  neighbourhoodRadiusMeters: 4,
  cvaMeanSquareThreshold: 1.25,
  irmadRobustProbability: 0.99,
  irmadIterations: 5,
  morphologyRadiusPx: 1,
  minimumMappingUnitSquareMeters: 20,
};
