import { describe, expect, it } from 'vitest';
import { CorruptFileError, UnsupportedError } from '../../../src/core/errors.ts';
import { decodeEnvi, parseEnviHeader } from './envi.ts';

const HEADER = `ENVI
description = {
  File Resize Result, x resize factor: 1.000000.
  [Wed Apr 25 09:29:04 2012]}
samples = 3
lines   = 2
bands   = 2
header offset = 0
file type = ENVI Standard
data type = 1
interleave = bsq
byte order = 0
map info = {UTM, 1.000, 1.000, 203325.000, 3604935.000, 3.0000000000e+001, 3.0000000000e+001, 51, North, WGS-84, units=Meters}
band names = {
 Band 1,
 Band 7}
`;

describe('parseEnviHeader', () => {
  it('reads sizes, type, interleave, pixel size and multi-line band names', () => {
    const header = parseEnviHeader(HEADER);
    expect(header).toMatchObject({
      samples: 3,
      lines: 2,
      bands: 2,
      dataType: 1,
      interleave: 'bsq',
      byteOrder: 0,
      headerOffset: 0,
    });
    expect(header.bandNames).toEqual(['Band 1', 'Band 7']);
    expect(header.pixelSizeMapUnits).toBe(30);
  });

  it('rejects non-ENVI text, missing sizes and unsupported types', () => {
    expect(() => parseEnviHeader('samples = 3')).toThrow(CorruptFileError);
    expect(() => parseEnviHeader(HEADER.replace('lines   = 2', ''))).toThrow(/lines/);
    expect(() => parseEnviHeader(HEADER.replace('data type = 1', 'data type = 6'))).toThrow(
      UnsupportedError,
    );
    expect(() => parseEnviHeader(HEADER.replace('interleave = bsq', 'interleave = bxx'))).toThrow(
      UnsupportedError,
    );
  });
});

describe('decodeEnvi', () => {
  // Band b, pixel p holds 10·b + p.
  const expected = [
    [0, 1, 2, 3, 4, 5],
    [10, 11, 12, 13, 14, 15],
  ];

  it('splits BSQ, BIL and BIP uint8 data into the same bands', () => {
    const layouts = {
      bsq: [0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15],
      bil: [0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15],
      bip: [0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15],
    };
    for (const [interleave, bytes] of Object.entries(layouts)) {
      const header = parseEnviHeader(
        HEADER.replace('interleave = bsq', `interleave = ${interleave}`),
      );
      expect(decodeEnvi(header, Uint8Array.from(bytes)).map((b) => Array.from(b))).toEqual(
        expected,
      );
    }
  });

  it('reads big-endian int16 after a header offset', () => {
    const header = parseEnviHeader(
      HEADER.replace('data type = 1', 'data type = 2')
        .replace('byte order = 0', 'byte order = 1')
        .replace('header offset = 0', 'header offset = 4'),
    );
    const data = new Uint8Array(4 + 12 * 2);
    const view = new DataView(data.buffer);
    expected.flat().forEach((v, i) => {
      view.setInt16(4 + i * 2, v - 7, false);
    });
    expect(decodeEnvi(header, data).map((b) => Array.from(b))).toEqual(
      expected.map((band) => band.map((v) => v - 7)),
    );
  });

  it('rejects data shorter than the header says', () => {
    expect(() => decodeEnvi(parseEnviHeader(HEADER), new Uint8Array(11))).toThrow(CorruptFileError);
  });
});
