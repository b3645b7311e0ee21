/**
 * Analysts' annotations: drawings on an image saved as lon/lat GeoJSON (box, polygon, arrow,
 * text label, measurement). Validation names the bad field (`geometry.coordinates[3]`, …);
 * measurements are computed here on the sphere (core/geo/geodesy.ts), never taken from the
 * client.
 */
import { describeValue } from '../geo/describe-value.ts';
import { geodesicAreaSquareMeters, haversineMeters } from '../geo/geodesy.ts';
import { validatePolygonalGeometry } from '../geo/polygon-validity.ts';
import type { PolygonGeometry, Position } from '../geo/types.ts';
import { ValidationError } from '../errors.ts';
import type { NewAuditEntry } from '../review/audit.ts';

export const ANNOTATION_KINDS = ['box', 'polygon', 'arrow', 'text', 'measurement'] as const;
export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];

/** Vertices in one annotation's geometry, at most. */
export const MAX_ANNOTATION_VERTICES = 10_000;
export const MAX_ANNOTATION_TEXT_CHARS = 2000;

export interface PointGeometry {
  readonly type: 'Point';
  readonly coordinates: Position;
}
export interface LineStringGeometry {
  readonly type: 'LineString';
  readonly coordinates: readonly Position[];
}
export type AnnotationGeometry = PointGeometry | LineStringGeometry | PolygonGeometry;

export interface AnnotationProperties {
  readonly kind: AnnotationKind;
  readonly text?: string;
  /** `#rrggbb` or `#rrggbbaa`. */
  readonly color?: string;
  /** Measurements: the line's length, or the polygon's perimeter, on the sphere. */
  readonly length_m?: number;
  /** Polygon measurements: the area on the sphere. */
  readonly area_m2?: number;
}

/** What a client sends: the kind's geometry and properties, before measuring. */
export interface AnnotationDraft {
  readonly geometry: AnnotationGeometry;
  readonly properties: AnnotationProperties;
}

export interface Annotation extends AnnotationDraft {
  /** `ann_<n>`. */
  readonly id: string;
  readonly imageId: string;
  readonly siteId: string | null;
  readonly author: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deleted: boolean;
}

/** Which geometry types each kind takes. */
const GEOMETRY_TYPES: Readonly<Record<AnnotationKind, readonly string[]>> = {
  box: ['Polygon'],
  polygon: ['Polygon'],
  arrow: ['LineString'],
  text: ['Point'],
  measurement: ['LineString', 'Polygon'],
};

const COLOR = /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/;

function fail(field: string, message: string): never {
  throw new ValidationError(`${field}: ${message}`);
}

function parsePosition(value: unknown, field: string): Position {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
    fail(field, `must be [longitude, latitude], got ${describeValue(value)}`);
  }
  const [lon, lat] = value as unknown[];
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    fail(
      `${field}[0]`,
      `longitude must be a finite number in [-180, 180], got ${describeValue(lon)}`,
    );
  }
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    fail(`${field}[1]`, `latitude must be a finite number in [-90, 90], got ${describeValue(lat)}`);
  }
  return [lon, lat];
}

function countVertices(value: unknown): number {
  if (!Array.isArray(value)) return 0;
  if (value.length > 0 && typeof value[0] === 'number') return 1;
  let total = 0;
  for (const item of value) total += countVertices(item);
  return total;
}

/**
 * Checks a geometry of one of `types`.
 * @throws ValidationError (GeometryError for polygons) naming `geometry…`.
 */
function parseGeometry(value: unknown, types: readonly string[]): AnnotationGeometry {
  if (typeof value !== 'object' || value === null) {
    fail('geometry', `must be a GeoJSON geometry object, got ${describeValue(value)}`);
  }
  const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
  if (typeof type !== 'string' || !types.includes(type)) {
    fail('geometry.type', `must be ${types.join(' or ')}, got ${describeValue(type)}`);
  }
  const vertices = countVertices(coordinates);
  if (vertices > MAX_ANNOTATION_VERTICES) {
    fail('geometry.coordinates', `has ${vertices} vertices; at most ${MAX_ANNOTATION_VERTICES}`);
  }
  if (type === 'Point') {
    return { type, coordinates: parsePosition(coordinates, 'geometry.coordinates') };
  }
  if (type === 'LineString') {
    if (!Array.isArray(coordinates) || coordinates.length < 2) {
      fail(
        'geometry.coordinates',
        `a LineString needs at least 2 positions, got ${describeValue(coordinates)}`,
      );
    }
    return {
      type,
      coordinates: coordinates.map((p, i) => parsePosition(p, `geometry.coordinates[${i}]`)),
    };
  }
  return validatePolygonalGeometry({ type, coordinates }, 'geometry') as PolygonGeometry;
}

