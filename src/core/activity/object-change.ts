/**
 * Object-level change between two detection runs of the same site on two dates: detections
 * are placed on the ground (their lon/lat corners in local metres), matched one to one by
 * rotated IoU or centre distance, and what is left over appeared (now) or disappeared (then).
 * Each is vehicle-sized or structure-sized by its footprint. Per zone and for the whole site;
 * a zone not seen on either date is `not-observable`, never 0.
 */
import { EARTH_RADIUS_METERS } from '../geo/geodesy.ts';
import type { PolygonGeometry, Position } from '../geo/types.ts';
import type { OrientedBox } from '../detect/detection.ts';
import { rotatedIou } from '../detect/rotated-iou.ts';
import type { MetricDescriptor } from './metrics.ts';
import {
  zoneIdOf,
  zoneObservability,
  type ImageFacts,
  type ZoneCountInput,
} from './derive-counts.ts';
import {
  combineObservability,
  draftOf,
  type DeriveContext,
  type ObservationDraft,
} from './derive-observation.ts';

/** Two detections overlapping at least this much (rotated IoU, 0 to 1) are the same object. */
export const MATCH_MIN_IOU = 0.1;

/**
 * Two detections whose centres are at most this far apart on the ground, metres, are the same
 * object even without overlap: co-registration of two dates is good to a few metres, and a
 * car is 4.5 m long.
 */
export const MATCH_MAX_CENTRE_DISTANCE_METERS = 3;

/**
 * Largest footprint of a vehicle-sized object, m²: cars are about 9 m², buses about 30 m²,
 * semi-trailers about 43 m². Larger objects (aircraft, ships, sheds, containers in rows)
 * are structure-sized.
 */
export const VEHICLE_SIZED_MAX_FOOTPRINT_M2 = 50;

/** A georeferenced detection. */
export interface GroundObject {
  readonly className: string;
  /** lon/lat polygon whose outer ring starts with the box's 4 corners. */
  readonly geometry: PolygonGeometry;
  /** Zones of the site containing the object's centre. */
  readonly zones: readonly string[];
}

export interface ObjectMatch {
  readonly previous: number;
  readonly current: number;
  readonly iou: number;
  readonly distanceMeters: number;
}

/** Indices into the previous and current object lists. */
export interface ObjectChange {
  readonly matches: readonly ObjectMatch[];
  readonly appeared: readonly number[];
  readonly disappeared: readonly number[];
}

const RADIANS_PER_DEGREE = Math.PI / 180;

/**
 * The object's box in local metres around `origin` (x east, y south, as an image's rows
 * grow): centre, side lengths and the angle of its first side. Equirectangular, exact to
 * well under a centimetre across a site.
 */
export function groundBoxOf(geometry: PolygonGeometry, origin: Position): OrientedBox {
  const ring = geometry.coordinates[0] ?? [];
  const metresPerDegree = EARTH_RADIUS_METERS * RADIANS_PER_DEGREE;
  const cosLat = Math.cos(origin[1] * RADIANS_PER_DEGREE);
  const corners = ring
    .slice(0, 4)
    .map(([lon, lat]): [number, number] => [
      (lon - origin[0]) * metresPerDegree * cosLat,
      (origin[1] - lat) * metresPerDegree,
    ]);
  const [c0 = [0, 0], c1 = [0, 0], c2 = [0, 0]] = corners;
  const cx = corners.reduce((sum, c) => sum + c[0], 0) / Math.max(1, corners.length);
  const cy = corners.reduce((sum, c) => sum + c[1], 0) / Math.max(1, corners.length);
  return {
    cx,
    cy,
    width: Math.hypot(c1[0] - c0[0], c1[1] - c0[1]),
    height: Math.hypot(c2[0] - c1[0], c2[1] - c1[1]),
    angleRad: Math.atan2(c1[1] - c0[1], c1[0] - c0[0]),
  };
}

/** The first corner of the first object: a local origin for {@link groundBoxOf}. */
function originOf(objects: readonly GroundObject[]): Position {
  return objects[0]?.geometry.coordinates[0]?.[0] ?? [0, 0];
}

/**
 * Matches objects one to one, best first (highest IoU, then nearest centres), among pairs
 * with IoU ≥ {@link MATCH_MIN_IOU} or centres within {@link MATCH_MAX_CENTRE_DISTANCE_METERS}.
 * Classes are not compared: a car read as a truck on the other date is still the same object.
 */
