import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBandNames, groupBandFiles, parseBandFileName } from './group-band-files.ts';
import { SENTINEL2_BANDS } from '../../testing/sentinel2.ts';

const S2 = '/data/oscd/bercy/imgs_1/S2A_OPER_MSI_L1C_TL_MPS__20161130T130757_A007527_T31UDQ';
const S2_BANDS = SENTINEL2_BANDS;

describe('parseBandFileName', () => {
  it('reads Sentinel-2 and Landsat suffixes in any case, .tif or .tiff', () => {
    expect(parseBandFileName('T31UDQ_20200101_B8A.tif')).toEqual({
      prefix: 'T31UDQ_20200101',
      band: 'B8A',
    });
    expect(parseBandFileName('LC08_L1TP_042034_B1.TIF')).toEqual({
      prefix: 'LC08_L1TP_042034',
      band: 'B1',
    });
    expect(parseBandFileName('x_b12.tiff')).toEqual({ prefix: 'x', band: 'B12' });
  });

  it('ignores other names', () => {
    for (const name of [
      'x_B13.tif',
      'x_B00.tif',
      'x_BQA.tif',
      'x_B02.png',
      'B02.tif',
      'x_B02.tif.aux.xml',
      'x-B02.tif',
    ]) {
      expect(parseBandFileName(name), name).toBeNull();
    }
  });
});

describe('compareBandNames', () => {
  it('puts B8A right after B08 and sorts numerically', () => {
    const shuffled = ['B12', 'B8A', 'B01', 'B10', 'B09', 'B08', 'B02'];
    expect([...shuffled].sort(compareBandNames)).toEqual([
      'B01',
      'B02',
      'B08',
      'B8A',
      'B09',
      'B10',
      'B12',
    ]);
    expect(['B10', 'B2', 'B1'].sort(compareBandNames)).toEqual(['B1', 'B2', 'B10']);
  });
});

describe('groupBandFiles', () => {
  it('groups the 13 OSCD bands of one date into one set in spectral order', () => {
    const paths = [...S2_BANDS].reverse().map((b) => `${S2}_${b}.tif`);
    const { bandSets, rest } = groupBandFiles(paths);
    expect(rest).toEqual([]);
    expect(bandSets).toHaveLength(1);
    expect(bandSets[0]?.key).toBe(S2);
    expect(bandSets[0]?.bands.map((b) => b.name)).toEqual(S2_BANDS);
    expect(bandSets[0]?.bands[8]?.path).toBe(`${S2}_B8A.tif`);
  });

  it('separates sets by folder and prefix and keeps lone band files and other files in rest, in order', () => {
    const paths = [
      'C:\\scenes\\a\\T1_B02.tif',
      '/x/readme.txt',
      'C:\\scenes\\a\\T1_B03.tif',
      'C:\\scenes\\b\\T1_B02.tif',
      '/y/T2_B04.tif',
      '/y/T2_B8A.TIF',
      '/y/T3_B04.tif',
    ];
    const { bandSets, rest } = groupBandFiles(paths);
    expect(bandSets.map((s) => [s.key, s.bands.map((b) => b.name)])).toEqual([
      ['/y/T2', ['B04', 'B8A']],
      ['C:\\scenes\\a\\T1', ['B02', 'B03']],
    ]);
    expect(rest).toEqual(['/x/readme.txt', 'C:\\scenes\\b\\T1_B02.tif', '/y/T3_B04.tif']);
  });

  it('loses no path and duplicates none, whatever the input', () => {
    const name = fc.constantFrom(
      'a_B01.tif',
      'a_B02.tif',
      'a_B8A.tif',
      'b_B02.tif',
      'c.tif',
      'a_B02.png',
    );
    const folder = fc.constantFrom('/p/', '/q/', '');
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(folder, name).map(([f, n]) => f + n),
          { maxLength: 20 },
        ),
        (paths) => {
          const { bandSets, rest } = groupBandFiles(paths);
          const out = [...bandSets.flatMap((s) => s.bands.map((b) => b.path)), ...rest];
          expect(out.sort()).toEqual([...new Set(paths)].sort());
          for (const set of bandSets) expect(set.bands.length).toBeGreaterThanOrEqual(2);
        },
      ),
      { seed: 31337, numRuns: 200 },
    );
  });
});
