/**
 * `sitewatch export --site ID --what … --format geojson|gpkg|kml|csv`: one layer of a site's
 * records (the site itself, its detections, change polygons or observations) written in a
 * format GIS tools open, lon/lat (EPSG:4326).
 */
import type { Comparison } from '../../core/change/comparison.ts';
import { CorruptFileError } from '../../core/errors.ts';
import { layerCsv } from '../../core/export/csv.ts';
import {
  observationFeatures,
  siteFeatures,
  type ExportFeature,
  type ExportLayer,
  type ExportWhat,
} from '../../core/export/export-layer.ts';
import { layerGeoJson } from '../../core/export/geojson.ts';
import { layerKml } from '../../core/export/kml.ts';
import type { PolygonalGeometry } from '../../core/geo/types.ts';
import type { AnnotationRepository } from '../annotations/annotation-ports.ts';
import type { ObservationRepository } from '../ports.ts';
import type { ExportFiles } from './export-ports.ts';
import { loadSiteProducts, requireSite, type SiteProductDeps } from './site-products.ts';

export const VECTOR_FORMATS = ['geojson', 'gpkg', 'kml', 'csv'] as const;
export type VectorFormat = (typeof VECTOR_FORMATS)[number];

export interface ExportSiteDeps extends SiteProductDeps {
  readonly observations: ObservationRepository;
  readonly annotations: Pick<AnnotationRepository, 'list'>;
  readonly files: ExportFiles;
}

export interface ExportSiteRequest {
  readonly siteId: string;
  readonly what: ExportWhat;
  readonly format: VectorFormat;
  readonly outPath: string;
}

export interface ExportSiteResult {
  readonly path: string;
  readonly layer: string;
  readonly featureCount: number;
  /** Records left out, each with the reason (e.g. a comparison stored without output files). */
  readonly skipped: readonly string[];
}

export async function exportSiteLayer(
  deps: ExportSiteDeps,
  request: ExportSiteRequest,
): Promise<ExportSiteResult> {
  const { layer, skipped } = await buildSiteLayer(deps, request.siteId, request.what);
  await writeLayer(deps.files, request.outPath, request.format, layer);
  return { path: request.outPath, layer: layer.name, featureCount: layer.features.length, skipped };
}

function writeLayer(
  files: ExportFiles,
  path: string,
  format: VectorFormat,
  layer: ExportLayer,
): Promise<void> {
  switch (format) {
    case 'gpkg':
      return files.writeGeoPackage(path, layer);
    case 'geojson':
      return files.writeText(path, layerGeoJson(layer));
    case 'kml':
      return files.writeText(path, layerKml(layer));
    case 'csv':
      return files.writeText(path, layerCsv(layer));
  }
}

/** The layer `what` of the site, named `<site>_<what>` (hyphens as underscores). */
export async function buildSiteLayer(
  deps: ExportSiteDeps,
  siteId: string,
  what: ExportWhat,
): Promise<{ layer: ExportLayer; skipped: string[] }> {
  const name = `${siteId}_${what}`.replaceAll('-', '_');
  const skipped: string[] = [];
  let features: ExportFeature[];
  switch (what) {
    case 'sites':
      features = siteFeatures([await requireSite(deps.sites, siteId)]);
      break;
    case 'observations': {
      const site = await requireSite(deps.sites, siteId);
      features = observationFeatures(site, await deps.observations.list({ siteId }));
      break;
    }
    case 'detections':
      features = await detectionFeatures(deps, siteId, skipped);
      break;
    case 'changes':
      features = await changeFeatures(deps, siteId, skipped);
      break;
    case 'annotations':
      await requireSite(deps.sites, siteId);
      features = await annotationFeatures(deps, siteId);
      break;
  }
  return { layer: { name, features }, skipped };
}

