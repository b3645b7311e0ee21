/**
 * `report --site ID | --playbook FILE`: gathers what a brief states about a site and the sites
 * it links to (or those a playbook names): the assessment (the playbook, or the watched
 * playbooks naming the site) with its stored snapshots, the scored series up to the as-of
 * time, the images with their provenance, the comparisons with their registration reports and
 * the detection runs; thumbnails of the evidence images and a before/after figure of the
 * latest comparison when a picture renderer is given (brief-pictures.ts). Then builds the
 * document model (core/brief).
 */
import type { MetricRegistry } from '../../core/activity/metrics.ts';
import { DEFAULT_BASELINE_WINDOW, scoreSeries } from '../../core/activity/robust-baseline.ts';
import { assembleSeries, seriesKeysOf } from '../../core/activity/series.ts';
import type { Assessment } from '../../core/assess/assessment.ts';
import type { BriefDetectionRun, BriefInputs, BriefSeries } from '../../core/brief/brief-inputs.ts';
import { buildBrief } from '../../core/brief/build-brief.ts';
import type { BriefDocument, BriefRaster } from '../../core/brief/document.ts';
import type { Site } from '../../core/catalog/site.ts';
import type { Comparison } from '../../core/change/comparison.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { AssessmentSnapshot, WatchedPlaybook } from '../alerts/fact-stores.ts';
import { assessFromPlaybook } from '../assess/assess-playbook.ts';
import type {
  ComparisonRepository,
  DetectionRepository,
  ImageRepository,
  ObservationRepository,
  SiteRepository,
} from '../ports.ts';
import type { ReviewRepository } from '../review/review-ports.ts';

/** Renders the brief's pictures (thumbnails, before/after); see brief-pictures.ts. */
export interface BriefPictures {
  /** A thumbnail of the site on the image. */
  thumbnail(siteId: string, imageId: string): Promise<BriefRaster>;
  /** The site before (A) and after (B) a comparison, side by side. */
  beforeAfter(
    siteId: string,
    comparison: Comparison,
  ): Promise<{ readonly raster: BriefRaster; readonly caption: string }>;
}

export interface BriefDeps {
  readonly sites: SiteRepository;
  readonly images: ImageRepository;
  readonly comparisons: ComparisonRepository;
  readonly detections: DetectionRepository;
  readonly observations: ObservationRepository;
  readonly metrics: MetricRegistry;
  readonly reviews?: ReviewRepository;
  /** Stored snapshots and watched playbooks. */
  readonly history?: {
    listSnapshots(playbookId?: string): Promise<AssessmentSnapshot[]>;
    listWatched(): Promise<WatchedPlaybook[]>;
  };
  /** Without it the brief has no thumbnails or figure, and says so. */
  readonly pictures?: BriefPictures;
}

export type BriefSubjectRequest =
  | { readonly kind: 'site'; readonly siteId: string }
  | { readonly kind: 'playbook'; readonly json: unknown; readonly label: string };

export interface BriefRequest {
  readonly subject: BriefSubjectRequest;
  /** ISO 8601 UTC: observations, images and runs after it are left out. */
  readonly asOf: string;
  /** ISO 8601 UTC: the timestamp the document states. */
  readonly generatedAt: string;
  readonly softwareVersion: string;
}

/** Without evidence images, thumbnails of this many of the subject site's latest images. */
export const BRIEF_LATEST_THUMBNAILS = 4;

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The named sites first (in order), then the sites they link to or that link to them. */
async function sitesAround(deps: BriefDeps, ids: readonly string[]): Promise<Site[]> {
  const all = await deps.sites.list();
  const byId = new Map(all.map((s) => [s.id, s]));
  const named = ids.flatMap((id) => byId.get(id) ?? []);
  const namedIds = new Set(named.map((s) => s.id));
  const linked = all
    .filter(
      (s) =>
        !namedIds.has(s.id) &&
        (named.some((n) => n.links.some((l) => l.target === s.id)) ||
          s.links.some((l) => namedIds.has(l.target))),
    )
    .sort((a, b) => byText(a.id, b.id));
  return [...named, ...linked];
}

async function assessmentFor(
  deps: BriefDeps,
  subject: BriefSubjectRequest,
  asOf: string,
): Promise<{ assessment: Assessment | null; snapshots: AssessmentSnapshot[] }> {
  let json: unknown;
  let label: string;
  if (subject.kind === 'playbook') {
    ({ json, label } = subject);
  } else {
    const watched = (await deps.history?.listWatched()) ?? [];
    const match = watched
      .filter((w) => w.siteIds.includes(subject.siteId))
      .sort((a, b) => byText(a.playbookId, b.playbookId))[0];
    if (match === undefined) return { assessment: null, snapshots: [] };
    ({ json, label } = match);
  }
  const assessment = await assessFromPlaybook(deps, json, label, asOf);
  const snapshots = ((await deps.history?.listSnapshots(assessment.hypothesis)) ?? []).filter(
    (s) => s.asOf <= asOf,
  );
  return { assessment, snapshots };
}

async function seriesFor(
  deps: BriefDeps,
  siteIds: readonly string[],
  asOf: string,
): Promise<BriefSeries[]> {
  const observations = await deps.observations.list({ siteIds, until: asOf });
  return seriesKeysOf(observations).map((key) => {
    const series = assembleSeries(observations, key);
    const scored = scoreSeries(series, {
      window: DEFAULT_BASELINE_WINDOW,
      seasonal: false,
      madFloor: deps.metrics.get(key.metric)?.madFloor ?? 1,
    });
    return { series, scored };
  });
}

