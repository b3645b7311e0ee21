/**
 * Observability: whether a zone could be seen in an image well enough for a metric. A zone
 * that could not be seen yields "not observable", never a zero. Every threshold is a named
 * constant, and every failed rule is recorded with the value and the threshold.
 */
import { bboxOfGeometry } from '../geo/bbox.ts';
import { pointInPolygonalGeometry } from '../geo/relations.ts';
import type { PolygonalGeometry } from '../geo/types.ts';
import type { MetricFamily } from './metrics.ts';
import type { Observability, ObservabilityReason, ObservabilityRule } from './observation.ts';

/** Below this share of the zone inside the footprint and not nodata, the zone is not observable. */
export const MIN_ZONE_VISIBLE_SHARE = 0.5;

/**
 * Above this scene cloud cover (percent, from the image metadata) a zone is taken as not
 * observable. Scene cover is a coarse proxy for a zone; an analyst who looked at the zone may
 * give the zone's own cover instead.
 */
export const MAX_CLOUD_COVER_PERCENT = 20;

/**
 * The coarsest GSD at which each metric family can be observed, metres: vehicles need about
 * 1 m (a car is 2 × 4.5 m: at 1 m it is a few pixels), cranes and buildings about 5 m; change
 * detection over a facility zone works on Sentinel-2 (10 m nominal, up to about 11 m true
 * ground distance off the equator, 20 m for its red-edge and SWIR bands).
 */
export const MAX_GSD_METERS_BY_FAMILY: Readonly<Record<MetricFamily, number>> = {
  vehicle: 1,
  structure: 5,
  change: 20,
};

/** Samples per side of the zone's bounding box when estimating its share inside a footprint. */
export const ZONE_SHARE_SAMPLES_PER_SIDE = 32;

/** What is known about how an image saw a zone; null for unknown. */
export interface ObservabilityFacts {
  /** Share of the zone inside the footprint and not nodata, 0 to 1. */
  readonly zoneVisibleShare: number | null;
  readonly cloudCoverPercent: number | null;
  readonly gsdMeters: number | null;
  /** The analyst's reason when they say the zone could not be seen; null otherwise. */
  readonly analystReason: string | null;
}

/**
 * Applies the observability rules for a metric family. Unknown facts are not held against
 * the zone: their rules are listed in `unchecked`.
 */
export function assessObservability(
  facts: ObservabilityFacts,
  family: MetricFamily,
): Observability {
  const reasons: ObservabilityReason[] = [];
  const unchecked: Exclude<ObservabilityRule, 'analyst'>[] = [];
  if (facts.analystReason !== null) {
    reasons.push({ rule: 'analyst', message: `analyst: ${facts.analystReason}` });
  }
  if (facts.zoneVisibleShare === null) unchecked.push('zone-visible-share');
  else if (facts.zoneVisibleShare < MIN_ZONE_VISIBLE_SHARE) {
    reasons.push({
      rule: 'zone-visible-share',
      message: `only ${(facts.zoneVisibleShare * 100).toFixed(1)}% of the zone is inside the footprint and not nodata; need ${MIN_ZONE_VISIBLE_SHARE * 100}%`,
    });
  }
  if (facts.cloudCoverPercent === null) unchecked.push('cloud-cover');
  else if (facts.cloudCoverPercent > MAX_CLOUD_COVER_PERCENT) {
    reasons.push({
      rule: 'cloud-cover',
      message: `cloud cover ${facts.cloudCoverPercent.toFixed(1)}% is above ${MAX_CLOUD_COVER_PERCENT}%`,
    });
  }
  const maxGsdMeters = MAX_GSD_METERS_BY_FAMILY[family];
  if (facts.gsdMeters === null) unchecked.push('gsd');
  else if (facts.gsdMeters > maxGsdMeters) {
    reasons.push({
      rule: 'gsd',
      message: `GSD ${facts.gsdMeters.toFixed(2)} m is coarser than the ${maxGsdMeters} m ${family} metrics need`,
    });
  }
  return {
    state: reasons.length === 0 ? 'observed' : 'not-observable',
    reasons,
    unchecked,
    zoneVisibleShare: facts.zoneVisibleShare,
    gsdMeters: facts.gsdMeters,
    cloudCoverPercent: facts.cloudCoverPercent,
  };
}

/**
 * Share of `zone` inside `footprint` (both lon/lat), estimated on a regular grid of
 * {@link ZONE_SHARE_SAMPLES_PER_SIDE}² points over the zone's bounding box (about ±1.5% for
 * a convex zone). Returns 0 when no sample falls in the zone (a degenerate zone).
 */
export function zoneShareInsideFootprint(
  zone: PolygonalGeometry,
  footprint: PolygonalGeometry,
  samplesPerSide = ZONE_SHARE_SAMPLES_PER_SIDE,
): number {
  const [minLon, minLat, maxLon, maxLat] = bboxOfGeometry(zone);
  let inZone = 0;
  let inBoth = 0;
  for (let row = 0; row < samplesPerSide; row += 1) {
    const lat = minLat + ((row + 0.5) / samplesPerSide) * (maxLat - minLat);
    for (let col = 0; col < samplesPerSide; col += 1) {
      const lon = minLon + ((col + 0.5) / samplesPerSide) * (maxLon - minLon);
      if (!pointInPolygonalGeometry([lon, lat], zone)) continue;
      inZone += 1;
      if (pointInPolygonalGeometry([lon, lat], footprint)) inBoth += 1;
    }
  }
  return inZone === 0 ? 0 : inBoth / inZone;
}
