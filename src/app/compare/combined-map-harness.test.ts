/**
 * The product's `combined` change map against the benchmark's `sitewatch-default` (the rule
 * whose scores bench/eval-change/README.md publishes) on one real LEVIR-CD pair: the same
 * statistics computed strip by strip, the same rule, the same clean-up.
 *
 * The one difference: the product's IR-MAD uses a ridge of 1e-4 (IRMAD_REGULARISATION, so
 * collinear bands do not make the covariance singular) where the benchmark uses none; on this
 * pair that moves 41 of 65 536 pixels (0.06 %), and with the ridge set to 0 the masks are equal.
 */
import { expect, it } from 'vitest';
import { DATASETS, type ChangePair } from '../../../bench/eval-change/datasets.ts';
import { SITEWATCH_CONFIGURATIONS } from '../../../bench/eval-change/methods.ts';
import { runSitewatchPipeline } from '../../../bench/eval-change/sitewatch-pipeline.ts';
import { DEFAULT_CHANGE_CONFIG } from '../../core/change/defaults.ts';
import { minimumMappingUnitPixels } from '../../core/raster/connected-components.ts';
import { describeShared, sharedData } from '../../testing/shared-data.ts';
import type { StripLayout } from '../ports.ts';
import { computeChangeField } from './change-field.ts';
import { combinedChangeMap } from './combined-map.ts';
import type { ComparisonPair } from './comparison-pair.ts';
import { inThreadStripWorkspaces } from './in-thread-strips.ts';
import type { StripSide } from './strip-kernels.ts';

const PAIR_NAME = 'test_102_0512_0000';
const STRIP_ROWS = 48;

/** The pair as the product's strip cache holds it (A's grid, every pixel valid). */
function asStrips(pair: ChangePair): {
  comparison: ComparisonPair;
  layout: StripLayout;
  a: StripSide[];
  b: StripSide[];
} {
  const strips: { row0: number; height: number }[] = [];
  for (let row0 = 0; row0 < pair.height; row0 += STRIP_ROWS) {
    strips.push({ row0, height: Math.min(STRIP_ROWS, pair.height - row0) });
  }
  const layout: StripLayout = {
    gridWidth: pair.width,
    strips,
    bandCount: pair.bandNames.length,
  };
  const sides = (bands: readonly Float32Array[]): StripSide[] =>
    strips.map(({ row0, height }) => {
      const start = row0 * pair.width;
      const end = start + height * pair.width;
      return {
        bands: bands.map((band) => band.slice(start, end)),
        valid: new Uint8Array(end - start).fill(1),
      };
    });
  const side = (id: string) => ({
    image: { id },
    bandIndexes: pair.bandNames.map((_, j) => j),
  });
  const comparison = {
    grid: { crs: null, geoTransform: null, width: pair.width, height: pair.height },
    gsdMeters: pair.gsdMeters,
    bandNames: pair.bandNames,
    a: side('img_a'),
    b: side('img_b'),
  } as unknown as ComparisonPair;
  return { comparison, layout, a: sides(pair.bandsA), b: sides(pair.bandsB) };
}

async function productMask(pair: ChangePair): Promise<Uint8Array> {
  const { comparison, layout, a, b } = asStrips(pair);
  const workspace = await inThreadStripWorkspaces.open(layout, '');
  for (let i = 0; i < layout.strips.length; i += 1) {
    await workspace.cache.putSide(i, 'a', a[i]!);
    await workspace.cache.putSide(i, 'b', b[i]!);
  }
  const { field } = await computeChangeField(comparison, layout, workspace, {
    method: 'combined',
    normalise: 'none',
  });
  return combinedChangeMap(
    {
      cvaMagnitude: field.magnitude,
      chiSquare: field.chiSquare!,
      valid: field.valid,
      width: pair.width,
      height: pair.height,
      bandCount: pair.bandNames.length,
      gsdMeters: pair.gsdMeters,
    },
    DEFAULT_CHANGE_CONFIG,
    minimumMappingUnitPixels(DEFAULT_CHANGE_CONFIG.minimumMappingUnitSquareMeters, pair.gsdMeters),
  ).mask;
}

describeShared('combined change map vs the benchmark (LEVIR-CD)', () => {
  it(`matches sitewatch-default on ${PAIR_NAME} within 0.5 % of the pixels`, async () => {
    const levir = DATASETS.find((d) => d.id === 'levir')!;
    const pair = await levir.loadPair(sharedData(levir.folder), PAIR_NAME);
    const harness = runSitewatchPipeline(pair, SITEWATCH_CONFIGURATIONS['sitewatch-default']!);
    // The product co-registers before the strips are cached; this pair needs no shift.
    expect(harness.diagnostics.shiftApplied).toBe(false);
    const mask = await productMask(pair);
    let differing = 0;
    let changed = 0;
    for (let p = 0; p < mask.length; p += 1) {
      if (mask[p] !== harness.mask[p]) differing += 1;
      changed += mask[p] ?? 0;
    }
    expect(changed).toBeGreaterThan(0);
    expect(differing / mask.length).toBeLessThanOrEqual(0.005);
  });
});