function lineLengthMeters(positions: readonly Position[]): number {
  let total = 0;
  for (let i = 1; i < positions.length; i++) {
    const a = positions[i - 1];
    const b = positions[i];
    if (a !== undefined && b !== undefined) total += haversineMeters(a, b);
  }
  return total;
}

/** `length_m` (and `area_m2` for a polygon) of a measurement, rounded to centimetres. */
export function measureGeometry(
  geometry: AnnotationGeometry,
): Pick<AnnotationProperties, 'length_m' | 'area_m2'> {
  const round = (value: number) => Math.round(value * 100) / 100;
  if (geometry.type === 'Point') return {};
  if (geometry.type === 'LineString')
    return { length_m: round(lineLengthMeters(geometry.coordinates)) };
  return {
    length_m: round(lineLengthMeters(geometry.coordinates[0] ?? [])),
    area_m2: round(geodesicAreaSquareMeters(geometry)),
  };
}

/**
 * Checks a client's geometry and properties (untrusted JSON) and measures a measurement.
 * Client-sent `length_m`/`area_m2` are ignored.
 * @throws ValidationError or GeometryError whose message starts with the bad field
 *   (`properties.kind`, `geometry.coordinates[2][1]`, …).
 */
export function parseAnnotationDraft(geometry: unknown, properties: unknown): AnnotationDraft {
  if (typeof properties !== 'object' || properties === null) {
    fail('properties', `must be an object, got ${describeValue(properties)}`);
  }
  const { kind, text, color } = properties as Record<string, unknown>;
  if (typeof kind !== 'string' || !(ANNOTATION_KINDS as readonly string[]).includes(kind)) {
    fail(
      'properties.kind',
      `must be one of ${ANNOTATION_KINDS.join(', ')}, got ${describeValue(kind)}`,
    );
  }
  const annotationKind = kind as AnnotationKind;
  if (text !== undefined && (typeof text !== 'string' || text.length > MAX_ANNOTATION_TEXT_CHARS)) {
    fail('properties.text', `must be text of at most ${MAX_ANNOTATION_TEXT_CHARS} characters`);
  }
  if (annotationKind === 'text' && (typeof text !== 'string' || text.trim() === '')) {
    fail('properties.text', 'a text label needs non-empty text');
  }
  if (color !== undefined && (typeof color !== 'string' || !COLOR.test(color))) {
    fail('properties.color', `must be #rrggbb or #rrggbbaa, got ${describeValue(color)}`);
  }
  const parsed = parseGeometry(geometry, GEOMETRY_TYPES[annotationKind]);
  if (annotationKind === 'box' && parsed.type === 'Polygon') {
    const ring = parsed.coordinates[0] ?? [];
    if (parsed.coordinates.length !== 1 || ring.length !== 5) {
      fail('geometry.coordinates', 'a box is one closed ring of 5 positions');
    }
  }
  return {
    geometry: parsed,
    properties: {
      kind: annotationKind,
      ...(typeof text === 'string' ? { text } : {}),
      ...(typeof color === 'string' ? { color } : {}),
      ...(annotationKind === 'measurement' ? measureGeometry(parsed) : {}),
    },
  };
}

/** The audit entry that records a write of an annotation (the actor is who wrote it). */
export function annotationAuditEntry(
  action: 'annotation.create' | 'annotation.update' | 'annotation.delete',
  actor: string,
  annotation: Annotation,
): NewAuditEntry {
  return {
    at: annotation.updatedAt,
    actor,
    action,
    targetKind: 'annotation',
    targetId: annotation.id,
    reason: null,
    details: {
      imageId: annotation.imageId,
      kind: annotation.properties.kind,
      ...(action === 'annotation.delete' ? {} : { geometryType: annotation.geometry.type }),
    },
  };
}
