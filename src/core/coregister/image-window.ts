/** Rectangular windows of an in-memory image (pixel columns and rows, row-major). */
import { ValidationError } from '../errors.ts';
import { isDataSample, type ImageSamples } from './correlation-input.ts';

/** Columns [col0, col0 + width) and rows [row0, row0 + height), in pixels. */
export interface ImageWindow {
  readonly col0: number;
  readonly row0: number;
  readonly width: number;
  readonly height: number;
}

/** True when `window` lies inside a width × height image. */
export function windowInside(window: ImageWindow, width: number, height: number): boolean {
  return (
    window.col0 >= 0 &&
    window.row0 >= 0 &&
    window.col0 + window.width <= width &&
    window.row0 + window.height <= height
  );
}

/**
 * A copy of `window` of a row-major image `imageWidth` pixels wide, as a Float64Array.
 * @throws ValidationError when the window is empty or not inside the image.
 */
export function extractWindow(
  image: ImageSamples,
  imageWidth: number,
  window: ImageWindow,
): Float64Array {
  const imageHeight = Math.floor(image.length / imageWidth);
  if (window.width < 1 || window.height < 1 || !windowInside(window, imageWidth, imageHeight)) {
    throw new ValidationError(
      `window ${window.width} × ${window.height} at (${window.col0}, ${window.row0}) is not inside the ${imageWidth} × ${imageHeight} image`,
    );
  }
  const out = new Float64Array(window.width * window.height);
  for (let y = 0; y < window.height; y++) {
    const start = (window.row0 + y) * imageWidth + window.col0;
    out.set(image.subarray(start, start + window.width), y * window.width);
  }
  return out;
}

/** Texture of a window: mean squared forward difference and the fraction of data samples. */
export interface WindowTexture {
  /** Mean of (∂x)² + (∂y)² over pixels whose neighbours are data, in squared sample units. */
  readonly gradientEnergy: number;
  /** Fraction of the window's samples that are data (finite, not nodata), in [0, 1]. */
  readonly dataFraction: number;
}

/** The {@link WindowTexture} of `window` (inside the image) of a row-major image. */
export function windowTexture(
  image: ImageSamples,
  imageWidth: number,
  window: ImageWindow,
  nodata: number | null,
): WindowTexture {
  let energy = 0;
  let gradients = 0;
  let data = 0;
  for (let y = window.row0; y < window.row0 + window.height; y++) {
    for (let x = window.col0; x < window.col0 + window.width; x++) {
      const i = y * imageWidth + x;
      const v = image[i] ?? Number.NaN;
      if (!isDataSample(v, nodata)) continue;
      data++;
      if (x + 1 >= window.col0 + window.width || y + 1 >= window.row0 + window.height) continue;
      const right = image[i + 1] ?? Number.NaN;
      const below = image[i + imageWidth] ?? Number.NaN;
      if (!isDataSample(right, nodata) || !isDataSample(below, nodata)) continue;
      energy += (right - v) ** 2 + (below - v) ** 2;
      gradients++;
    }
  }
  return {
    gradientEnergy: gradients === 0 ? 0 : energy / gradients,
    dataFraction: data / Math.max(1, window.width * window.height),
  };
}
