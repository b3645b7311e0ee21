/**
 * Property names the catalog format gives a meaning to. Unknown properties are kept as
 * `attributes`, so an attribute may not use one of these names (it would be lost or
 * overwritten on export).
 */

/** Keys of a site feature's `properties` that sitewatch reads. */
export const SITE_PROPERTY_KEYS = [
  'id',
  'name',
  'kind',
  'tags',
  'notes',
  'zones',
  'links',
] as const;

/** Keys of a zone object that sitewatch reads. */
export const ZONE_KEYS = ['id', 'name', 'kind', 'geometry', 'notes'] as const;

/** The keys of `attributes` that collide with `reserved`. */
export function reservedKeysIn(
  attributes: Readonly<Record<string, unknown>> | undefined,
  reserved: readonly string[],
): string[] {
  if (attributes === undefined) return [];
  return Object.keys(attributes).filter((key) => reserved.includes(key));
}

/** `attributes` without the `known` keys, or undefined when nothing is left. */
export function unknownEntries(
  record: Readonly<Record<string, unknown>>,
  known: readonly string[],
): Record<string, unknown> | undefined {
  const rest = Object.entries(record).filter(([key]) => !known.includes(key));
  return rest.length === 0 ? undefined : Object.fromEntries(rest);
}
