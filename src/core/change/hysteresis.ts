/**
 * Hysteresis thresholding (as in Canny's edge detector): a pixel is change when its value
 * reaches the `grow` level and it is connected (8-connected, through pixels that also reach
 * `grow`) to at least one pixel that reaches the `seed` level. A weak response is kept only
 * as the extension of a strong one, so the low level can sit at the edge of the no-change
 * population (catching the faint parts of real changes) without keeping the isolated noise,
 * edge and misregistration responses that cross it on their own.
 */
import { ValidationError } from '../errors.ts';
import type { PixelArray } from '../raster/raster.ts';
import { labelComponents } from '../raster/connected-components.ts';

/** The two levels, in value units (change: value ≥ level). */
export interface HysteresisLevels {
  /** Lower level: where a change region may extend. */
  readonly grow: number;
  /** Upper level (≥ grow): a region must hold at least one such pixel. */
  readonly seed: number;
}

/**
 * The hysteresis mask of a row-major raster: 1 where valid, value ≥ grow and 8-connected to a
 * valid pixel with value ≥ seed; else 0 (NaN and invalid pixels are never change). With
 * seed ≤ grow it is the plain threshold at `grow`.
 * @param valid 1 valid, 0 not (null: all valid).
 * @throws ValidationError when sizes disagree or a level is NaN.
 */
export function hysteresisMask(
  values: PixelArray,
  valid: Uint8Array | null,
  width: number,
  height: number,
  levels: HysteresisLevels,
): Uint8Array {
  const { grow, seed } = levels;
  if (Number.isNaN(grow) || Number.isNaN(seed)) {
    throw new ValidationError(
      `hysteresisMask: levels must not be NaN; got grow ${grow}, seed ${seed}`,
    );
  }
  const length = width * height;
  if (values.length !== length || (valid !== null && valid.length !== length)) {
    throw new ValidationError(
      `hysteresisMask: values (${values.length}) and valid (${valid?.length ?? 'none'}) must have ${width}×${height} = ${length} elements`,
    );
  }
  const weak = new Uint8Array(length);
  for (let p = 0; p < length; p++) {
    weak[p] = (valid === null || valid[p] !== 0) && (values[p] ?? Number.NaN) >= grow ? 1 : 0;
  }
  if (!(seed > grow)) return weak;
  const { labels, count } = labelComponents(weak, width, height, { connectivity: 8 });
  const seeded = new Uint8Array(count + 1);
  for (let p = 0; p < length; p++) {
    const label = labels[p] ?? 0;
    if (label !== 0 && (values[p] ?? Number.NaN) >= seed) seeded[label] = 1;
  }
  for (let p = 0; p < length; p++) weak[p] = seeded[labels[p] ?? 0] ?? 0;
  return weak;
}