export function matchObjects(
  previous: readonly GroundObject[],
  current: readonly GroundObject[],
): ObjectChange {
  const origin = originOf([...previous, ...current]);
  const before = previous.map((o) => groundBoxOf(o.geometry, origin));
  const after = current.map((o) => groundBoxOf(o.geometry, origin));
  const candidates: ObjectMatch[] = [];
  before.forEach((a, p) => {
    after.forEach((b, c) => {
      const distanceMeters = Math.hypot(a.cx - b.cx, a.cy - b.cy);
      const iou = rotatedIou(a, b);
      if (iou >= MATCH_MIN_IOU || distanceMeters <= MATCH_MAX_CENTRE_DISTANCE_METERS) {
        candidates.push({ previous: p, current: c, iou, distanceMeters });
      }
    });
  });
  candidates.sort(
    (x, y) =>
      y.iou - x.iou ||
      x.distanceMeters - y.distanceMeters ||
      x.previous - y.previous ||
      x.current - y.current,
  );
  const usedPrevious = new Set<number>();
  const usedCurrent = new Set<number>();
  const matches: ObjectMatch[] = [];
  for (const candidate of candidates) {
    if (usedPrevious.has(candidate.previous) || usedCurrent.has(candidate.current)) continue;
    usedPrevious.add(candidate.previous);
    usedCurrent.add(candidate.current);
    matches.push(candidate);
  }
  return {
    matches,
    appeared: after.map((_, i) => i).filter((i) => !usedCurrent.has(i)),
    disappeared: before.map((_, i) => i).filter((i) => !usedPrevious.has(i)),
  };
}

/** Ground footprint of an object, m². */
export function footprintM2(object: GroundObject): number {
  const box = groundBoxOf(object.geometry, originOf([object]));
  return box.width * box.height;
}

/** One date's detection run, as the object change reads it. */
export interface RunSide {
  readonly objects: readonly GroundObject[];
  readonly zones: readonly ZoneCountInput[];
  readonly facts: ImageFacts;
}

/** The metric ids of object-level change, by size and direction. */
const CHANGE_METRICS = [
  { id: 'objects-appeared', vehicleSized: true, side: 'appeared' },
  { id: 'objects-disappeared', vehicleSized: true, side: 'disappeared' },
  { id: 'structures-appeared', vehicleSized: false, side: 'appeared' },
  { id: 'structures-disappeared', vehicleSized: false, side: 'disappeared' },
] as const;

/**
 * Drafts of `objects-appeared`, `objects-disappeared` (vehicle-sized), `structures-appeared`
 * and `structures-disappeared` for the site and each zone of the current run, observed only
 * where both runs saw the zone. Metrics the registry lacks are skipped.
 * @param previousLabel names the previous run in reasons and notes (e.g. its run and image).
 */
export function deriveObjectChangeObservations(
  context: DeriveContext,
  previous: RunSide,
  current: RunSide,
  previousLabel: string,
  metrics: readonly MetricDescriptor[],
): ObservationDraft[] {
  const change = matchObjects(previous.objects, current.objects);
  const pick = (side: 'appeared' | 'disappeared', vehicleSized: boolean): GroundObject[] => {
    const [indices, objects] =
      side === 'appeared'
        ? [change.appeared, current.objects]
        : [change.disappeared, previous.objects];
    return indices
      .flatMap((i) => {
        const object = objects[i];
        return object === undefined ? [] : [object];
      })
      .filter((o) => footprintM2(o) <= VEHICLE_SIZED_MAX_FOOTPRINT_M2 === vehicleSized);
  };
  const previousByZone = new Map(previous.zones.map((z) => [z.zone, z]));
  const siteZones = new Set(context.site.zones.map((z) => z.id));
  const drafts: ObservationDraft[] = [];
  for (const spec of CHANGE_METRICS) {
    const metric = metrics.find((m) => m.id === spec.id);
    if (metric === undefined) continue;
    const objects = pick(spec.side, spec.vehicleSized);
    for (const count of current.zones) {
      const zoneId = zoneIdOf(count.zone);
      const before = previousByZone.get(count.zone);
      if (before === undefined || (zoneId !== null && !siteZones.has(zoneId))) continue;
      const observability = combineObservability(
        zoneObservability(context, count, current.facts, metric.family),
        zoneObservability(context, before, previous.facts, metric.family),
        previousLabel,
      );
      const value = objects.filter((o) => zoneId === null || o.zones.includes(zoneId)).length;
      drafts.push(
        draftOf(
          context,
          zoneId,
          metric,
          value,
          observability,
          `${spec.vehicleSized ? 'vehicle' : 'structure'}-sized objects ${spec.side} since ${previousLabel}`,
        ),
      );
    }
  }
  return drafts;
}
