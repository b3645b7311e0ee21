/** Published or previously measured figures quoted next to this run's results (not re-measured here). */

/** The OTB pipeline's F1 as measured when the issue was written (same data, 10 m OSCD bands). */
export const REFERENCE_FIGURES = {
  source: 'issue "Co-registration and change detection" (measured on this project\'s data)',
  pipeline:
    'otbcli_MultivariateAlterationDetector + best of Otsu on log χ² and the χ² 0.99 quantile',
  f1: {
    levirAll7Crops: 0.27,
    oscdBercyAndRennes10mBands: 0.36,
  },
} as const;

/** What supervised deep models reach, for context: sitewatch's methods are unsupervised. */
export const SUPERVISED_CONTEXT = {
  note: 'Supervised change-detection networks trained on LEVIR-CD (e.g. BIT, ChangeFormer) reach F1 ≈ 0.90–0.92 on its test split; unsupervised pixel methods are not expected to approach this.',
  levirCdF1Range: [0.9, 0.92],
} as const;
