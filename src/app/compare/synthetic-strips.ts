/**
 * For tests of the strip pipeline: a synthetic, already co-registered pair cut into strips,
 * with the minimal {@link ComparisonPair} the change statistic reads (grid, band names, ids
 * and ingest statistics), and filling a workspace's cache with it.
 */
import { makeSyntheticPair, type SyntheticPairOptions } from '../../core/change/synthetic-pair.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { StripLayout, StripWorkspace } from '../ports.ts';
import type { ComparisonPair } from './comparison-pair.ts';
import type { StripSide } from './strip-kernels.ts';

export interface SyntheticStrips {
  readonly pair: ComparisonPair;
  readonly layout: StripLayout;
  readonly a: readonly StripSide[];
  readonly b: readonly StripSide[];
}

function statsOf(band: Uint16Array) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of band) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const mean = sum / band.length;
  let squares = 0;
  for (const v of band) squares += (v - mean) ** 2;
  return { min, max, mean, stdDev: Math.sqrt(squares / band.length), validCount: band.length };
}

function sidesOf(bands: readonly Uint16Array[], layout: StripLayout): StripSide[] {
  return layout.strips.map(({ row0, height }) => {
    const start = row0 * layout.gridWidth;
    const end = start + height * layout.gridWidth;
    return {
      bands: bands.map((band) => Float32Array.from(band.subarray(start, end))),
      valid: new Uint8Array(end - start).fill(1),
    };
  });
}

/**
 * The synthetic pair of `options` (B = A when `same`), cut into strips of `stripRows` rows.
 */
export function syntheticStrips(
  options: SyntheticPairOptions & { readonly stripRows: number; readonly same?: boolean },
): SyntheticStrips {
  const generated = makeSyntheticPair(options);
  const bandsB = options.same === true ? generated.bandsA : generated.bandsB;
  const strips: { row0: number; height: number }[] = [];
  for (let row0 = 0; row0 < options.height; row0 += options.stripRows) {
    strips.push({ row0, height: Math.min(options.stripRows, options.height - row0) });
  }
  const layout: StripLayout = { gridWidth: options.width, strips, bandCount: options.bandCount };
  const bandNames = generated.bandsA.map((_, j) => `b${j + 1}`);
  const side = (id: string, bands: readonly Uint16Array[]) => ({
    image: { id, stats: bands.map(statsOf) } as unknown as ImageRecord,
    bandIndexes: bandNames.map((_, j) => j),
  });
  const pair = {
    grid: { crs: null, geoTransform: null, width: options.width, height: options.height },
    gsdMeters: null,
    bandNames,
    a: side('img_a', generated.bandsA),
    b: side('img_b', bandsB),
  } as unknown as ComparisonPair;
  return { pair, layout, a: sidesOf(generated.bandsA, layout), b: sidesOf(bandsB, layout) };
}

/** Stores every strip of `strips` in the workspace's cache. */
export async function fillStripCache(
  workspace: StripWorkspace,
  strips: SyntheticStrips,
): Promise<void> {
  for (let i = 0; i < strips.layout.strips.length; i += 1) {
    const a = strips.a[i];
    const b = strips.b[i];
    if (a !== undefined) await workspace.cache.putSide(i, 'a', a);
    if (b !== undefined) await workspace.cache.putSide(i, 'b', b);
  }
}
