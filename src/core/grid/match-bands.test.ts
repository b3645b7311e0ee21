import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { bandFamilyOf, canonicalBandNames, matchBands } from './match-bands.ts';
import { SENTINEL2_BANDS } from '../../testing/sentinel2.ts';

const S2 = SENTINEL2_BANDS;
const OLI = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'B11'];
const ETM = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8'];

describe('canonicalBandNames', () => {
  it('reads Sentinel-2 codes', () => {
    expect(canonicalBandNames(S2)).toEqual([
      'coastal',
      'blue',
      'green',
      'red',
      'rededge1',
      'rededge2',
      'rededge3',
      'nir',
      'nir08',
      'watervapour',
      'cirrus',
      'swir1',
      'swir2',
    ]);
  });

  it('reads bare codes as Landsat 8/9 OLI by default', () => {
    expect(canonicalBandNames(OLI)).toEqual([
      'coastal',
      'blue',
      'green',
      'red',
      'nir',
      'swir1',
      'swir2',
      'pan',
      'cirrus',
      'tirs1',
      'tirs2',
    ]);
  });

  it('reads Landsat 7 ETM+ and 5 TM codes when the sensor says so', () => {
    const etm = ['blue', 'green', 'red', 'nir', 'swir1', 'thermal', 'swir2', 'pan'];
    expect(canonicalBandNames(ETM, 'LANDSAT_7')).toEqual(etm);
    expect(canonicalBandNames(ETM, 'Landsat 7 ETM+')).toEqual(etm);
    expect(canonicalBandNames(ETM.slice(0, 7), 'landsat-5 tm')).toEqual(etm.slice(0, 7));
  });

  it('reads Sentinel-2 codes without zero padding when the sensor says so', () => {
    expect(canonicalBandNames(['B2', 'B8', 'B10'], 'sentinel-2a msi')).toEqual([
      'blue',
      'nir',
      'cirrus',
    ]);
  });

  it('takes common spellings, STAC common names and case-insensitively', () => {
    expect(
      canonicalBandNames([
        'Red',
        'G',
        'b',
        'NIR',
        'Near Infrared',
        'swir16',
        'SWIR_2',
        'rededge071',
        'nir08',
        'Coastal Aerosol',
        'PAN',
        'lwir11',
      ]),
    ).toEqual([
      'red',
      'green',
      'blue',
      'nir',
      'nir',
      'swir1',
      'swir2',
      'rededge1',
      'nir08',
      'coastal',
      'pan',
      'tirs1',
    ]);
  });

  it('reads Landsat Collection 2 and resolution-suffixed names, and ignores alpha', () => {
    expect(canonicalBandNames(['SR_B4', 'ST_B10', 'QA_PIXEL'])).toEqual(['red', 'tirs1', null]);
    expect(canonicalBandNames(['B04_10m', 'b8a', 'alpha', 'ndvi'])).toEqual([
      'red',
      'nir08',
      null,
      'ndvi',
    ]);
  });

  it('keeps generic band numbers generic', () => {
    expect(canonicalBandNames(['band1', 'band2'])).toEqual(['b1', 'b2']);
    expect(canonicalBandNames(['b1', 'b2'], 'generic')).toEqual(['b1', 'b2']);
    expect(canonicalBandNames(['B13', 'B14'])).toEqual(['b13', 'b14']);
  });
});

describe('bandFamilyOf', () => {
  it.each([
    ['Sentinel-2B', 'sentinel-2'],
    ['S2A', 'sentinel-2'],
    ['landsat-9 oli/tirs', 'landsat-oli'],
    ['LC08', 'landsat-oli'],
    ['Landsat 7', 'landsat-etm'],
    ['landsat-5', 'landsat-tm'],
    ['WorldView-3', null],
    [undefined, null],
  ] as const)('%s → %s', (sensor, family) => {
    expect(bandFamilyOf(sensor)).toBe(family);
  });
});

describe('matchBands', () => {
  it('pairs Sentinel-2 with Landsat 8 by spectral name, in the order of A', () => {
    const { pairs } = matchBands(S2, OLI);
    expect(pairs.map((p) => `${p.name}:${p.a}-${p.b}`)).toEqual([
      'coastal:0-0',
      'blue:1-1',
      'green:2-2',
      'red:3-3',
      'nir:7-4',
      'cirrus:10-8',
      'swir1:11-5',
      'swir2:12-6',
    ]);
  });

  it('pairs Landsat 7 with Landsat 8 by the sensor hints', () => {
    const { pairs } = matchBands(ETM, OLI, { sensorA: 'landsat-7', sensorB: 'landsat-8' });
    expect(pairs.map((p) => `${p.name}:${p.a}-${p.b}`)).toEqual([
      'blue:0-1',
      'green:1-2',
      'red:2-3',
      'nir:3-4',
      'swir1:4-5',
      'swir2:6-6',
      'pan:7-7',
    ]);
  });

  it('pairs an RGB image with a Sentinel-2 band set', () => {
    const { pairs } = matchBands(['red', 'green', 'blue', 'alpha'], ['B02', 'B03', 'B04', 'B08']);
    expect(pairs).toEqual([
      { a: 0, b: 2, name: 'red' },
      { a: 1, b: 1, name: 'green' },
      { a: 2, b: 0, name: 'blue' },
    ]);
  });

  it('pairs identical generic lists by index', () => {
    expect(matchBands(['b1', 'b2', 'b3'], ['B1', 'B2', 'B3']).pairs).toEqual([
      { a: 0, b: 0, name: 'b1' },
      { a: 1, b: 1, name: 'b2' },
      { a: 2, b: 2, name: 'b3' },
    ]);
    expect(
      matchBands(['band1', 'band2'], ['band1', 'band2', 'band3']).pairs.map((p) => p.name),
    ).toEqual(['b1', 'b2']);
  });

  it('pairs each canonical name once, taking the first band on each side', () => {
    expect(matchBands(['nir', 'B08', 'red'], ['N', 'nir', 'R']).pairs).toEqual([
      { a: 0, b: 0, name: 'nir' },
      { a: 2, b: 2, name: 'red' },
    ]);
  });

  it('throws "no common bands" listing both sides and their readings', () => {
    const call = (): unknown => matchBands(['red', 'green', 'blue'], ['B08', 'B11', 'mask']);
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(
      'no common bands: A has [red, green, blue], B has [B08 (nir), B11 (swir1), mask (ignored)]',
    );
    expect(() =>
      matchBands(['b1'], ['band1', 'x'], {
        sensorA: 'generic',
        labels: { a: 'before.tif', b: 'after.tif' },
      }),
    ).not.toThrow();
    expect(() =>
      matchBands(['alpha'], ['alpha'], { labels: { a: 'before.tif', b: 'after.tif' } }),
    ).toThrow(/before.tif has \[alpha \(ignored\)\], after.tif has/);
    expect(() => matchBands([], [])).toThrow(/no common bands: A has \[\], B has \[\]/);
  });
});
