/**
 * Observations derived from sitewatch's own runs (`observe derive`, and after `detect` and
 * `compare` with a site): object counts per zone from a detection run, object-level change
 * against the run on the site's previous image with one, and changed area, changed fraction
 * and structure changes per zone from a comparison (its image A is the previous usable image).
 * The rules are in core/activity (derive-counts, object-change, derive-change); this reads the
 * stored runs, applies them and stores the result through observe.ts's `storeObservations` (the
 * path that also decides alerts).
 * Ids derive from content, so deriving again stores nothing new.
 */
import { z } from 'zod';
import type { Site } from '../../core/catalog/site.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { Comparison } from '../../core/change/comparison.ts';
import {
  OBSERVATION_SCHEMA_VERSION,
  observationIdentity,
  observationIdFromSha256,
  type Observation,
} from '../../core/activity/observation.ts';
import {
  DERIVED_AUTHOR,
  type DeriveContext,
  type ObservationDraft,
} from '../../core/activity/derive-observation.ts';
import { classesOfRun, deriveCountObservations } from '../../core/activity/derive-counts.ts';
import {
  deriveObjectChangeObservations,
  type GroundObject,
  type RunSide,
} from '../../core/activity/object-change.ts';
import {
  deriveChangeObservations,
  deriveStructureChangeObservations,
  type ChangePolygonInput,
  type ComparisonFacts,
} from '../../core/activity/derive-change.ts';
import type { ComparisonRepository, DetectionRepository, ModelRegistry } from '../ports.ts';
import type { DetectionRun, StoredDetection } from '../detect/detection-run.ts';
import { storeObservations, type ObserveDeps, type ObserveResult } from './observe.ts';

/** Reads a JSON file a run wrote (e.g. a comparison's changes.geojson). */
export interface RunOutputReader {
  /** The parsed JSON, or undefined when the file is no longer there. */
  readJson(path: string): Promise<unknown>;
}

/** The observe use case's dependencies (store, catalog, images, clock, metrics, alerting) and: */
export interface DeriveDeps extends ObserveDeps {
  readonly detections: DetectionRepository;
  readonly comparisons: ComparisonRepository;
  /** To learn a run's classes when no zone of it was observable. */
  readonly models: Pick<ModelRegistry, 'resolve'>;
  readonly outputs: RunOutputReader;
}

/** What to derive from. */
export type DeriveTarget =
  | { readonly kind: 'run'; readonly runId: string }
  | { readonly kind: 'comparison'; readonly comparisonId: string }
  /** The image's newest run per site and model, and its newest comparison per A and site. */
  | { readonly kind: 'image'; readonly imageId: string }
  /** The same for every image. */
  | { readonly kind: 'all' };

export interface DeriveResult extends ObserveResult {
  /** Detection runs and comparisons read. */
  readonly runs: readonly string[];
  readonly comparisons: readonly string[];
  /** One line per run or comparison that gave nothing, and why. */
  readonly skipped: readonly string[];
}

interface Derived {
  readonly drafts: ObservationDraft[];
  readonly skipped: string[];
}

async function imageOf(deps: DeriveDeps, imageId: string, label: string): Promise<ImageRecord> {
  const image = await deps.images.get(imageId);
  if (image === undefined) throw new NotFoundError(`${label}: image "${imageId}" not found`);
  return image;
}

async function siteOf(deps: DeriveDeps, siteId: string, label: string): Promise<Site> {
  const site = await deps.sites.get(siteId);
  if (site === undefined) throw new NotFoundError(`${label}: site "${siteId}" not found`);
  return site;
}

async function classesOf(deps: DeriveDeps, run: DetectionRun): Promise<string[]> {
  if (run.parameters.classes !== null) return [...run.parameters.classes];
  const counted = classesOfRun(run.counts);
  try {
    const model = await deps.models.resolve(run.model.id);
    const known = model.kind === 'onnx' ? model.descriptor.classes : model.classes;
    return [...new Set([...known, ...counted])].sort();
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof ValidationError) return counted;
    throw error;
  }
}

function runSide(
  run: DetectionRun,
  image: ImageRecord,
  detections: readonly StoredDetection[],
): RunSide {
  return {
    objects: groundObjectsOf(detections),
    zones: run.counts,
    facts: {
      gsdMeters: run.parameters.imageGsdMeters,
      cloudCoverPercent: image.acquisition.cloudCoverPercent ?? null,
    },
  };
}

function groundObjectsOf(detections: readonly StoredDetection[]): GroundObject[] {
  return detections.flatMap((d) =>
    d.geometry === null ? [] : [{ className: d.className, geometry: d.geometry, zones: d.zones }],
  );
}

