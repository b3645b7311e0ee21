/**
 * Use cases on the site catalog. Every change is validated against the whole catalog
 * (ids, zones inside sites, link targets) before anything is written, and the image↔site
 * index of the changed sites is rebuilt in the same transaction as the sites themselves.
 */
import { catalogToFeatureCollection, parseCatalog } from '../core/catalog/catalog-geojson.ts';
import type { Site, SiteLink, Zone } from '../core/catalog/site.ts';
import { applySiteChange } from '../core/catalog/validate-catalog.ts';
import { bboxOfGeometry } from '../core/geo/bbox.ts';
import { geometriesIntersect } from '../core/geo/relations.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import type { ImageRepository, SiteRepository } from './ports.ts';

export interface CatalogDeps {
  readonly sites: SiteRepository;
  readonly images: ImageRepository;
}

export interface ImportSummary {
  readonly added: readonly string[];
  readonly updated: readonly string[];
}

export class CatalogService {
  constructor(private readonly deps: CatalogDeps) {}

  list(): Promise<Site[]> {
    return this.deps.sites.list();
  }

  /** @throws NotFoundError naming the id */
  async get(id: string): Promise<Site> {
    const site = await this.deps.sites.get(id);
    if (!site) throw new NotFoundError(`site "${id}" is not in the catalog`);
    return site;
  }

  /**
   * Imports a catalog FeatureCollection: new ids are added, existing ids replaced.
   * @throws ValidationError / GeometryError naming the feature; nothing is written then.
   */
  async importGeoJson(json: unknown): Promise<ImportSummary> {
    const incoming = parseCatalog(json);
    const existing = await this.deps.sites.list();
    const known = new Set(existing.map((s) => s.id));
    applySiteChange(existing, { upsert: incoming });
    await this.write(incoming);
    return {
      added: incoming.filter((s) => !known.has(s.id)).map((s) => s.id),
      updated: incoming.filter((s) => known.has(s.id)).map((s) => s.id),
    };
  }

  async exportGeoJson(): Promise<ReturnType<typeof catalogToFeatureCollection>> {
    return catalogToFeatureCollection(await this.deps.sites.list());
  }

  /** @throws ConflictError if the id exists */
  async add(site: Site): Promise<Site> {
    if (await this.deps.sites.get(site.id)) {
      throw new ConflictError(`site "${site.id}" already exists; use "sites update" to change it`);
    }
    applySiteChange(await this.deps.sites.list(), { upsert: [site] });
    await this.write([site]);
    return site;
  }

  /** Applies `change` to the stored site and validates the result against the catalog. */
  async update(id: string, change: (site: Site) => Site): Promise<Site> {
    const current = await this.get(id);
    const next = change(current);
    if (next.id !== id) throw new ConflictError(`site "${id}": the id cannot be changed`);
    applySiteChange(await this.deps.sites.list(), { upsert: [next] });
    await this.write([next]);
    return next;
  }

  async addZone(siteId: string, zone: Zone): Promise<Site> {
    return this.update(siteId, (site) => {
      if (site.zones.some((z) => z.id === zone.id)) {
        throw new ConflictError(`site "${siteId}" already has a zone "${zone.id}"`);
      }
      return { ...site, zones: [...site.zones, zone] };
    });
  }

  async removeZone(siteId: string, zoneId: string): Promise<Site> {
    return this.update(siteId, (site) => {
      if (!site.zones.some((z) => z.id === zoneId)) {
        throw new NotFoundError(`site "${siteId}" has no zone "${zoneId}"`);
      }
      return { ...site, zones: site.zones.filter((z) => z.id !== zoneId) };
    });
  }

  async addLink(siteId: string, link: SiteLink): Promise<Site> {
    return this.update(siteId, (site) => {
      if (site.links.some((l) => l.target === link.target && l.relation === link.relation)) {
        throw new ConflictError(
          `site "${siteId}" already links to "${link.target}" as "${link.relation}"`,
        );
      }
      return { ...site, links: [...site.links, link] };
    });
  }

  async removeLink(siteId: string, target: string, relation?: string): Promise<Site> {
    return this.update(siteId, (site) => {
      const keep = site.links.filter(
        (l) => !(l.target === target && (relation === undefined || l.relation === relation)),
      );
      if (keep.length === site.links.length) {
        throw new NotFoundError(`site "${siteId}" has no link to "${target}"`);
      }
      return { ...site, links: keep };
    });
  }

  /** @throws NotFoundError for an unknown id; ConflictError if other sites link to it */
  async remove(id: string): Promise<void> {
    applySiteChange(await this.deps.sites.list(), { remove: [id] });
    await this.deps.sites.remove(id);
  }

  private async write(sites: readonly Site[]): Promise<void> {
    const index = new Map<string, string[]>();
    for (const site of sites) index.set(site.id, await this.imagesOf(site));
    await this.deps.sites.upsertMany(sites, index);
  }

  /**
   * Ids of the held images whose footprint intersects the site polygon, plus pixel-only
   * images that were assigned to the site by hand (they have no footprint to test).
   */
  private async imagesOf(site: Site): Promise<string[]> {
    const candidates = await this.deps.images.footprintsIntersecting(bboxOfGeometry(site.geometry));
    const ids = candidates
      .filter((c) => c.footprint !== null && geometriesIntersect(site.geometry, c.footprint))
      .map((c) => c.id);
    const assigned = await this.deps.images.list({ siteId: site.id });
    for (const image of assigned) if (image.footprint === null) ids.push(image.id);
    return [...new Set(ids)].sort();
  }
}
