/**
 * TIFF LZW decoding (TIFF 6.0 §13: MSB-first codes of 9–12 bits, "early change") with a hard
 * output limit. Replaces geotiff.js's decoder, whose dictionary can form a cycle on corrupt input
 * and then grow an array until the process dies.
 */

const CLEAR = 256;
const END_OF_INFORMATION = 257;
const FIRST_FREE = 258;
const MAX_CODES = 4096;

/**
 * Decodes one LZW-compressed block. Input that ends without an end-of-information code ends
 * the output there (as libtiff and geotiff.js tolerate).
 * @param maxBytes the block's decoded size; more output is an error.
 * @throws Error for codes that cannot occur in valid LZW data or output beyond `maxBytes`.
 */
export function decodeTiffLzw(input: Uint8Array, maxBytes: number): Uint8Array {
  const prefix = new Int16Array(MAX_CODES).fill(-1);
  const suffix = new Uint8Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  for (let i = 0; i < 256; i += 1) {
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const out = new Uint8Array(Math.max(0, maxBytes));
  let written = 0;
  let width = 9;
  let next = FIRST_FREE;
  let previous = -1;
  let bitPosition = 0;
  const totalBits = input.length * 8;

  const readCode = (): number => {
    if (bitPosition + width > totalBits) return END_OF_INFORMATION;
    const at = bitPosition >> 3;
    const chunk = ((input[at] ?? 0) << 16) | ((input[at + 1] ?? 0) << 8) | (input[at + 2] ?? 0);
    const code = (chunk >> (24 - (bitPosition & 7) - width)) & ((1 << width) - 1);
    bitPosition += width;
    return code;
  };
  const emit = (code: number): void => {
    const size = length[code] ?? 0;
    if (written + size > out.length) {
      throw new Error(`LZW block decodes to more than its ${out.length} bytes`);
    }
    let at = written + size - 1;
    for (let c = code; c >= 0; c = prefix[c] ?? -1) {
      out[at] = suffix[c] ?? 0;
      at -= 1;
    }
    written += size;
  };
  const add = (base: number, char: number): void => {
    if (next >= MAX_CODES) return;
    prefix[next] = base;
    suffix[next] = char;
    first[next] = first[base] ?? 0;
    length[next] = (length[base] ?? 0) + 1;
    next += 1;
    if (next + 1 >= 1 << width && width < 12) width += 1;
  };

  for (let code = readCode(); code !== END_OF_INFORMATION; code = readCode()) {
    if (code === CLEAR) {
      width = 9;
      next = FIRST_FREE;
      previous = -1;
      continue;
    }
    if (previous === -1) {
      if (code > 255) throw new Error(`LZW block: code ${code} right after a clear code`);
      emit(code);
    } else if (code < next) {
      emit(code);
      add(previous, first[code] ?? 0);
    } else if (code === next) {
      add(previous, first[previous] ?? 0);
      emit(code);
    } else {
      throw new Error(`LZW block: code ${code} is beyond the dictionary (${next} entries)`);
    }
    previous = code;
  }
  return out.subarray(0, written);
}
