/**
 * TIFF predictors applied to a tile before deflate (TIFF 6.0 §14 and Adobe TIFF Technical Note 3),
 * in place, row by row, as libtiff's encoder does:
 * - 2, horizontal differencing of integer samples: s[i] -= s[i - stride], wrapping modulo 2^bits;
 * - 3, floating point: each row's bytes are regrouped by significance (most significant byte of
 *   every sample first, as big-endian), then differenced byte-wise with the same stride.
 * `stride` is the number of interleaved samples per pixel (1 for band-separate tiles).
 */
/** TIFF Predictor tag values. */
export const PREDICTOR_HORIZONTAL = 2;
export const PREDICTOR_FLOATING_POINT = 3;

/**
 * Predictor 2 on integer samples: `rows` rows of `rowSamples` samples each (tile width × stride).
 * Typed-array stores wrap the differences modulo 2^bits, as the decoder's sums do; signed
 * samples may be passed as an unsigned view of the same bytes (the bits come out the same).
 */
export function encodeHorizontalDifferencing(
  tile: Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array,
  rows: number,
  rowSamples: number,
  stride: number,
): void {
  for (let row = 0; row < rows; row++) {
    const start = row * rowSamples;
    for (let i = start + rowSamples - 1; i >= start + stride; i--) {
      tile[i] = (tile[i] ?? 0) - (tile[i - stride] ?? 0);
    }
  }
}

/**
 * Predictor 3 on float samples stored little-endian (the host order; checked by the writer):
 * `rows` rows of `rowSamples` samples of `bytesPerSample` bytes.
 */
export function encodeFloatingPointPredictor(
  tile: Float32Array | Float64Array,
  rows: number,
  rowSamples: number,
  stride: number,
): void {
  const bytesPerSample = tile.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(tile.buffer, tile.byteOffset, tile.byteLength);
  const rowBytes = rowSamples * bytesPerSample;
  const copy = new Uint8Array(rowBytes);
  for (let row = 0; row < rows; row++) {
    const start = row * rowBytes;
    copy.set(bytes.subarray(start, start + rowBytes));
    for (let b = 0; b < bytesPerSample; b++) {
      // Little-endian byte b of each sample goes to plane (bytesPerSample - 1 - b).
      const plane = start + (bytesPerSample - 1 - b) * rowSamples;
      for (let i = 0, j = b; i < rowSamples; i++, j += bytesPerSample)
        bytes[plane + i] = copy[j] ?? 0;
    }
    for (let i = start + rowBytes - 1; i >= start + stride; i--) {
      bytes[i] = ((bytes[i] ?? 0) - (bytes[i - stride] ?? 0)) & 0xff;
    }
  }
}
