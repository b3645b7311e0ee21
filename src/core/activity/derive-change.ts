/**
 * Change observations from a comparison of the previous usable image (A) with the current one
 * (B), per zone of the site: `changed-area-m2` (changed pixels × pixel area) and
 * `changed-fraction` (changed over valid pixels, valid meaning seen and not nodata in both
 * images), and `structure-changes`, the change polygons of at least structure size that no
 * detected object explains. A zone too little of which was valid in both images is
 * `not-observable`, never 0.
 *
 * Only zones: a comparison counts pixels per zone, while its grid covers the site polygon plus
 * a buffer, so its totals are not the site's.
 */
import { geometriesIntersect } from '../geo/relations.ts';
import type { PolygonalGeometry } from '../geo/types.ts';
import type { MetricDescriptor } from './metrics.ts';
import { assessObservability } from './observability.ts';
import type { Observability } from './observation.ts';
import {
  areaOfM2,
  draftOf,
  geometryOf,
  visibleShareOf,
  type DeriveContext,
  type ObservationDraft,
} from './derive-observation.ts';
import { VEHICLE_SIZED_MAX_FOOTPRINT_M2, type GroundObject } from './object-change.ts';

/**
 * Smallest change polygon counted as a structure change, m²: anything larger than a vehicle
 * (see {@link VEHICLE_SIZED_MAX_FOOTPRINT_M2}).
 */
export const STRUCTURE_MIN_CHANGE_AREA_M2 = VEHICLE_SIZED_MAX_FOOTPRINT_M2;

/** A comparison's tally for one zone (the stored `ZoneChange` fits this). */
export interface ZoneChangeInput {
  readonly zoneId: string;
  /** Pixels valid in both images whose centre lies in the zone. */
  readonly validPixels: number;
  readonly changedPixels: number;
  readonly changedFraction: number | null;
}

/** What is known about how the two images saw the site. */
export interface ComparisonFacts {
  /** Pixel size of the comparison grid, metres; null for pixel-only grids. */
  readonly gridGsdMeters: number | null;
  /** GSD of the coarser image, metres; null when unknown. */
  readonly gsdMeters: number | null;
  /** The cloudier image's cover, percent; null when neither is known. */
  readonly cloudCoverPercent: number | null;
}

/** A change polygon as `changes.geojson` stores it. */
export interface ChangePolygonInput {
  /** lon/lat; null for pixel-only grids. */
  readonly geometry: PolygonalGeometry | null;
  readonly areaM2: number | null;
}

function changeObservability(
  context: DeriveContext,
  zone: ZoneChangeInput,
  facts: ComparisonFacts,
  family: MetricDescriptor['family'],
): Observability {
  const validAreaM2 =
    facts.gridGsdMeters === null ? null : zone.validPixels * facts.gridGsdMeters ** 2;
  return assessObservability(
    {
      zoneVisibleShare:
        zone.validPixels === 0
          ? 0
          : visibleShareOf(validAreaM2, areaOfM2(context.site, zone.zoneId)),
      cloudCoverPercent: facts.cloudCoverPercent,
      gsdMeters: facts.gsdMeters,
      analystReason: null,
    },
    family,
  );
}

function metricById(metrics: readonly MetricDescriptor[], id: string) {
  return metrics.find((m) => m.id === id);
}

/** The comparison's zones that the site (still) has. */
function siteZonesOf(context: DeriveContext, zones: readonly ZoneChangeInput[]) {
  return zones.filter((zone) => geometryOf(context.site, zone.zoneId) !== undefined);
}

/**
 * Drafts of `changed-fraction` and (on georeferenced grids) `changed-area-m2` per zone.
 * Zones of the comparison that the site no longer has are skipped.
 */
export function deriveChangeObservations(
  context: DeriveContext,
  zones: readonly ZoneChangeInput[],
  facts: ComparisonFacts,
  metrics: readonly MetricDescriptor[],
): ObservationDraft[] {
  const fraction = metricById(metrics, 'changed-fraction');
  const area = metricById(metrics, 'changed-area-m2');
  const drafts: ObservationDraft[] = [];
  for (const zone of siteZonesOf(context, zones)) {
    const pixelAreaM2 = facts.gridGsdMeters === null ? null : facts.gridGsdMeters ** 2;
    if (area !== undefined && pixelAreaM2 !== null) {
      drafts.push(
        draftOf(
          context,
          zone.zoneId,
          area,
          Math.round(zone.changedPixels * pixelAreaM2 * 100) / 100,
          changeObservability(context, zone, facts, area.family),
          `${zone.changedPixels} changed pixels of ${pixelAreaM2.toFixed(2)} m²`,
        ),
      );
    }
    if (fraction !== undefined) {
      drafts.push(
        draftOf(
          context,
          zone.zoneId,
          fraction,
          zone.changedFraction ?? 0,
          changeObservability(context, zone, facts, fraction.family),
          `${zone.changedPixels} of ${zone.validPixels} valid pixels changed`,
        ),
      );
    }
  }
  return drafts;
}

/**
 * Change polygons of at least {@link STRUCTURE_MIN_CHANGE_AREA_M2} that touch no detected
 * object (of either date): new, removed or rebuilt structures rather than traffic.
 */
export function unexplainedStructureChanges(
  polygons: readonly ChangePolygonInput[],
  objects: readonly GroundObject[],
): PolygonalGeometry[] {
  return polygons.flatMap((polygon) => {
    const { geometry, areaM2 } = polygon;
    if (geometry === null || areaM2 === null || areaM2 < STRUCTURE_MIN_CHANGE_AREA_M2) return [];
    return objects.some((o) => geometriesIntersect(geometry, o.geometry)) ? [] : [geometry];
  });
}

/**
 * Drafts of `structure-changes` per zone: the unexplained structure-sized change polygons
 * that intersect it.
 * @param objects detections of both dates (empty when neither image has a run for the site).
 */
export function deriveStructureChangeObservations(
  context: DeriveContext,
  zones: readonly ZoneChangeInput[],
  facts: ComparisonFacts,
  polygons: readonly ChangePolygonInput[],
  objects: readonly GroundObject[],
  metrics: readonly MetricDescriptor[],
): ObservationDraft[] {
  const metric = metricById(metrics, 'structure-changes');
  if (metric === undefined) return [];
  const unexplained = unexplainedStructureChanges(polygons, objects);
  return siteZonesOf(context, zones).flatMap((zone) => {
    const geometry = geometryOf(context.site, zone.zoneId);
    if (geometry === undefined) return [];
    const value = unexplained.filter((p) => geometriesIntersect(p, geometry)).length;
    return [
      draftOf(
        context,
        zone.zoneId,
        metric,
        value,
        changeObservability(context, zone, facts, metric.family),
        `change polygons of ≥ ${STRUCTURE_MIN_CHANGE_AREA_M2} m² touching no detected object (${objects.length} detections checked)`,
      ),
    ];
  });
}
