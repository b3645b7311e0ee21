/**
 * zod shapes of a catalog feature (docs/catalog-format.md). Geometry is only checked to be
 * present here; polygon validity is validatePolygonalGeometry's job, with better messages.
 */
import { z } from 'zod';
import { ZONE_KINDS } from './site.ts';

export const zoneJsonSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(ZONE_KINDS),
  geometry: z.unknown(),
  notes: z.string().optional(),
});

export const linkJsonSchema = z.strictObject({
  target: z.string(),
  relation: z.string(),
  note: z.string().optional(),
});

export const sitePropertiesSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  kind: z.string(),
  tags: z.array(z.string()).default([]),
  notes: z.string().default(''),
  zones: z.array(zoneJsonSchema).default([]),
  links: z.array(linkJsonSchema).default([]),
});

export const siteFeatureSchema = z.looseObject({
  type: z.literal('Feature'),
  id: z.string().optional(),
  geometry: z.unknown(),
  properties: sitePropertiesSchema,
});

export type ZoneJson = z.infer<typeof zoneJsonSchema>;
export type SiteFeatureJson = z.infer<typeof siteFeatureSchema>;
