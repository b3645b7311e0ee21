/**
 * Export layers: a named list of features with flat properties, built from sites, detections,
 * change polygons and observations, the common input of every export format (GeoJSON,
 * GeoPackage, KML, CSV). Geometries are lon/lat (EPSG:4326), [longitude, latitude].
 */
import type { Observation } from '../activity/observation.ts';
import type { Site } from '../catalog/site.ts';
import { bboxOfGeometry, bboxOfPositions } from '../geo/bbox.ts';
import type { Bbox, PolygonalGeometry, Position } from '../geo/types.ts';

/** A flat property value every format can hold. */
export type ExportValue = string | number | boolean | null;

export interface ExportPoint {
  readonly type: 'Point';
  readonly coordinates: Position;
}

export interface ExportLineString {
  readonly type: 'LineString';
  readonly coordinates: readonly Position[];
}

/** Polygons (sites, zones, detections, changes) and, for annotations, points and lines. */
export type ExportGeometry = PolygonalGeometry | ExportPoint | ExportLineString;

export function exportGeometryBbox(geometry: ExportGeometry): Bbox {
  if (geometry.type === 'Point') return bboxOfPositions([geometry.coordinates]);
  if (geometry.type === 'LineString') return bboxOfPositions(geometry.coordinates);
  return bboxOfGeometry(geometry);
}

/** The bbox of all the layer's geometries, or null when none has one. */
export function layerBbox(layer: ExportLayer): Bbox | null {
  return unionBbox(
    layer.features.flatMap((f) => (f.geometry === null ? [] : [exportGeometryBbox(f.geometry)])),
  );
}

/** The smallest bbox holding all `boxes`, or null for none. */
export function unionBbox(boxes: readonly Bbox[]): Bbox | null {
  if (boxes.length === 0) return null;
  return [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];
}

export interface ExportFeature {
  readonly id: string;
  /** lon/lat; null when the thing has no place on the ground (pixel-only imagery). */
  readonly geometry: ExportGeometry | null;
  readonly properties: Readonly<Record<string, ExportValue>>;
}

export const EXPORT_WHATS = [
  'detections',
  'changes',
  'annotations',
  'observations',
  'sites',
] as const;
export type ExportWhat = (typeof EXPORT_WHATS)[number];

export interface ExportLayer {
  /** Layer (table) name: letters, digits and underscores. */
  readonly name: string;
  readonly features: readonly ExportFeature[];
}

export type FieldType = 'INTEGER' | 'REAL' | 'TEXT' | 'BOOLEAN';

export interface ExportField {
  readonly name: string;
  readonly type: FieldType;
}

/**
 * The layer's fields in first-seen order, each typed by the values it holds: BOOLEAN when all
 * are booleans, INTEGER when all are whole numbers, REAL when all are numbers, else TEXT.
 */
export function layerFields(layer: ExportLayer): ExportField[] {
  const kinds = new Map<string, Set<string>>();
  for (const feature of layer.features) {
    for (const [name, value] of Object.entries(feature.properties)) {
      const seen = kinds.get(name) ?? new Set<string>();
      kinds.set(name, seen);
      if (value === null) continue;
      if (typeof value === 'number') seen.add(Number.isInteger(value) ? 'INTEGER' : 'REAL');
      else seen.add(typeof value === 'boolean' ? 'BOOLEAN' : 'TEXT');
    }
  }
  return [...kinds].map(([name, seen]) => ({ name, type: fieldType(seen) }));
}

function fieldType(seen: ReadonlySet<string>): FieldType {
  if (seen.size === 0) return 'TEXT';
  if (seen.size === 1) return [...seen][0] as FieldType;
  if ([...seen].every((kind) => kind === 'INTEGER' || kind === 'REAL')) return 'REAL';
  return 'TEXT';
}

/** One feature per site: its polygon, name, kind, tags and zone/link counts. */
export function siteFeatures(sites: readonly Site[]): ExportFeature[] {
  return sites.map((site) => ({
    id: site.id,
    geometry: site.geometry,
    properties: {
      siteId: site.id,
      name: site.name,
      kind: site.kind,
      tags: site.tags.join(','),
      notes: site.notes,
      zoneCount: site.zones.length,
      linkCount: site.links.length,
    },
  }));
}

/**
 * One feature per observation, placed on its zone's polygon (or the site's for site-level
 * observations and zones the catalog no longer has).
 */
export function observationFeatures(
  site: Site,
  observations: readonly Observation[],
): ExportFeature[] {
  return observations.map((observation) => {
    const zone = site.zones.find((z) => z.id === observation.zoneId);
    return {
      id: observation.id,
      geometry: zone?.geometry ?? site.geometry,
      properties: {
        observationId: observation.id,
        siteId: observation.siteId,
        zoneId: observation.zoneId,
        metric: observation.metric,
        value: observation.value,
        observedAt: observation.observedAt,
        state: observation.observability.state,
        sourceKind: observation.source.kind,
        imageId: observation.source.imageId,
        runId: observation.source.runId,
        comparisonId: observation.source.comparisonId,
        author: observation.author,
        note: observation.note,
      },
    };
  });
}
