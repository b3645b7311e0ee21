/**
 * What every derived observation shares: the draft shape (an observation before its id and
 * entry time are set), the author, the area of a site or zone, and how the facts of a zone
 * become observability. A zone that could not be seen gets a `not-observable` draft with
 * value null, never a zero.
 */
import type { Site } from '../catalog/site.ts';
import { geodesicAreaSquareMeters } from '../geo/geodesy.ts';
import type { PolygonalGeometry } from '../geo/types.ts';
import type { MetricDescriptor } from './metrics.ts';
import type { Observability, Observation, ObservationSource } from './observation.ts';

/** Author of every observation sitewatch derives from its own runs. */
export const DERIVED_AUTHOR = 'sitewatch';

/** An observation before its content id and entry time are set (see the derive use case). */
export type ObservationDraft = Omit<Observation, 'schemaVersion' | 'id' | 'enteredAt'>;

/** Where, when and from what a set of derived observations was read. */
export interface DeriveContext {
  readonly site: Site;
  /** ISO 8601 UTC: the acquisition time of the (later) image. */
  readonly observedAt: string;
  readonly source: ObservationSource;
}

/** The geometry of a zone of the site (zoneId null: the whole site); undefined when unknown. */
export function geometryOf(site: Site, zoneId: string | null): PolygonalGeometry | undefined {
  if (zoneId === null) return site.geometry;
  return site.zones.find((zone) => zone.id === zoneId)?.geometry;
}

/** Geodesic area of a zone of the site (null: the whole site), m²; 0 when the zone is unknown. */
export function areaOfM2(site: Site, zoneId: string | null): number {
  const geometry = geometryOf(site, zoneId);
  return geometry === undefined ? 0 : geodesicAreaSquareMeters(geometry);
}

/**
 * Share of a zone that was seen, 0 to 1: observable area over the zone's area, capped at 1
 * (pixel areas and the spherical zone area differ by a fraction of a percent). Null when
 * the observable area is unknown or the zone has no area.
 */
export function visibleShareOf(observableAreaM2: number | null, zoneAreaM2: number): number | null {
  if (observableAreaM2 === null || !(zoneAreaM2 > 0)) return null;
  return Math.min(1, Math.max(0, observableAreaM2 / zoneAreaM2));
}

/**
 * Both observabilities at once (an object-level change needs the zone seen on both dates):
 * observed only when both are; the other's reasons are prefixed with `otherLabel`.
 */
export function combineObservability(
  current: Observability,
  other: Observability,
  otherLabel: string,
): Observability {
  const reasons = [
    ...current.reasons,
    ...other.reasons.map((reason) => ({
      rule: reason.rule,
      message: `${otherLabel}: ${reason.message}`,
    })),
  ];
  const minOf = (a: number | null, b: number | null): number | null =>
    a === null ? b : b === null ? a : Math.min(a, b);
  const maxOf = (a: number | null, b: number | null): number | null =>
    a === null ? b : b === null ? a : Math.max(a, b);
  return {
    state: reasons.length === 0 ? 'observed' : 'not-observable',
    reasons,
    unchecked: [...new Set([...current.unchecked, ...other.unchecked])],
    zoneVisibleShare: minOf(current.zoneVisibleShare, other.zoneVisibleShare),
    gsdMeters: maxOf(current.gsdMeters, other.gsdMeters),
    cloudCoverPercent: maxOf(current.cloudCoverPercent, other.cloudCoverPercent),
  };
}

/** One draft; the value is dropped (null) when the zone was not observable. */
export function draftOf(
  context: DeriveContext,
  zoneId: string | null,
  metric: MetricDescriptor,
  value: number,
  observability: Observability,
  note: string,
): ObservationDraft {
  return {
    siteId: context.site.id,
    zoneId,
    metric: metric.id,
    value: observability.state === 'observed' ? value : null,
    observedAt: context.observedAt,
    source: context.source,
    author: DERIVED_AUTHOR,
    note,
    observability,
  };
}
