/**
 * Checks shared by every RasterSource adapter: the requested window lies inside the raster and
 * the requested bands exist. (Pure; kept with the adapters because only they need it.)
 */
import { ValidationError } from '../../core/errors.ts';
import type { PixelWindow } from '../../core/raster/raster.ts';

/**
 * @throws ValidationError naming the window and the raster size when the window is empty,
 *   not integral or not inside width × height.
 */
export function checkWindow(
  window: PixelWindow,
  raster: { readonly width: number; readonly height: number },
  path: string,
): void {
  const { col0, row0, width, height } = window;
  const integral = [col0, row0, width, height].every((v) => Number.isInteger(v));
  if (
    !integral ||
    width < 1 ||
    height < 1 ||
    col0 < 0 ||
    row0 < 0 ||
    col0 + width > raster.width ||
    row0 + height > raster.height
  ) {
    throw new ValidationError(
      `${path}: window ${JSON.stringify(window)} is not inside the ${raster.width} × ${raster.height} raster`,
    );
  }
}

/**
 * The band indexes to read: `bands` as given (checked), or all of them.
 * @throws ValidationError naming a band index outside [0, bandCount) or an empty list.
 */
export function checkBandIndexes(
  bands: readonly number[] | undefined,
  bandCount: number,
  path: string,
): number[] {
  if (bands === undefined) return Array.from({ length: bandCount }, (_, i) => i);
  if (bands.length === 0) throw new ValidationError(`${path}: no bands requested`);
  for (const band of bands) {
    if (!Number.isInteger(band) || band < 0 || band >= bandCount) {
      throw new ValidationError(`${path}: band index ${band} is outside [0, ${bandCount})`);
    }
  }
  return [...bands];
}