async function imagesFor(
  deps: BriefDeps,
  siteIds: readonly string[],
  asOf: string,
): Promise<ImageRecord[]> {
  const byId = new Map<string, ImageRecord>();
  for (const siteId of siteIds) {
    for (const image of await deps.images.list({ siteId, until: asOf })) byId.set(image.id, image);
  }
  return [...byId.values()].sort(
    (a, b) => byText(a.acquisition.acquiredAt, b.acquisition.acquiredAt) || byText(a.id, b.id),
  );
}

async function runsAndComparisons(
  deps: BriefDeps,
  images: readonly ImageRecord[],
  asOf: string,
): Promise<{ comparisons: Comparison[]; runs: BriefDetectionRun[] }> {
  const comparisons = new Map<string, Comparison>();
  const runs: BriefDetectionRun[] = [];
  const held = new Set(images.map((i) => i.id));
  for (const image of images) {
    for (const c of await deps.comparisons.listForImage(image.id)) {
      if (held.has(c.imageA) && held.has(c.imageB) && c.createdAt <= asOf) comparisons.set(c.id, c);
    }
    for (const run of await deps.detections.listRunsForImage(image.id)) {
      if (run.createdAt > asOf) continue;
      runs.push({
        id: run.id,
        imageId: run.imageId,
        createdAt: run.createdAt,
        modelId: run.model.id,
        modelVersion: run.model.version,
        modelSha256: run.model.sha256,
        detectionCount: run.detectionCount,
        parameters: { ...run.parameters },
      });
    }
  }
  const order = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
    byText(a.createdAt, b.createdAt) || byText(a.id, b.id);
  return { comparisons: [...comparisons.values()].sort(order), runs: runs.sort(order) };
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

async function picturesFor(
  deps: BriefDeps,
  assessment: Assessment | null,
  mainSiteId: string | undefined,
  comparisons: readonly Comparison[],
  latestImages: readonly ImageRecord[],
): Promise<Pick<BriefInputs, 'thumbnails' | 'beforeAfter' | 'caveats'>> {
  const caveats: string[] = [];
  const thumbnails = new Map<string, BriefRaster>();
  if (deps.pictures === undefined) {
    return {
      thumbnails,
      beforeAfter: null,
      caveats: ['Pictures were not rendered for this brief.'],
    };
  }
  const wanted = new Map<string, string>();
  for (const e of assessment?.evidence ?? []) {
    for (const s of e.sources)
      if (s.imageId !== null && !wanted.has(s.imageId)) wanted.set(s.imageId, e.site);
  }
  if (wanted.size === 0 && mainSiteId !== undefined) {
    for (const image of latestImages.slice(-BRIEF_LATEST_THUMBNAILS))
      wanted.set(image.id, mainSiteId);
  }
  for (const [imageId, siteId] of [...wanted].sort(([a], [b]) => byText(a, b))) {
    try {
      thumbnails.set(imageId, await deps.pictures.thumbnail(siteId, imageId));
    } catch (error) {
      caveats.push(`No thumbnail of image ${imageId}: ${messageOf(error)}`);
    }
  }
  const latest = [...comparisons]
    .filter(
      (c) =>
        mainSiteId === undefined ||
        c.parameters.siteId === null ||
        c.parameters.siteId === mainSiteId,
    )
    .sort(
      (a, b) =>
        Number(b.registration.reliable) - Number(a.registration.reliable) ||
        byText(b.createdAt, a.createdAt) ||
        byText(a.id, b.id),
    )[0];
  let beforeAfter: BriefInputs['beforeAfter'] = null;
  const figureSite = latest?.parameters.siteId ?? mainSiteId;
  if (latest !== undefined && figureSite !== undefined) {
    try {
      beforeAfter = await deps.pictures.beforeAfter(figureSite, latest);
    } catch (error) {
      caveats.push(`No before/after figure for comparison ${latest.id}: ${messageOf(error)}`);
    }
  }
  return { thumbnails, beforeAfter, caveats };
}

/**
 * Gathers the brief's inputs (see the file comment).
 * @throws NotFoundError naming the site when it is not in the catalog; ValidationError listing
 *   the playbook's problems.
 */
export async function gatherBrief(deps: BriefDeps, request: BriefRequest): Promise<BriefInputs> {
  const { subject, asOf } = request;
  if (subject.kind === 'site' && (await deps.sites.get(subject.siteId)) === undefined) {
    throw new NotFoundError(`site "${subject.siteId}" is not in the catalog`);
  }
  const { assessment, snapshots } = await assessmentFor(deps, subject, asOf);
  const named =
    subject.kind === 'site'
      ? [subject.siteId]
      : [...new Set(assessment?.evidence.map((e) => e.site) ?? [])].sort(byText);
  const sites = await sitesAround(deps, named);
  const siteIds = sites.map((s) => s.id);
  const images = await imagesFor(deps, siteIds, asOf);
  const { comparisons, runs } = await runsAndComparisons(deps, images, asOf);
  const pictures = await picturesFor(
    deps,
    assessment,
    named[0],
    comparisons,
    images.filter((i) => named[0] !== undefined && i.sites.includes(named[0])),
  );
  return {
    subject:
      subject.kind === 'site'
        ? { kind: 'site', siteId: subject.siteId }
        : { kind: 'playbook', label: subject.label },
    generatedAt: request.generatedAt,
    softwareVersion: request.softwareVersion,
    sites,
    assessment,
    snapshots: snapshots.map((s) => ({ asOf: s.asOf, probability: s.probability })),
    series: await seriesFor(deps, siteIds, asOf),
    images,
    comparisons,
    detectionRuns: runs,
    ...pictures,
  };
}

/** Gathers and builds the brief's document model. */
export async function publishBrief(deps: BriefDeps, request: BriefRequest): Promise<BriefDocument> {
  return buildBrief(await gatherBrief(deps, request));
}