/** The newest run of the same model for the site on the site's latest earlier image. */
async function previousRun(
  deps: DeriveDeps,
  run: DetectionRun,
  image: ImageRecord,
  siteId: string,
): Promise<{ run: DetectionRun; image: ImageRecord } | undefined> {
  const earlier = (await deps.images.list({ siteId, until: image.acquisition.acquiredAt }))
    .filter((i) => i.acquisition.acquiredAt < image.acquisition.acquiredAt)
    .reverse();
  for (const candidate of earlier) {
    const runs = await deps.detections.listRunsForImage(candidate.id);
    const found = runs.find((r) => r.parameters.siteId === siteId && r.model.id === run.model.id);
    if (found !== undefined) return { run: found, image: candidate };
  }
  return undefined;
}

/** Counts of the run, and object-level change against the previous run of the site. */
async function deriveFromRun(deps: DeriveDeps, run: DetectionRun): Promise<Derived> {
  const label = `detection run ${run.id}`;
  const siteId = run.parameters.siteId;
  if (siteId === null) {
    return { drafts: [], skipped: [`${label}: run without --site; nothing to attribute`] };
  }
  const [site, image] = await Promise.all([
    siteOf(deps, siteId, label),
    imageOf(deps, run.imageId, label),
  ]);
  const context: DeriveContext = {
    site,
    observedAt: image.acquisition.acquiredAt,
    source: { kind: 'detection', imageId: image.id, runId: run.id, comparisonId: null },
  };
  const metrics = deps.metrics.list();
  const current = runSide(run, image, await deps.detections.listDetections(run.id));
  const drafts = deriveCountObservations(
    context,
    run.counts,
    await classesOf(deps, run),
    current.facts,
    metrics,
  );
  const skipped: string[] = [];
  const previous = await previousRun(deps, run, image, siteId);
  if (previous === undefined) {
    skipped.push(
      `${label}: no earlier image of ${siteId} has a ${run.model.id} run; no object-level change`,
    );
  } else {
    const before = runSide(
      previous.run,
      previous.image,
      await deps.detections.listDetections(previous.run.id),
    );
    drafts.push(
      ...deriveObjectChangeObservations(
        context,
        before,
        current,
        `run ${previous.run.id} on ${previous.image.id} (${previous.image.acquisition.acquiredAt})`,
        metrics,
      ),
    );
  }
  return { drafts, skipped };
}

const changesSchema = z.object({
  features: z.array(
    z.object({
      geometry: z
        .object({
          type: z.enum(['Polygon', 'MultiPolygon']),
          coordinates: z.array(z.unknown()),
        })
        .nullable(),
      properties: z.object({ areaM2: z.number().nullable() }),
    }),
  ),
});

/** The change polygons of `changes.geojson`, or undefined when the comparison wrote none. */
async function changePolygonsOf(
  deps: DeriveDeps,
  comparison: Comparison,
): Promise<ChangePolygonInput[] | undefined> {
  if (comparison.outputs === null) return undefined;
  const path = comparison.outputs.changes;
  const json = await deps.outputs.readJson(path);
  if (json === undefined) return undefined;
  const parsed = changesSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(`${path}: not a changes.geojson FeatureCollection of polygons`);
  }
  return parsed.data.features.map((f) => ({
    geometry: f.geometry as ChangePolygonInput['geometry'],
    areaM2: f.properties.areaM2,
  }));
}

/** Detections of the newest run for the site on the image (empty when none). */
async function siteObjects(
  deps: DeriveDeps,
  imageId: string,
  siteId: string,
): Promise<GroundObject[]> {
  const runs = await deps.detections.listRunsForImage(imageId);
  const run = runs.find((r) => r.parameters.siteId === siteId);
  return run === undefined ? [] : groundObjectsOf(await deps.detections.listDetections(run.id));
}

function maxKnown(values: readonly (number | null | undefined)[]): number | null {
  const known = values.filter((v): v is number => typeof v === 'number');
  return known.length === 0 ? null : Math.max(...known);
}

