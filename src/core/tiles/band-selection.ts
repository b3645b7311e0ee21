/**
 * Which bands a tile shows: three as red, green, blue, or one as grey. Users name them by band
 * name (`B04`, `red`, case-insensitive, canonical spectral names included) or 1-based index.
 */
import { ValidationError } from '../errors.ts';
import { canonicalBandNames } from '../grid/match-bands.ts';

/**
 * 0-based band indexes, 3 (red, green, blue) or 1 (grey).
 * Without `text`: the bands whose canonical names are red, green and blue when all three exist,
 * else the first three bands, else the first band.
 * @param text comma-separated band names or 1-based indexes, e.g. `B04,B03,B02`, `4,3,2`, `nir`.
 * @throws ValidationError naming an unknown band, or a count other than 1 or 3.
 */
export function selectBands(
  text: string | undefined,
  bandNames: readonly string[],
  sensor: string | null = null,
): number[] {
  const canonical = canonicalBandNames(bandNames, sensor);
  if (text === undefined || text.trim() === '') {
    const rgb = ['red', 'green', 'blue'].map((name) => canonical.indexOf(name));
    if (rgb.every((i) => i >= 0)) return rgb;
    return bandNames.length >= 3 ? [0, 1, 2] : [0];
  }
  const items = text.split(',').map((item) => item.trim());
  if (items.length !== 1 && items.length !== 3) {
    throw new ValidationError(
      `bands '${text}' must name 1 band (grey) or 3 bands (red, green, blue); got ${items.length}`,
    );
  }
  return items.map((item) => {
    if (/^\d+$/.test(item)) {
      const index = Number(item) - 1;
      if (index >= 0 && index < bandNames.length) return index;
      throw new ValidationError(
        `band index ${item} must be in [1, ${bandNames.length}] (the image has ${bandNames.length} bands)`,
      );
    }
    const lower = item.toLowerCase();
    let index = bandNames.findIndex((name) => name.toLowerCase() === lower);
    if (index < 0) index = canonical.indexOf(lower);
    if (index < 0) {
      throw new ValidationError(
        `band '${item}' is not one of the image's bands (${bandNames.join(', ')})`,
      );
    }
    return index;
  });
}
