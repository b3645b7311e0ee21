/**
 * Which pixels of a co-registered window pair can be compared: those where every band of
 * both images holds data. Nodata in either image is never counted as change, so every change
 * statistic and transform takes this mask.
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';

/**
 * Checks that two band lists describe the same window: same non-zero band count, every band
 * `pixelCount` samples long.
 * @returns the band count.
 * @throws ValidationError naming the first mismatch.
 */
export function checkBandPair(
  bandsA: readonly PixelArray[],
  bandsB: readonly PixelArray[],
  pixelCount: number,
  label: string,
): number {
  if (bandsA.length === 0 || bandsA.length !== bandsB.length) {
    throw new ValidationError(
      `${label}: images must have the same non-zero band count, got ${bandsA.length} and ${bandsB.length}`,
    );
  }
  for (let j = 0; j < bandsA.length; j++) {
    const lengthA = bandsA[j]?.length;
    const lengthB = bandsB[j]?.length;
    if (lengthA !== pixelCount || lengthB !== pixelCount) {
      throw new ValidationError(
        `${label}: band ${j} has ${lengthA} and ${lengthB} samples; expected ${pixelCount} in both`,
      );
    }
  }
  return bandsA.length;
}

function clearInvalid(band: PixelArray, nodata: number | null, valid: Uint8Array): void {
  const length = valid.length;
  if (nodata === null || Number.isNaN(nodata)) {
    for (let p = 0; p < length; p++) {
      const v = band[p] ?? 0;
      if (v !== v) valid[p] = 0;
    }
    return;
  }
  for (let p = 0; p < length; p++) {
    const v = band[p] ?? 0;
    if (v !== v || v === nodata) valid[p] = 0;
  }
}

/**
 * Writes into `out` 1 where every band of A and of B holds data at that pixel, else 0.
 * NaN always counts as nodata; `nodataA` / `nodataB` (null: none) are compared exactly.
 * @returns `out`.
 * @throws ValidationError when the bands or `out` disagree in length or band count.
 */
export function computeValidMask(
  bandsA: readonly PixelArray[],
  bandsB: readonly PixelArray[],
  nodataA: number | null,
  nodataB: number | null,
  out: Uint8Array,
): Uint8Array {
  checkBandPair(bandsA, bandsB, out.length, 'computeValidMask');
  out.fill(1);
  for (const band of bandsA) clearInvalid(band, nodataA, out);
  for (const band of bandsB) clearInvalid(band, nodataB, out);
  return out;
}
