import { describe, expect, it } from 'vitest';
import { CorruptFileError, UnsupportedError } from '../../../src/core/errors.ts';
import { decodeBmp } from './bmp.ts';

/** Builds a BMP: 8-bit with a palette, or 24-bit; rows bottom-up unless topDown. */
function makeBmp(
  width: number,
  height: number,
  bits: 8 | 24,
  pixel: (x: number, y: number) => number[],
  topDown = false,
  compression = 0,
): Uint8Array {
  const paletteBytes = bits === 8 ? 256 * 4 : 0;
  const rowBytes = Math.ceil((width * bits) / 32) * 4;
  const offset = 54 + paletteBytes;
  const out = new Uint8Array(offset + rowBytes * height);
  const view = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  view.setUint32(2, out.length, true);
  view.setUint32(10, offset, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, topDown ? -height : height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bits, true);
  view.setUint32(30, compression, true);
  if (bits === 8) {
    for (let i = 0; i < 256; i++) {
      // palette entry i is (B, G, R) = (i, 255 - i, i ^ 0x55)
      out.set([i, 255 - i, i ^ 0x55, 0], 54 + i * 4);
    }
  }
  for (let y = 0; y < height; y++) {
    const fileRow = topDown ? y : height - 1 - y;
    for (let x = 0; x < width; x++) {
      const values = pixel(x, y);
      const at = offset + fileRow * rowBytes + (x * bits) / 8;
      if (bits === 8) out[at] = values[0]!;
      else out.set([values[2]!, values[1]!, values[0]!], at);
    }
  }
  return out;
}

describe('decodeBmp', () => {
  it('reads a bottom-up 8-bit palette image with row padding, mapping indices to colours', () => {
    const index = (x: number, y: number) => (x * 7 + y * 31) % 256;
    const bmp = decodeBmp(makeBmp(5, 3, 8, (x, y) => [index(x, y)]));
    expect([bmp.width, bmp.height]).toEqual([5, 3]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 5; x++) {
        const i = index(x, y);
        const p = y * 5 + x;
        expect(bmp.indices?.[p]).toBe(i);
        expect([bmp.channels[0][p], bmp.channels[1][p], bmp.channels[2][p]]).toEqual([
          i ^ 0x55,
          255 - i,
          i,
        ]);
      }
    }
  });

  it('reads 24-bit top-down and bottom-up images alike', () => {
    const rgb = (x: number, y: number) => [x * 40, y * 60, 200 - x * 10];
    for (const topDown of [false, true]) {
      const bmp = decodeBmp(makeBmp(3, 4, 24, rgb, topDown));
      expect(bmp.indices).toBeNull();
      expect(Array.from(bmp.channels[0])).toEqual([0, 40, 80, 0, 40, 80, 0, 40, 80, 0, 40, 80]);
      expect(bmp.channels[1][3 * 3 + 2]).toBe(180);
      expect(bmp.channels[2][1]).toBe(190);
    }
  });

  it('rejects a file without the BM signature, compressed bitmaps and truncated pixels', () => {
    const good = makeBmp(2, 2, 24, () => [1, 2, 3]);
    const bad = good.slice();
    bad[0] = 0x50;
    expect(() => decodeBmp(bad, 'x.bmp')).toThrow(CorruptFileError);
    expect(() => decodeBmp(makeBmp(2, 2, 24, () => [1, 2, 3], false, 1))).toThrow(UnsupportedError);
    expect(() => decodeBmp(good.subarray(0, good.length - 4))).toThrow(/too short/);
  });
});
