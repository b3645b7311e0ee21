/**
 * Box-filter decimation of an image by an integer factor: coarse pixel (u, v) is the mean of
 * the data samples of the fine block [u·f, u·f + f) × [v·f, v·f + f), so a shift of s coarse
 * pixels is a shift of s·f fine pixels. The centre of coarse pixel u lies at fine coordinate
 * u·f + (f − 1)/2.
 */
import { ValidationError } from '../errors.ts';
import { checkImage, type ImageSamples } from './correlation-input.ts';

/** A decimated image. */
export interface DecimatedImage {
  readonly data: Float64Array;
  /** floor(width / factor): partial blocks at the right and bottom edges are dropped. */
  readonly width: number;
  readonly height: number;
  readonly factor: number;
}

/**
 * The box-filter decimation of `image` by `factor` (see the module comment). Missing samples
 * (NaN, ±Infinity, `nodata`) are left out of each mean; a block without data gives NaN.
 * @throws ValidationError when the image does not hold width × height samples or factor is not
 * an integer in [1, min(width, height)].
 */
export function decimateBox(
  image: ImageSamples,
  width: number,
  height: number,
  factor: number,
  nodata: number | null = null,
): DecimatedImage {
  checkImage(image, width, height, 'decimateBox', 1);
  if (!Number.isInteger(factor) || factor < 1 || factor > Math.min(width, height)) {
    throw new ValidationError(
      `decimateBox: factor must be an integer in [1, ${Math.min(width, height)}]; got ${factor}`,
    );
  }
  const coarseWidth = Math.floor(width / factor);
  const coarseHeight = Math.floor(height / factor);
  const data = new Float64Array(coarseWidth * coarseHeight);
  const sums = new Float64Array(coarseWidth);
  const counts = new Float64Array(coarseWidth);
  for (let v = 0; v < coarseHeight; v++) {
    sums.fill(0);
    counts.fill(0);
    for (let y = v * factor; y < (v + 1) * factor; y++) {
      const row = y * width;
      for (let u = 0; u < coarseWidth; u++) {
        const start = row + u * factor;
        let sum = 0;
        let count = 0;
        for (let x = start; x < start + factor; x++) {
          const value = image[x] ?? Number.NaN;
          // value − value is 0 exactly for finite values, NaN for NaN and ±Infinity.
          if (value - value === 0 && value !== nodata) {
            sum += value;
            count++;
          }
        }
        sums[u] = (sums[u] ?? 0) + sum;
        counts[u] = (counts[u] ?? 0) + count;
      }
    }
    for (let u = 0; u < coarseWidth; u++) {
      const count = counts[u] ?? 0;
      data[v * coarseWidth + u] = count === 0 ? Number.NaN : (sums[u] ?? 0) / count;
    }
  }
  return { data, width: coarseWidth, height: coarseHeight, factor };
}
