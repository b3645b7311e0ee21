/** Turning warped band samples into the RGBA pixels of a tile. */
import { ValidationError } from '../errors.ts';
import { stretchToByte, type BandStretch } from './stretch.ts';

/**
 * RGBA bytes (4 per pixel, row-major) from 3 bands (red, green, blue) or 1 band (grey), each
 * through its stretch. Pixels with `valid` 0 are fully transparent black; others are opaque.
 * @throws ValidationError for another band count, or bands, stretches and mask of unequal sizes.
 */
export function composeRgba(
  bands: readonly Float32Array[],
  stretches: readonly BandStretch[],
  valid: Uint8Array,
): Uint8Array {
  if ((bands.length !== 1 && bands.length !== 3) || stretches.length !== bands.length) {
    throw new ValidationError(
      `composeRgba needs 1 or 3 bands with one stretch each; got ${bands.length} bands and ${stretches.length} stretches`,
    );
  }
  const count = valid.length;
  if (bands.some((band) => band.length !== count)) {
    throw new ValidationError(
      `composeRgba: band lengths ${bands.map((b) => b.length).join(', ')} differ from the mask's ${count}`,
    );
  }
  const rgba = new Uint8Array(count * 4);
  const channels = bands.length === 3 ? [0, 1, 2] : [0, 0, 0];
  channels.forEach((band, channel) => {
    const samples = bands[band] ?? new Float32Array(count);
    const stretch = stretches[band] ?? { low: 0, high: 1 };
    for (let i = 0; i < count; i += 1) {
      if (valid[i] !== 0) rgba[4 * i + channel] = stretchToByte(samples[i] ?? 0, stretch);
    }
  });
  for (let i = 0; i < count; i += 1) rgba[4 * i + 3] = valid[i] !== 0 ? 255 : 0;
  return rgba;
}
