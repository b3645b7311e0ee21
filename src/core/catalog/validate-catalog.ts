/**
 * Rules a site catalog must keep: slugs, non-empty names, valid geometry, zones inside their
 * site, links to sites that exist. Used on every change, before anything is written.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { validatePolygonalGeometry } from '../geo/polygon-validity.ts';
import { geometryContains } from '../geo/relations.ts';
import { SITE_PROPERTY_KEYS, ZONE_KEYS, reservedKeysIn } from './catalog-keys.ts';
import type { Site, Zone } from './site.ts';
import { SLUG_PATTERN, ZONE_KINDS } from './site.ts';

const SLUG_RULE = 'lowercase letters, digits and dashes, 1–64 characters, no dash at either end';

/** Planar slack (degrees, about 0.1 mm) for zones sharing the site's boundary. */
const ZONE_TOLERANCE_DEG = 1e-9;

function requireSlug(value: string, what: string): void {
  if (!SLUG_PATTERN.test(value)) {
    throw new ValidationError(
      `${what} must be a slug (${SLUG_RULE}), got ${JSON.stringify(value)}`,
    );
  }
}

function requireText(value: string, what: string): void {
  if (value.trim() === '') throw new ValidationError(`${what} must not be empty`);
}

function requireNoReservedKeys(
  attributes: Readonly<Record<string, unknown>> | undefined,
  reserved: readonly string[],
  what: string,
): void {
  const clashes = reservedKeysIn(attributes, reserved);
  if (clashes.length > 0) {
    throw new ValidationError(
      `${what} attributes use reserved ${clashes.length === 1 ? 'key' : 'keys'} ${clashes.map((k) => JSON.stringify(k)).join(', ')}; attributes hold only properties sitewatch does not know`,
    );
  }
}

function validateZone(zone: Zone, site: Site, label: string): void {
  const zoneLabel = `${label} zone ${JSON.stringify(zone.id)}`;
  requireSlug(zone.id, `${label}: zone id`);
  requireText(zone.name, `${zoneLabel}: name`);
  if (!(ZONE_KINDS as readonly string[]).includes(zone.kind)) {
    throw new ValidationError(
      `${zoneLabel}: kind must be one of ${ZONE_KINDS.join(', ')}, got ${JSON.stringify(zone.kind)}`,
    );
  }
  requireNoReservedKeys(zone.attributes, ZONE_KEYS, zoneLabel);
  validatePolygonalGeometry(zone.geometry, zoneLabel);
  if (!geometryContains(site.geometry, zone.geometry, ZONE_TOLERANCE_DEG)) {
    throw new ValidationError(
      `${zoneLabel}: zone "${zone.id}" is not inside site "${site.id}"; a zone must lie within its site's geometry`,
    );
  }
}

/**
 * Checks one site on its own: id and zone ids are slugs ({@link SLUG_PATTERN}), name and kind
 * are not empty, geometries are valid, zone ids are unique and every zone lies inside the
 * site, links have a slug target other than the site itself and a non-empty relation, and
 * attributes use no reserved property name. Does not check that link targets exist.
 * @throws ValidationError or GeometryError naming the site (and zone or link).
 */
export function validateSite(site: Site): void {
  const label = `site ${JSON.stringify(site.id)}`;
  requireSlug(site.id, `${label}: id`);
  requireText(site.name, `${label}: name`);
  requireText(site.kind, `${label}: kind`);
  requireNoReservedKeys(site.attributes, SITE_PROPERTY_KEYS, label);
  validatePolygonalGeometry(site.geometry, label);
  const zoneIds = new Set<string>();
  for (const zone of site.zones) {
    if (zoneIds.has(zone.id)) {
      throw new ValidationError(
        `${label}: zone id ${JSON.stringify(zone.id)} is used twice; zone ids must be unique within a site`,
      );
    }
    zoneIds.add(zone.id);
    validateZone(zone, site, label);
  }
  site.links.forEach((link, i) => {
    const linkLabel = `${label}: link ${i} (${JSON.stringify(link.relation)} → ${JSON.stringify(link.target)})`;
    requireSlug(link.target, `${linkLabel}: target`);
    requireText(link.relation, `${linkLabel}: relation`);
    if (link.target === site.id)
      throw new ValidationError(`${linkLabel}: a site cannot link to itself`);
  });
}

/**
 * Checks a whole catalog: every site valid ({@link validateSite}), site ids unique, and every
 * link target a site of `sites`.
 * @throws ValidationError or GeometryError naming the site, and the link or duplicate.
 */
export function validateCatalog(sites: readonly Site[]): void {
  const positions = new Map<string, number>();
  sites.forEach((site, i) => {
    validateSite(site);
    const earlier = positions.get(site.id);
    if (earlier !== undefined) {
      throw new ValidationError(
        `site id ${JSON.stringify(site.id)} is used twice (sites ${earlier} and ${i}); site ids must be unique`,
      );
    }
    positions.set(site.id, i);
  });
  for (const site of sites) {
    site.links.forEach((link, i) => {
      if (!positions.has(link.target)) {
        throw new ValidationError(
          `site ${JSON.stringify(site.id)}: link ${i} (${JSON.stringify(link.relation)}) targets ${JSON.stringify(link.target)}, which is not a site in the catalog`,
        );
      }
    });
  }
}

/** Sites to add or replace (by id) and ids to remove, applied together. */
export interface SiteChange {
  readonly upsert?: readonly Site[];
  readonly remove?: readonly string[];
}

/**
 * The catalog after `change`: removed ids dropped, upserted sites replacing the site with the
 * same id in place or appended in the order given. The result is validated as a whole.
 * @throws NotFoundError when a removed id is not in `existing`.
 * @throws ConflictError when a removed site is still the target of a link of a remaining
 *   site (naming those sites).
 * @throws ValidationError when an id is both upserted and removed or upserted twice, or the
 *   result breaks a rule of {@link validateCatalog} (GeometryError for bad geometry).
 */
export function applySiteChange(existing: readonly Site[], change: SiteChange): Site[] {
  const upserts = change.upsert ?? [];
  const removed = new Set(change.remove ?? []);
  const existingIds = new Set(existing.map((site) => site.id));
  for (const id of removed) {
    if (!existingIds.has(id))
      throw new NotFoundError(`cannot remove site ${JSON.stringify(id)}: it is not in the catalog`);
  }
  const incoming = new Map<string, Site>();
  for (const site of upserts) {
    if (incoming.has(site.id))
      throw new ValidationError(`the change upserts site ${JSON.stringify(site.id)} twice`);
    if (removed.has(site.id))
      throw new ValidationError(
        `the change both upserts and removes site ${JSON.stringify(site.id)}`,
      );
    incoming.set(site.id, site);
  }
  const next = existing
    .filter((site) => !removed.has(site.id))
    .map((site) => incoming.get(site.id) ?? site);
  next.push(...upserts.filter((site) => !existingIds.has(site.id)));
  for (const id of removed) {
    const linkers = next.filter((site) => site.links.some((link) => link.target === id));
    if (linkers.length > 0) {
      throw new ConflictError(
        `cannot remove site ${JSON.stringify(id)}: ${linkers.map((site) => JSON.stringify(site.id)).join(', ')} ${linkers.length === 1 ? 'links' : 'link'} to it; remove those links first`,
      );
    }
  }
  validateCatalog(next);
  return next;
}
