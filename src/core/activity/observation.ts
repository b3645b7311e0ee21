/**
 * Observations: one value of one metric at one site (and optionally one zone) at one time,
 * from an analyst, a detection run or a comparison, with whether the zone could be seen.
 * A zone that could not be seen is recorded as `not-observable`, never as a zero.
 */

/** Version of the stored observation document; bump it and add an upgrade when it changes. */
export const OBSERVATION_SCHEMA_VERSION = 1;

/** A count, fraction or area (number), or a fact (boolean, e.g. `crane-present`). */
export type ObservationValue = number | boolean;

export type ObservationSourceKind = 'manual' | 'detection' | 'comparison';

/** Where an observation came from; the ids let an assessment trace it to pixels. */
export interface ObservationSource {
  readonly kind: ObservationSourceKind;
  /** The image the value was read from; null for a manual observation without one. */
  readonly imageId: string | null;
  /** The detection run that produced it (kind `detection`). */
  readonly runId: string | null;
  /** The comparison that produced it (kind `comparison`). */
  readonly comparisonId: string | null;
}

/** The rule that made a zone not observable. */
export type ObservabilityRule = 'zone-visible-share' | 'cloud-cover' | 'gsd' | 'analyst';

export interface ObservabilityReason {
  readonly rule: ObservabilityRule;
  /** One line naming the value and the threshold, e.g. `GSD 3.00 m is coarser than 1 m …`. */
  readonly message: string;
}

/** Whether the zone could be seen for this metric, and why not. */
export interface Observability {
  readonly state: 'observed' | 'not-observable';
  /** Every rule that failed (empty when observed). */
  readonly reasons: readonly ObservabilityReason[];
  /** Rules that could not be checked because the fact was unknown. */
  readonly unchecked: readonly Exclude<ObservabilityRule, 'analyst'>[];
  /** Share of the zone inside the image footprint and not nodata, 0 to 1; null when unknown. */
  readonly zoneVisibleShare: number | null;
  /** Ground sample distance of the image, metres; null when unknown. */
  readonly gsdMeters: number | null;
  /** Cloud cover from the image metadata, percent; null when unknown. */
  readonly cloudCoverPercent: number | null;
}

/** One stored observation. Immutable once stored. */
export interface Observation {
  readonly schemaVersion: typeof OBSERVATION_SCHEMA_VERSION;
  /** `obs_` + 16 hex digits of the sha256 of its identity (see `observationIdentity`). */
  readonly id: string;
  readonly siteId: string;
  /** Zone id within the site; null for the whole site. */
  readonly zoneId: string | null;
  /** Metric id (see metrics.ts). */
  readonly metric: string;
  /** The value seen; null only when not observable and nothing was seen. */
  readonly value: ObservationValue | null;
  /** ISO 8601 UTC: the image's acquisition time, or the time the analyst gives. */
  readonly observedAt: string;
  readonly source: ObservationSource;
  /** Who entered it (an analyst's name, or `sitewatch` for derived observations). */
  readonly author: string;
  /** ISO 8601 UTC, when it was stored. */
  readonly enteredAt: string;
  readonly note: string;
  readonly observability: Observability;
}

/**
 * The text hashed into an observation's id: site, zone, metric, value, time, source, author
 * and observability state. Entering the same fact again (e.g. importing a file twice) gives the same id;
 * the note and the entry time do not count.
 */
export function observationIdentity(
  observation: Pick<
    Observation,
    'siteId' | 'zoneId' | 'metric' | 'value' | 'observedAt' | 'source' | 'author'
  > & { readonly observability: Pick<Observability, 'state'> },
): string {
  return JSON.stringify([
    observation.siteId,
    observation.zoneId,
    observation.metric,
    observation.value,
    observation.observedAt,
    observation.source.kind,
    observation.source.imageId,
    observation.source.runId,
    observation.source.comparisonId,
    observation.author,
    observation.observability.state,
  ]);
}

/** `obs_` + the first 16 hex digits of a sha256 (of {@link observationIdentity}). */
export function observationIdFromSha256(sha256: string): string {
  return `obs_${sha256.slice(0, 16)}`;
}

/** The value as a number for series: booleans are 1 (true) and 0 (false). */
export function numericValue(value: ObservationValue): number {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/** Orders by observedAt, then id. */
export function compareObservations(a: Observation, b: Observation): number {
  if (a.observedAt !== b.observedAt) return a.observedAt < b.observedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
