/**
 * A synthetic 4-band uint16 pair written as COGs (EPSG:32631, 10 m) for tests that run the
 * compare pipeline in a child process: same gains and offsets as the pair of the change
 * tests, one inserted change rectangle.
 */
import { join } from 'node:path';
import { createCogWriter } from '../adapters/cog-writer/cog-writer.ts';
import { makeSyntheticPair } from '../core/change/synthetic-pair.ts';

export interface SyntheticCogPairOptions {
  readonly sizePx: number;
  readonly seed: number;
  readonly change: {
    readonly col0: number;
    readonly row0: number;
    readonly width: number;
    readonly height: number;
  };
}

/** Writes `t1.tif` and `t2.tif` into `dir` and returns their paths. */
export async function writeSyntheticCogPair(
  dir: string,
  options: SyntheticCogPairOptions,
): Promise<[string, string]> {
  const size = options.sizePx;
  const pair = makeSyntheticPair({
    width: size,
    height: size,
    bandCount: 4,
    seed: options.seed,
    gain: [1.05, 0.98, 1.1, 0.9],
    offset: [40, 10, -30, 60],
    changes: [options.change],
  });
  const paths: [string, string] = [join(dir, 't1.tif'), join(dir, 't2.tif')];
  for (const [i, bands] of [pair.bandsA, pair.bandsB].entries()) {
    const writer = await createCogWriter(paths[i] ?? '', {
      width: size,
      height: size,
      bandCount: 4,
      dataType: 'uint16',
      nodata: null,
      crs: 'EPSG:32631',
      geoTransform: [500000, 10, 0, 5400000, 0, -10],
      compression: 'deflate',
      deflateLevel: 1,
      overviews: 0,
    });
    await writer.writeRows(0, bands);
    await writer.finish();
  }
  return paths;
}
