/**
 * The catalog file format: a GeoJSON FeatureCollection with one Feature per site
 * (docs/catalog-format.md). Parsing checks shape, geometry and the rules of one site;
 * whether link targets exist is the whole catalog's business (validateCatalog).
 */
import { GeometryError, SitewatchError, ValidationError } from '../errors.ts';
import { describeValue } from '../geo/describe-value.ts';
import { validatePolygonalGeometry } from '../geo/polygon-validity.ts';
import type { PolygonalGeometry } from '../geo/types.ts';
import { SITE_PROPERTY_KEYS, ZONE_KEYS, reservedKeysIn, unknownEntries } from './catalog-keys.ts';
import type { ZoneJson } from './catalog-schema.ts';
import { siteFeatureSchema } from './catalog-schema.ts';
import type { Site, SiteLink, Zone } from './site.ts';
import { validateSite } from './validate-catalog.ts';
import { formatZodIssues } from './zod-issues.ts';

/** Most problems listed in one error; the rest are counted. */
const MAX_LISTED_PROBLEMS = 20;

/** A zone as written in a feature's `properties.zones`. */
export interface ZoneObject {
  readonly id: string;
  readonly name: string;
  readonly kind: Zone['kind'];
  readonly geometry: PolygonalGeometry;
  readonly notes?: string;
  readonly [attribute: string]: unknown;
}

/** A site's feature properties: the known fields plus any attributes. */
export interface SiteFeatureProperties {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly tags: readonly string[];
  readonly notes: string;
  readonly zones: readonly ZoneObject[];
  readonly links: readonly SiteLink[];
  readonly [attribute: string]: unknown;
}

/** One site as a GeoJSON Feature. */
export interface SiteFeature {
  readonly type: 'Feature';
  readonly id: string;
  readonly geometry: PolygonalGeometry;
  readonly properties: SiteFeatureProperties;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The feature's id from `id` or `properties.id`, or undefined if absent or not a string. */
function peekId(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  const properties = json.properties;
  const id = json.id ?? (isRecord(properties) ? properties.id : undefined);
  return typeof id === 'string' ? id : undefined;
}

function withLabel(error: unknown, label: string): unknown {
  if (error instanceof GeometryError)
    return new GeometryError(`${label}: ${error.message}`, { cause: error });
  if (error instanceof SitewatchError)
    return new ValidationError(`${label}: ${error.message}`, { cause: error });
  return error;
}

function buildZone(zone: ZoneJson, label: string): Zone {
  const attributes = unknownEntries(zone, ZONE_KEYS);
  return {
    id: zone.id,
    name: zone.name,
    kind: zone.kind,
    geometry: validatePolygonalGeometry(zone.geometry, `${label} zone ${JSON.stringify(zone.id)}`),
    ...(zone.notes === undefined ? {} : { notes: zone.notes }),
    ...(attributes === undefined ? {} : { attributes }),
  };
}

function buildLink(link: {
  target: string;
  relation: string;
  note?: string | undefined;
}): SiteLink {
  return {
    target: link.target,
    relation: link.relation,
    ...(link.note === undefined ? {} : { note: link.note }),
  };
}

/**
 * Reads one site Feature (see docs/catalog-format.md) and checks it with validateSite.
 * @param label prefix of error messages, e.g. `feature 3`.
 * @throws ValidationError naming the label, id and field path of each shape problem, e.g.
 *   `feature 3 ("sohae"): properties.zones[1].kind: expected one of …, got "launchpad"`.
 * @throws GeometryError for invalid geometry, e.g. `feature 3: site "sohae" zone "pad": …`.
 */
export function parseSiteFeature(json: unknown, label: string): Site {
  const knownId = peekId(json);
  const prefix = knownId === undefined ? label : `${label} (${JSON.stringify(knownId)})`;
  if (!isRecord(json) || json.type !== 'Feature') {
    throw new ValidationError(`${prefix}: expected a GeoJSON Feature, got ${describeValue(json)}`);
  }
  const parsed = siteFeatureSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    throw new ValidationError(
      formatZodIssues(parsed.error.issues)
        .map((line) => `${prefix}: ${line}`)
        .join('\n'),
    );
  }
  const feature = parsed.data;
  const { properties } = feature;
  const id = feature.id ?? properties.id;
  if (id === undefined) {
    throw new ValidationError(
      `${prefix}: id: missing; give the feature an "id" or set properties.id`,
    );
  }
  if (feature.id !== undefined && properties.id !== undefined && feature.id !== properties.id) {
    throw new ValidationError(
      `${prefix}: id ${JSON.stringify(feature.id)} differs from properties.id ${JSON.stringify(properties.id)}; they must match`,
    );
  }
  const siteLabel = `${label}: site ${JSON.stringify(id)}`;
  const attributes = unknownEntries(properties, SITE_PROPERTY_KEYS);
  const site: Site = {
    id,
    name: properties.name,
    kind: properties.kind,
    tags: properties.tags,
    notes: properties.notes,
    geometry: validatePolygonalGeometry(feature.geometry, siteLabel),
    zones: properties.zones.map((zone) => buildZone(zone, siteLabel)),
    links: properties.links.map(buildLink),
    ...(attributes === undefined ? {} : { attributes }),
  };
  try {
    validateSite(site);
  } catch (error) {
    throw withLabel(error, label);
  }
  return site;
}

