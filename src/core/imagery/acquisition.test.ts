import { describe, expect, it } from 'vitest';
import { MissingMetadataError, ValidationError } from '../errors.ts';
import {
  mergeAcquisition,
  overriddenFlags,
  parseAcquisitionTime,
  parseSidecarAcquisition,
  parseStacAcquisition,
  parseTagAcquisition,
} from './acquisition.ts';

describe('parseAcquisitionTime', () => {
  it.each([
    ['2019-02-22', '2019-02-22T00:00:00.000Z'],
    ['20190222', '2019-02-22T00:00:00.000Z'],
    ['2019-02-22T02:10', '2019-02-22T02:10:00.000Z'],
    ['2019-02-22 02:10:05', '2019-02-22T02:10:05.000Z'],
    ['2019:02:22 02:10:05', '2019-02-22T02:10:05.000Z'],
    ['2019-02-22T11:10:00+09:00', '2019-02-22T02:10:00.000Z'],
  ])('reads %s', (input, expected) => {
    expect(parseAcquisitionTime(input, 'flag')).toBe(expected);
  });

  it.each(['yesterday', '2019-13-45', '', '22/02/2019'])('rejects %j naming it', (input) => {
    expect(() => parseAcquisitionTime(input, '--acquired-at')).toThrow(ValidationError);
    expect(() => parseAcquisitionTime(input, '--acquired-at')).toThrow(`"${input}"`);
  });
});

describe('mergeAcquisition', () => {
  it('takes each field from the highest-precedence source that has it', () => {
    const merged = mergeAcquisition(
      {
        sidecar: { sensor: 'WorldView-3' },
        stac: { acquiredAt: '2019-02-22T02:10:00.000Z', sensor: 'ignored', cloudCoverPercent: 3 },
        flags: { acquiredAt: '2000-01-01T00:00:00.000Z', provider: 'Maxar' },
      },
      'x.tif',
    );
    expect(merged.sensor).toBe('WorldView-3');
    expect(merged.acquiredAt).toBe('2019-02-22T02:10:00.000Z');
    expect(merged.provider).toBe('Maxar');
    expect(merged.cloudCoverPercent).toBe(3);
    expect(merged.sunElevationDeg).toBeNull();
    expect(merged.sources).toEqual({
      sensor: 'sidecar',
      acquiredAt: 'stac',
      cloudCoverPercent: 'stac',
      provider: 'flag',
    });
  });

  it('reports flags that a file-level source overrode', () => {
    const sources = {
      stac: { acquiredAt: '2019-02-22T00:00:00.000Z' },
      flags: { acquiredAt: '2000-01-01T00:00:00.000Z', sensor: 's' },
    };
    expect(overriddenFlags(sources, mergeAcquisition(sources, 'x'))).toEqual(['acquiredAt']);
  });

  it('requires an acquisition time and says how to give one', () => {
    expect(() => mergeAcquisition({ flags: { sensor: 'x' } }, 'a.tif')).toThrow(
      MissingMetadataError,
    );
    expect(() => mergeAcquisition({}, 'a.tif')).toThrow(/a\.tif.*--acquired-at/);
  });

  it('rejects out-of-range angles naming the field and source', () => {
    expect(() =>
      mergeAcquisition(
        { sidecar: { acquiredAt: '2019-01-01T00:00:00.000Z', sunElevationDeg: 120 } },
        'a',
      ),
    ).toThrow(/sunElevationDeg from sidecar is 120/);
  });
});

describe('source parsers', () => {
  it('reads a STAC Item', () => {
    const item = {
      type: 'Feature',
      stac_version: '1.0.0',
      properties: {
        datetime: '2016-11-30T10:57:12Z',
        platform: 'sentinel-2a',
        instruments: ['msi'],
        'eo:cloud_cover': 0.5,
        'view:sun_elevation': 20.1,
        providers: [{ name: 'ESA' }],
        license: 'proprietary',
      },
    };
    expect(parseStacAcquisition(item, 'item.json')).toEqual({
      acquiredAt: '2016-11-30T10:57:12.000Z',
      sensor: 'sentinel-2a msi',
      provider: 'ESA',
      cloudCoverPercent: 0.5,
      sunElevationDeg: 20.1,
      license: 'proprietary',
    });
    expect(() => parseStacAcquisition({ type: 'FeatureCollection' }, 'c.json')).toThrow(
      /c\.json: expected a STAC Item/,
    );
  });

  it('reads a sidecar and rejects non-numeric angles', () => {
    expect(parseSidecarAcquisition({ acquired_at: '2019-02-22', sensor: 'x' }, 's.json')).toEqual({
      acquiredAt: '2019-02-22T00:00:00.000Z',
      sensor: 'x',
    });
    expect(() => parseSidecarAcquisition({ sun_elevation: 'high' }, 's.json')).toThrow(
      /s\.json: "sun_elevation" must be a number/,
    );
    expect(() => parseSidecarAcquisition([], 's.json')).toThrow(ValidationError);
  });

  it('ignores the TIFF creation time and reads explicit acquisition items', () => {
    expect(parseTagAcquisition({ TIFFTAG_DATETIME: '2020:01:01 00:00:00' }, 'a.tif')).toEqual({});
    expect(parseTagAcquisition({ ACQUISITIONDATETIME: '2019-02-22' }, 'a.tif')).toEqual({
      acquiredAt: '2019-02-22T00:00:00.000Z',
    });
  });
});
