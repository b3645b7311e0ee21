/** A scale bar of a nice round length (1, 2 or 5 × 10ⁿ metres). */
import { ValidationError } from '../errors.ts';

export interface ScaleBar {
  /** The bar's length on the ground, metres. */
  readonly meters: number;
  /** The bar's length on the figure, pixels. */
  readonly lengthPx: number;
  /** e.g. `500 m`, `2 km`. */
  readonly label: string;
}

/** `750 m`, `2 km`, `1.5 km`: metres below 1000, kilometres from there. */
export function formatMeters(meters: number): string {
  if (meters >= 1000) return `${Number((meters / 1000).toPrecision(3))} km`;
  return `${Number(meters.toPrecision(3))} m`;
}

/**
 * The longest 1/2/5 × 10ⁿ metre bar no longer than `maxLengthPx` at `metersPerPixel`.
 * @throws ValidationError for a non-positive scale or maximum length.
 */
export function niceScaleBar(metersPerPixel: number, maxLengthPx: number): ScaleBar {
  if (!(metersPerPixel > 0 && Number.isFinite(metersPerPixel))) {
    throw new ValidationError(`metersPerPixel must be a finite number > 0; got ${metersPerPixel}`);
  }
  if (!(maxLengthPx > 0 && Number.isFinite(maxLengthPx))) {
    throw new ValidationError(`maxLengthPx must be a finite number > 0; got ${maxLengthPx}`);
  }
  const maxMeters = metersPerPixel * maxLengthPx;
  const power = 10 ** Math.floor(Math.log10(maxMeters));
  const step = [5, 2, 1].find((m) => m * power <= maxMeters) ?? 1;
  const meters = step * power;
  return { meters, lengthPx: meters / metersPerPixel, label: formatMeters(meters) };
}
