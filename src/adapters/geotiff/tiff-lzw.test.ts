import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTiffLzw } from './tiff-lzw.ts';

/** A TIFF LZW encoder (early change, clear on a full table), only to round-trip the decoder. */
function encodeTiffLzw(data: Uint8Array): Uint8Array {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  let width = 9;
  const write = (code: number): void => {
    buffer = (buffer << width) | code;
    bits += width;
    while (bits >= 8) {
      bytes.push((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  };
  let table = new Map<number, number>();
  let next = 258;
  write(256);
  let current = -1;
  for (const byte of data) {
    if (current === -1) {
      current = byte;
      continue;
    }
    const key = current * 256 + byte;
    const known = table.get(key);
    if (known !== undefined) {
      current = known;
      continue;
    }
    write(current);
    table.set(key, next);
    next += 1;
    if (next >= 1 << width && width < 12) width += 1;
    if (next >= 4094) {
      write(256);
      table = new Map();
      next = 258;
      width = 9;
    }
    current = byte;
  }
  if (current !== -1) {
    write(current);
    if (next + 1 >= 1 << width && width < 12) width += 1;
  }
  write(257);
  if (bits > 0) bytes.push((buffer << (8 - bits)) & 0xff);
  return Uint8Array.from(bytes);
}

describe('decodeTiffLzw', () => {
  it('round-trips random and repetitive data, across code-width changes and table resets', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 0, maxLength: 5000 }),
          fc.uint8Array({ minLength: 1, maxLength: 4 }).map((unit) => {
            const out = new Uint8Array(20000);
            for (let i = 0; i < out.length; i += 1) out[i] = unit[i % unit.length] ?? 0;
            return out;
          }),
        ),
        (data) => {
          const decoded = decodeTiffLzw(encodeTiffLzw(data), data.length);
          expect(Buffer.from(decoded).equals(Buffer.from(data))).toBe(true);
        },
      ),
      { seed: 5150, numRuns: 150 },
    );
  });

  it('refuses output beyond the block size', () => {
    const encoded = encodeTiffLzw(new Uint8Array(1000));
    expect(() => decodeTiffLzw(encoded, 999)).toThrow(/more than its 999 bytes/);
  });

  it('never exceeds the limit or loops on random input: it returns or throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), (input) => {
        try {
          expect(decodeTiffLzw(input, 4096).length).toBeLessThanOrEqual(4096);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
        }
      }),
      { seed: 99, numRuns: 300 },
    );
  });

  it('rejects a code beyond the dictionary', () => {
    // 9-bit codes: CLEAR (256), 'A' (65), then 300 while the dictionary ends at 258.
    const codes = [256, 65, 300];
    let bits = '';
    for (const code of codes) bits += code.toString(2).padStart(9, '0');
    bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    const input = Uint8Array.from(bits.match(/.{8}/g) ?? [], (b) => parseInt(b, 2));
    expect(() => decodeTiffLzw(input, 100)).toThrow(/beyond the dictionary/);
  });
});
