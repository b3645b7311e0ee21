/** The display options of a tile, parsed from request text, and their canonical cache key. */
import { ValidationError } from '../errors.ts';

export const TILE_FORMATS = ['png', 'webp'] as const;
export type TileFormat = (typeof TILE_FORMATS)[number];

/** Percentiles (0–100) of each band mapped to black and white. */
export interface StretchPercentiles {
  readonly lowPercent: number;
  readonly highPercent: number;
}

export const DEFAULT_STRETCH: StretchPercentiles = { lowPercent: 2, highPercent: 98 };

/** Bands (0-based; 3 = RGB, 1 = grey) and stretch of a rendered tile. */
export interface TileRenderOptions {
  readonly bands: readonly number[];
  readonly stretch: StretchPercentiles;
}

/**
 * Parses `pLOW,pHIGH` (e.g. `p2,p98`); absent text gives {@link DEFAULT_STRETCH}.
 * @throws ValidationError naming the text, for another shape or low ≥ high.
 */
export function parseStretch(text: string | undefined): StretchPercentiles {
  if (text === undefined || text.trim() === '') return DEFAULT_STRETCH;
  const match = /^p(\d+(?:\.\d+)?),p(\d+(?:\.\d+)?)$/.exec(text.trim());
  const lowPercent = Number(match?.[1]);
  const highPercent = Number(match?.[2]);
  if (match === null || !(lowPercent < highPercent && highPercent <= 100)) {
    throw new ValidationError(
      `stretch '${text}' must be 'pLOW,pHIGH' with 0 <= LOW < HIGH <= 100, e.g. 'p2,p98'`,
    );
  }
  return { lowPercent, highPercent };
}

/** A canonical text for the options (equal options give equal keys), e.g. `bands=3,2,1;stretch=p2,p98`. */
export function tileOptionsKey(options: TileRenderOptions): string {
  const { lowPercent, highPercent } = options.stretch;
  return `bands=${options.bands.join(',')};stretch=p${lowPercent},p${highPercent}`;
}