async function detectionFeatures(
  deps: ExportSiteDeps,
  siteId: string,
  skipped: string[],
): Promise<ExportFeature[]> {
  const products = await loadSiteProducts(deps, siteId);
  const features: ExportFeature[] = [];
  for (const run of products.runs) {
    const image = products.images.get(run.imageId);
    const detections = await deps.detections.listDetections(run.id);
    const placed = detections.filter((d) => d.geometry !== null);
    if (placed.length < detections.length) {
      skipped.push(`${run.id}: ${detections.length - placed.length} detections without lon/lat`);
    }
    for (const detection of placed) {
      features.push({
        id: `${run.id}-${detection.index}`,
        geometry: detection.geometry,
        properties: {
          runId: run.id,
          imageId: run.imageId,
          acquiredAt: image?.acquisition.acquiredAt ?? null,
          modelId: run.model.id,
          className: detection.className,
          score: detection.score,
          zones: detection.zones.join(','),
        },
      });
    }
  }
  return features;
}

/** The site's live annotations: boxes and polygons, arrows and measurements as lines, labels as points. */
async function annotationFeatures(deps: ExportSiteDeps, siteId: string): Promise<ExportFeature[]> {
  const annotations = await deps.annotations.list({ siteId });
  return Promise.all(
    annotations.map(async (annotation) => ({
      id: annotation.id,
      geometry: annotation.geometry,
      properties: {
        annotationId: annotation.id,
        kind: annotation.properties.kind,
        text: annotation.properties.text ?? null,
        color: annotation.properties.color ?? null,
        lengthMeters: annotation.properties.length_m ?? null,
        areaM2: annotation.properties.area_m2 ?? null,
        imageId: annotation.imageId,
        acquiredAt: (await deps.images.get(annotation.imageId))?.acquisition.acquiredAt ?? null,
        author: annotation.author,
        createdAt: annotation.createdAt,
        updatedAt: annotation.updatedAt,
      },
    })),
  );
}

async function changeFeatures(
  deps: ExportSiteDeps,
  siteId: string,
  skipped: string[],
): Promise<ExportFeature[]> {
  const products = await loadSiteProducts(deps, siteId);
  const features: ExportFeature[] = [];
  for (const comparison of products.comparisons) {
    if (comparison.outputs === null) {
      skipped.push(`${comparison.id}: stored without output files (compare without --out)`);
      continue;
    }
    const path = comparison.outputs.changes;
    const polygons = parseChanges(path, await deps.files.readText(path));
    const acquiredAt = (id: string) => products.images.get(id)?.acquisition.acquiredAt ?? null;
    polygons.forEach((polygon, i) => {
      features.push({
        id: `${comparison.id}-${i + 1}`,
        geometry: polygon.geometry,
        properties: {
          comparisonId: comparison.id,
          imageA: comparison.imageA,
          imageB: comparison.imageB,
          acquiredAtA: acquiredAt(comparison.imageA),
          acquiredAtB: acquiredAt(comparison.imageB),
          method: comparison.parameters.method,
          ...changeProperties(comparison, polygon.properties),
        },
      });
    });
  }
  return features;
}

function changeProperties(
  comparison: Comparison,
  properties: Readonly<Record<string, unknown>>,
): Record<string, number | string | null> {
  const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);
  return {
    areaM2: numberOrNull(properties.areaM2),
    meanMagnitude: numberOrNull(properties.meanMagnitude),
    pixelCount: numberOrNull(properties.pixelCount),
    zone: typeof properties.zone === 'string' ? properties.zone : null,
    registrationReliable: comparison.registration.reliable ? 'yes' : 'no',
  };
}

interface ChangePolygonFeature {
  readonly geometry: PolygonalGeometry | null;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** The features of a comparison's changes.geojson. @throws CorruptFileError naming the file */
function parseChanges(path: string, text: string): ChangePolygonFeature[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CorruptFileError(`${path}: not valid JSON`, { cause: error });
  }
  const features = (parsed as { features?: unknown }).features;
  if (!Array.isArray(features)) {
    throw new CorruptFileError(`${path}: not a GeoJSON FeatureCollection`);
  }
  return features.map((feature: unknown, i) => {
    const { geometry, properties } = (feature ?? {}) as {
      geometry?: { type?: unknown } | null;
      properties?: Record<string, unknown> | null;
    };
    const type = geometry?.type;
    if (geometry !== null && type !== 'Polygon' && type !== 'MultiPolygon') {
      throw new CorruptFileError(`${path}: feature ${i} has no Polygon geometry`);
    }
    return {
      geometry: (geometry ?? null) as PolygonalGeometry | null,
      properties: properties ?? {},
    };
  });
}
