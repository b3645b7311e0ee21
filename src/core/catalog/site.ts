import type { PolygonalGeometry } from '../geo/types.ts';

/** Kinds a zone inside a site can have. */
export const ZONE_KINDS = ['parking', 'pad', 'rail', 'building', 'road', 'other'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

/** A named sub-polygon of a site (a parking lot, a launch pad, a rail siding). */
export interface Zone {
  /** Slug, unique within its site. */
  readonly id: string;
  readonly name: string;
  readonly kind: ZoneKind;
  /** lon/lat (EPSG:4326); must lie inside the site's geometry. */
  readonly geometry: PolygonalGeometry;
  readonly notes?: string;
  /**
   * Members of the zone object sitewatch does not know, kept so that import → export loses
   * nothing. Absent rather than empty.
   */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** A directed relation from one site to another (factory `ships-to` rail transfer). */
export interface SiteLink {
  /** Id of the target site; must exist in the catalog. */
  readonly target: string;
  /** Free text relation, e.g. `ships-to`, `supplies`, `launches-from`. */
  readonly relation: string;
  readonly note?: string;
}

/** A watched facility. */
export interface Site {
  /** Slug: lowercase letters, digits and dashes, 1–64 characters. */
  readonly id: string;
  readonly name: string;
  /** Free text such as `missile-factory`, `launch-site`, `rail-transfer`. */
  readonly kind: string;
  readonly tags: readonly string[];
  readonly notes: string;
  /** lon/lat (EPSG:4326) polygon or multipolygon. */
  readonly geometry: PolygonalGeometry;
  readonly zones: readonly Zone[];
  readonly links: readonly SiteLink[];
  /**
   * Feature properties sitewatch does not know, kept so that import → export loses nothing.
   * Absent rather than empty.
   */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
