/**
 * Object counts from a detection run: for the site and each zone, one observation per count
 * metric of the registry whose detector classes the model knows (small-vehicle, large-vehicle
 * → `vehicles`; ship → `ships`; …), its value the detections of those classes in the zone.
 * Observability from the zone's observable share and the image's GSD and cloud cover; a zone
 * the image did not see is `not-observable` with value null, never 0.
 */
import type { MetricDescriptor } from './metrics.ts';
import { assessObservability } from './observability.ts';
import type { Observability } from './observation.ts';
import {
  areaOfM2,
  draftOf,
  visibleShareOf,
  type DeriveContext,
  type ObservationDraft,
} from './derive-observation.ts';

/** The zone id a detection run uses for the whole region (the site polygon). */
export const WHOLE_SITE_ZONE = 'all';

/** A run's count for one zone (the stored `ZoneCount` of a detection run fits this). */
export interface ZoneCountInput {
  /** Zone id, or {@link WHOLE_SITE_ZONE} for the whole site. */
  readonly zone: string;
  readonly observable: boolean;
  /** Observable area of the zone, m²; null for pixel-only imagery. */
  readonly observableAreaM2: number | null;
  /** Observable source pixels of the zone. */
  readonly observablePixels: number;
  /** Detections per class; null when the zone was not observable. */
  readonly counts: Readonly<Record<string, number>> | null;
}

/** What the image that a run read says about seeing the site. */
export interface ImageFacts {
  /** GSD the run took the image to have, metres; null when unknown. */
  readonly gsdMeters: number | null;
  readonly cloudCoverPercent: number | null;
}

/** The zone id of observations for a run's zone (null for the whole site). */
export function zoneIdOf(zone: string): string | null {
  return zone === WHOLE_SITE_ZONE ? null : zone;
}

/**
 * How the image saw a zone for a metric family: its visible share from the observable area
 * (or, for pixel-only runs with a known GSD, from the observable pixels), 0 when no part of
 * the zone was in the image.
 */
export function zoneObservability(
  context: DeriveContext,
  count: ZoneCountInput,
  facts: ImageFacts,
  family: MetricDescriptor['family'],
): Observability {
  const zoneAreaM2 = areaOfM2(context.site, zoneIdOf(count.zone));
  const observableAreaM2 =
    count.observableAreaM2 ??
    (facts.gsdMeters === null ? null : count.observablePixels * facts.gsdMeters ** 2);
  return assessObservability(
    {
      zoneVisibleShare: count.observable ? visibleShareOf(observableAreaM2, zoneAreaM2) : 0,
      cloudCoverPercent: facts.cloudCoverPercent,
      gsdMeters: facts.gsdMeters,
      analystReason: null,
    },
    family,
  );
}

/** Count metrics of the registry that sum at least one of these detector classes. */
export function countMetricsFor(
  classes: readonly string[],
  metrics: readonly MetricDescriptor[],
): MetricDescriptor[] {
  const known = new Set(classes);
  return metrics.filter(
    (metric) =>
      metric.kind === 'count' && (metric.detectionClasses ?? []).some((c) => known.has(c)),
  );
}

/** Every class a run counted (the run lists all its classes in each observable zone). */
export function classesOfRun(zones: readonly ZoneCountInput[]): string[] {
  return [
    ...new Set(zones.flatMap((z) => (z.counts === null ? [] : Object.keys(z.counts)))),
  ].sort();
}

/**
 * One draft per zone of the run that belongs to the site (and the whole site) and per count
 * metric the run's classes feed. Zones of the run that the site no longer has are skipped.
 * @param classes the run's classes (all of them, even those counted nowhere).
 */
export function deriveCountObservations(
  context: DeriveContext,
  zones: readonly ZoneCountInput[],
  classes: readonly string[],
  facts: ImageFacts,
  metrics: readonly MetricDescriptor[],
): ObservationDraft[] {
  const chosen = countMetricsFor(classes, metrics);
  const siteZones = new Set(context.site.zones.map((z) => z.id));
  const drafts: ObservationDraft[] = [];
  for (const count of zones) {
    const zoneId = zoneIdOf(count.zone);
    if (zoneId !== null && !siteZones.has(zoneId)) continue;
    for (const metric of chosen) {
      const metricClasses = (metric.detectionClasses ?? []).filter((c) => classes.includes(c));
      const value = metricClasses.reduce((sum, c) => sum + (count.counts?.[c] ?? 0), 0);
      drafts.push(
        draftOf(
          context,
          zoneId,
          metric,
          value,
          zoneObservability(context, count, facts, metric.family),
          `detections of ${metricClasses.join(', ')}`,
        ),
      );
    }
  }
  return drafts;
}
