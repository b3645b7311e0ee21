/**
 * PackBits decoding (TIFF 6.0 §9) with a hard output limit, replacing geotiff.js's decoder,
 * which pushes every byte onto a plain array without bound.
 */

/**
 * Decodes one PackBits-compressed block.
 * @param maxBytes the block's decoded size; more output is an error.
 * @throws Error when the output would exceed `maxBytes`.
 */
export function decodePackBits(input: Uint8Array, maxBytes: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, maxBytes));
  let written = 0;
  let at = 0;
  while (at < input.length) {
    const header = input[at] ?? 0;
    const signed = header > 127 ? header - 256 : header;
    at += 1;
    if (signed === -128) continue;
    const run = signed < 0 ? 1 - signed : signed + 1;
    if (written + run > out.length)
      throw new Error(`PackBits block decodes to more than its ${out.length} bytes`);
    if (signed < 0) {
      out.fill(input[at] ?? 0, written, written + run);
      at += 1;
    } else {
      out.set(input.subarray(at, at + run), written);
      at += run;
    }
    written += run;
  }
  return out.subarray(0, written);
}
