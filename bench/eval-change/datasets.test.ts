import { expect, it } from 'vitest';
import { describeShared } from '../../src/testing/shared-data.ts';
import {
  DATASETS,
  parseDatasetIds,
  sharedDataDir,
  TRUTH_IGNORE,
  type ChangePair,
} from './datasets.ts';

function summary(pair: ChangePair) {
  const counts = { change: 0, noChange: 0, ignored: 0, other: 0 };
  for (const v of pair.truth) {
    if (v === 1) counts.change++;
    else if (v === 0) counts.noChange++;
    else if (v === TRUTH_IGNORE) counts.ignored++;
    else counts.other++;
  }
  return counts;
}

/** Per dataset: the first pair's expected size, band count and whether it has unknown pixels. */
const EXPECTED = {
  levir: { width: 256, height: 256, bands: 3, ignored: false },
  dsifn: { width: 256, height: 256, bands: 3, ignored: false },
  oscd: { width: 525, height: 471, bands: 4, ignored: false },
  sztaki: { width: 952, height: 640, bands: 3, ignored: false },
  taizhou: { width: 400, height: 400, bands: 6, ignored: true },
  xbd: { width: 1024, height: 1024, bands: 3, ignored: true },
} as const;

describeShared('change-detection datasets in ../shared/data', () => {
  it.each(DATASETS.map((d) => [d.id, d] as const))(
    '%s: decodes its first pair with a 0/1(/255) truth',
    async (id, descriptor) => {
      const root = `${sharedDataDir()}/${descriptor.folder}`;
      const names = descriptor.listPairs(root);
      expect(names.length).toBeGreaterThan(0);
      const pair = await descriptor.loadPair(root, names[0]!);
      const expected = EXPECTED[id];
      expect([pair.width, pair.height, pair.bandsA.length, pair.bandsB.length]).toEqual([
        expected.width,
        expected.height,
        expected.bands,
        expected.bands,
      ]);
      expect(pair.bandNames).toHaveLength(expected.bands);
      for (const band of [...pair.bandsA, ...pair.bandsB])
        expect(band).toHaveLength(pair.width * pair.height);
      const counts = summary(pair);
      expect(counts.other).toBe(0);
      expect(counts.change).toBeGreaterThan(0);
      expect(counts.noChange).toBeGreaterThan(counts.change / 100);
      expect(counts.ignored > 0).toBe(expected.ignored);
      expect(pair.gsdMeters).toBeGreaterThan(0);
    },
  );

  it('lists the documented pair counts', () => {
    const counts = Object.fromEntries(
      DATASETS.map((d) => [d.id, d.listPairs(`${sharedDataDir()}/${d.folder}`).length]),
    );
    expect(counts).toEqual({ levir: 7, dsifn: 7, oscd: 6, sztaki: 8, taizhou: 1, xbd: 2 });
  });
});

it('parseDatasetIds accepts known ids and names the unknown one', () => {
  expect(parseDatasetIds(null)).toHaveLength(DATASETS.length);
  expect(parseDatasetIds('levir, oscd')).toEqual(['levir', 'oscd']);
  expect(() => parseDatasetIds('levir,nope')).toThrow(/unknown dataset "nope"/);
});