/** Changed area and fraction per zone, and structure changes where polygons were written. */
async function deriveFromComparison(deps: DeriveDeps, comparison: Comparison): Promise<Derived> {
  const label = `comparison ${comparison.id}`;
  const siteId = comparison.parameters.siteId;
  if (siteId === null) {
    return { drafts: [], skipped: [`${label}: compared without --site; no zones to report`] };
  }
  const [site, imageA, imageB] = await Promise.all([
    siteOf(deps, siteId, label),
    imageOf(deps, comparison.imageA, label),
    imageOf(deps, comparison.imageB, label),
  ]);
  const context: DeriveContext = {
    site,
    observedAt: imageB.acquisition.acquiredAt,
    source: { kind: 'comparison', imageId: imageB.id, runId: null, comparisonId: comparison.id },
  };
  const facts: ComparisonFacts = {
    gridGsdMeters: comparison.grid.gsdMeters,
    gsdMeters: maxKnown([imageA.gsdMeters, imageB.gsdMeters]) ?? comparison.grid.gsdMeters,
    cloudCoverPercent: maxKnown([
      imageA.acquisition.cloudCoverPercent,
      imageB.acquisition.cloudCoverPercent,
    ]),
  };
  const metrics = deps.metrics.list();
  const drafts = deriveChangeObservations(context, comparison.zones, facts, metrics);
  const skipped: string[] = [];
  const polygons = await changePolygonsOf(deps, comparison);
  if (polygons === undefined) {
    skipped.push(`${label}: no changes.geojson (compare without --out); no structure changes`);
  } else {
    const objects = [
      ...(await siteObjects(deps, imageA.id, siteId)),
      ...(await siteObjects(deps, imageB.id, siteId)),
    ];
    drafts.push(
      ...deriveStructureChangeObservations(
        context,
        comparison.zones,
        facts,
        polygons,
        objects,
        metrics,
      ),
    );
  }
  if (comparison.zones.length === 0) skipped.push(`${label}: site ${siteId} has no zones`);
  return { drafts, skipped };
}

/** The newest of each group (lists come newest first). */
function newestPer<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function sourcesOfImage(
  deps: DeriveDeps,
  imageId: string,
): Promise<{ runs: DetectionRun[]; comparisons: Comparison[] }> {
  const runs = (await deps.detections.listRunsForImage(imageId)).filter(
    (r) => r.parameters.siteId !== null,
  );
  const comparisons = (await deps.comparisons.listForImage(imageId)).filter(
    (c) => c.imageB === imageId && c.parameters.siteId !== null,
  );
  return {
    runs: newestPer(runs, (r) => `${r.parameters.siteId ?? ''} ${r.model.id}`),
    comparisons: newestPer(comparisons, (c) => `${c.imageA} ${c.parameters.siteId ?? ''}`),
  };
}

async function sourcesOf(
  deps: DeriveDeps,
  target: DeriveTarget,
): Promise<{ runs: DetectionRun[]; comparisons: Comparison[] }> {
  switch (target.kind) {
    case 'run': {
      const run = await deps.detections.getRun(target.runId);
      if (run === undefined) throw new NotFoundError(`detection run "${target.runId}" not found`);
      return { runs: [run], comparisons: [] };
    }
    case 'comparison': {
      const comparison = await deps.comparisons.get(target.comparisonId);
      if (comparison === undefined) {
        throw new NotFoundError(`comparison "${target.comparisonId}" not found`);
      }
      return { runs: [], comparisons: [comparison] };
    }
    case 'image':
      await imageOf(deps, target.imageId, 'observe derive');
      return sourcesOfImage(deps, target.imageId);
    case 'all': {
      const runs: DetectionRun[] = [];
      const comparisons: Comparison[] = [];
      for (const image of await deps.images.list()) {
        const found = await sourcesOfImage(deps, image.id);
        runs.push(...found.runs);
        comparisons.push(...found.comparisons);
      }
      return { runs, comparisons };
    }
  }
}

/** Gives each draft its content id and the entry time; drops repeats. */
function finish(deps: DeriveDeps, drafts: readonly ObservationDraft[]): Observation[] {
  const enteredAt = deps.clock.nowIso();
  const byId = new Map<string, Observation>();
  for (const draft of drafts) {
    const sha256 = deps.sha256Hex(new TextEncoder().encode(observationIdentity(draft)));
    const id = observationIdFromSha256(sha256);
    if (!byId.has(id)) {
      byId.set(id, { schemaVersion: OBSERVATION_SCHEMA_VERSION, id, ...draft, enteredAt });
    }
  }
  return [...byId.values()];
}

/**
 * Derives the observations of the target's runs and comparisons and stores the new ones in
 * one transaction.
 * @throws NotFoundError for an unknown run, comparison, image or site.
 */
export async function deriveObservations(
  deps: DeriveDeps,
  target: DeriveTarget,
): Promise<DeriveResult> {
  const sources = await sourcesOf(deps, target);
  const drafts: ObservationDraft[] = [];
  const skipped: string[] = [];
  for (const derived of [
    ...(await Promise.all(sources.runs.map((run) => deriveFromRun(deps, run)))),
    ...(await Promise.all(sources.comparisons.map((c) => deriveFromComparison(deps, c)))),
  ]) {
    drafts.push(...derived.drafts);
    skipped.push(...derived.skipped);
  }
  const observations = finish(deps, drafts);
  return {
    observations,
    ...(await storeObservations(deps, observations, {
      action: 'observation.derive',
      actor: DERIVED_AUTHOR,
      label: null,
    })),
    runs: sources.runs.map((r) => r.id),
    comparisons: sources.comparisons.map((c) => c.id),
    skipped,
  };
}
