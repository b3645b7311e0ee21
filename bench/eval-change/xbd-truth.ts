/**
 * xBD post-disaster building polygons → change mask. Change (1) = a building whose damage
 * class is minor-damage, major-damage or destroyed; no-damage buildings and the background
 * are 0; un-classified buildings are unknown (255, not scored), since their damage could be
 * anything. Damage is burnt last, so where footprints overlap damage wins.
 */
import { z } from 'zod';
import { burnPolygon, parseWktPolygons } from './decoders/rasterise-polygons.ts';

const DAMAGED = new Set(['minor-damage', 'major-damage', 'destroyed']);
const UNKNOWN = 'un-classified';
const IGNORE = 255;

const labelSchema = z.object({
  metadata: z
    .object({ gsd: z.number().optional(), pan_resolution: z.number().optional() })
    .loose()
    .optional(),
  features: z.object({
    xy: z.array(
      z.object({
        properties: z.object({ subtype: z.string().optional() }).loose(),
        wkt: z.string(),
      }),
    ),
  }),
});

/**
 * Rasterises one xBD post-disaster label file (parsed JSON) on a width × height grid.
 * @throws ValidationError (zod) when the JSON is not an xBD label file.
 */
export function xbdChangeMask(labels: unknown, width: number, height: number): Uint8Array {
  const parsed = labelSchema.parse(labels);
  const mask = new Uint8Array(width * height);
  const features = parsed.features.xy;
  const burn = (keep: (subtype: string) => boolean, value: number) => {
    for (const feature of features) {
      const subtype = feature.properties.subtype ?? UNKNOWN;
      if (!keep(subtype)) continue;
      for (const polygon of parseWktPolygons(feature.wkt))
        burnPolygon(mask, width, height, polygon, value);
    }
  };
  burn((s) => s === UNKNOWN, IGNORE);
  burn((s) => !DAMAGED.has(s) && s !== UNKNOWN, 0);
  burn((s) => DAMAGED.has(s), 1);
  return mask;
}

/**
 * The image's ground sample distance: the pan-sharpened `pan_resolution` (about 0.59 m for
 * Joplin; a house is 40–50 px wide) rather than `gsd` (2.35 m, the multispectral bands).
 * Falls back to `gsd`, then 0.5 m.
 */
export function xbdGsdMeters(labels: unknown): number {
  const metadata = labelSchema.parse(labels).metadata;
  return metadata?.pan_resolution ?? metadata?.gsd ?? 0.5;
}
