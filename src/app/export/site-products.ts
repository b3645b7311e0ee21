/**
 * The derived products stored for a site: its comparisons (those run with `--site`) and
 * detection runs, found through the images filed under the site.
 */
import type { Comparison } from '../../core/change/comparison.ts';
import type { Site } from '../../core/catalog/site.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { DetectionRun } from '../detect/detection-run.ts';
import type {
  ComparisonRepository,
  DetectionRepository,
  ImageRepository,
  SiteRepository,
} from '../ports.ts';

export interface SiteProductDeps {
  readonly sites: SiteRepository;
  readonly images: ImageRepository;
  readonly comparisons: ComparisonRepository;
  readonly detections: DetectionRepository;
}

export interface SiteProducts {
  readonly site: Site;
  /** The site's images by id. */
  readonly images: ReadonlyMap<string, ImageRecord>;
  /** Comparisons run over the site, oldest first. */
  readonly comparisons: readonly Comparison[];
  /** Detection runs over the site, oldest first. */
  readonly runs: readonly DetectionRun[];
}

/** @throws NotFoundError naming the site when it is not in the catalog */
export async function requireSite(sites: SiteRepository, siteId: string): Promise<Site> {
  const site = await sites.get(siteId);
  if (site === undefined) throw new NotFoundError(`site "${siteId}" not found`);
  return site;
}

export async function loadSiteProducts(
  deps: SiteProductDeps,
  siteId: string,
): Promise<SiteProducts> {
  const site = await requireSite(deps.sites, siteId);
  const images = await deps.images.list({ siteId });
  const comparisons = new Map<string, Comparison>();
  const runs = new Map<string, DetectionRun>();
  for (const image of images) {
    for (const comparison of await deps.comparisons.listForImage(image.id)) {
      if (comparison.parameters.siteId === siteId) comparisons.set(comparison.id, comparison);
    }
    for (const run of await deps.detections.listRunsForImage(image.id)) {
      if (run.parameters.siteId === siteId) runs.set(run.id, run);
    }
  }
  const byCreated = <T extends { createdAt: string; id: string }>(a: T, b: T): number =>
    a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;
  return {
    site,
    images: new Map(images.map((image) => [image.id, image])),
    comparisons: [...comparisons.values()].sort(byCreated),
    runs: [...runs.values()].sort(byCreated),
  };
}