function joinProblems(problems: readonly Error[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => p.message);
  const more = problems.length - listed.length;
  const header = `catalog has ${problems.length} problems:`;
  return [header, ...listed, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n');
}

/**
 * Reads a catalog FeatureCollection into sites, in feature order. Every feature is checked
 * (parseSiteFeature) and site ids must be unique; link targets are not resolved here.
 * @throws ValidationError when `json` is not a FeatureCollection (saying what it is), or
 *   listing every problem found (one per line, each naming the feature index and id);
 *   GeometryError when all problems are geometry problems. With one problem, its message.
 */
export function parseCatalog(json: unknown): Site[] {
  if (!isRecord(json) || json.type !== 'FeatureCollection') {
    throw new ValidationError(
      `catalog: expected a GeoJSON FeatureCollection, got ${describeValue(json)}`,
    );
  }
  const features = json.features;
  if (!Array.isArray(features)) {
    throw new ValidationError(`catalog: features must be an array, got ${describeValue(features)}`);
  }
  const problems: Error[] = [];
  const sites: Site[] = [];
  const firstIndex = new Map<string, number>();
  (features as unknown[]).forEach((feature, i) => {
    try {
      const site = parseSiteFeature(feature, `feature ${i}`);
      const earlier = firstIndex.get(site.id);
      if (earlier !== undefined) {
        throw new ValidationError(
          `feature ${i} (${JSON.stringify(site.id)}): id: feature ${earlier} has the same id; site ids must be unique`,
        );
      }
      firstIndex.set(site.id, i);
      sites.push(site);
    } catch (error) {
      if (!(error instanceof SitewatchError)) throw error;
      problems.push(error);
    }
  });
  const [first] = problems;
  if (first === undefined) return sites;
  if (problems.length === 1) throw first;
  const message = joinProblems(problems);
  if (problems.every((p) => p instanceof GeometryError))
    throw new GeometryError(message, { cause: first });
  throw new ValidationError(message, { cause: first });
}

function zoneToObject(zone: Zone): ZoneObject {
  return {
    ...zone.attributes,
    id: zone.id,
    name: zone.name,
    kind: zone.kind,
    geometry: zone.geometry,
    ...(zone.notes === undefined ? {} : { notes: zone.notes }),
  };
}

/**
 * The catalog as a FeatureCollection that {@link parseCatalog} reads back to equal sites. The
 * id is written both as the feature `id` and as `properties.id` (for tools that keep only
 * properties); attributes are written back as properties.
 * @throws ValidationError when an attribute uses a reserved property name (it would be lost).
 */
export function catalogToFeatureCollection(sites: readonly Site[]): {
  type: 'FeatureCollection';
  features: SiteFeature[];
} {
  const features = sites.map((site): SiteFeature => {
    const clashes = [
      ...reservedKeysIn(site.attributes, SITE_PROPERTY_KEYS),
      ...site.zones.flatMap((zone) => reservedKeysIn(zone.attributes, ZONE_KEYS)),
    ];
    if (clashes.length > 0) {
      throw new ValidationError(
        `site ${JSON.stringify(site.id)}: attributes use reserved keys ${clashes.map((k) => JSON.stringify(k)).join(', ')}; they would be lost on export`,
      );
    }
    return {
      type: 'Feature',
      id: site.id,
      geometry: site.geometry,
      properties: {
        id: site.id,
        name: site.name,
        kind: site.kind,
        tags: site.tags,
        notes: site.notes,
        ...site.attributes,
        zones: site.zones.map(zoneToObject),
        links: site.links.map(buildLink),
      },
    };
  });
  return { type: 'FeatureCollection', features };
}
