/**
 * Use cases for observations: add one (`observe add`), import a file of them (`observe
 * import`), list them. Each entry is checked against the catalog (site, zone), the metric
 * registry (known metric, value of the right kind) and the image it names; its observability
 * is decided by the rules of core/activity/observability.ts from the image's GSD, cloud cover
 * and footprint, or from what the analyst says.
 */
import { observationsAuditEntry } from '../../core/review/audit.ts';
import type { Site } from '../../core/catalog/site.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import { parseAcquisitionTime } from '../../core/imagery/acquisition.ts';
import type { MetricDescriptor, MetricRegistry } from '../../core/activity/metrics.ts';
import {
  assessObservability,
  zoneShareInsideFootprint,
} from '../../core/activity/observability.ts';
import {
  OBSERVATION_SCHEMA_VERSION,
  observationIdentity,
  observationIdFromSha256,
  type Observation,
  type ObservationValue,
} from '../../core/activity/observation.ts';
import {
  observationEntriesOf,
  parseObservationEntry,
  type ObservationEntry,
} from '../../core/activity/observation-input.ts';
import type {
  Clock,
  ImageRepository,
  ObservationFilter,
  ObservationRepository,
  SiteRepository,
} from '../ports.ts';
import type { Alert } from '../../core/alerts/alert.ts';
import {
  storeObservationsWithAlerts,
  type ObservationAlerting,
} from '../alerts/observation-alerts.ts';
import type { Reassessment } from '../alerts/record-assessment.ts';

export interface ObserveDeps {
  readonly observations: ObservationRepository;
  readonly sites: SiteRepository;
  readonly images: ImageRepository;
  readonly clock: Clock;
  readonly metrics: MetricRegistry;
  readonly sha256Hex: (bytes: Uint8Array) => string;
  /**
   * Alert rules and the store that writes observations with their alerts in one transaction;
   * absent (tests of other use cases), observations are stored without deciding alerts.
   */
  readonly alerting?: ObservationAlerting;
}

/** Who entered an observation when neither the entry nor the command names anyone. */
export const DEFAULT_AUTHOR = 'analyst';

export interface ObserveResult {
  readonly observations: readonly Observation[];
  /** Ids newly stored. */
  readonly inserted: readonly string[];
  /** Ids that were stored already (the same observation entered before). */
  readonly existing: readonly string[];
  /** Alerts the new observations caused, recorded in the same transaction. */
  readonly alerts: readonly Alert[];
  /** Watched playbooks re-assessed after the new observations. */
  readonly reassessed: readonly Reassessment[];
}

/** Who stored observations and how, for the audit log entry written with them. */
export interface ObservationsAudit {
  readonly action: 'observation.add' | 'observation.import' | 'observation.derive';
  readonly actor: string;
  /** The file imported, or null. */
  readonly label: string | null;
}

/**
 * Stores observations (those already held are left as they are). With `deps.alerting`, the
 * anomaly rules are decided on the new ones and their alerts recorded in the same
 * transaction, then the watched playbooks of their sites are re-assessed. The audit entry
 * is written in that transaction too. Every writer of observations goes through here.
 */
export async function storeObservations(
  deps: Omit<ObserveDeps, 'images'>,
  observations: readonly Observation[],
  audit?: ObservationsAudit,
): Promise<Omit<ObserveResult, 'observations'>> {
  if (deps.alerting !== undefined) {
    return storeObservationsWithAlerts(
      deps,
      deps.alerting,
      observations,
      audit === undefined
        ? undefined
        : (inserted) =>
            observationsAuditEntry(
              audit.action,
              audit.actor,
              deps.clock.nowIso(),
              inserted,
              audit.label,
            ),
    );
  }
  const { inserted, existing } = await deps.observations.insertMany(observations);
  return { inserted, existing, alerts: [], reassessed: [] };
}

function checkValue(
  value: ObservationValue | null | undefined,
  metric: MetricDescriptor,
  label: string,
): ObservationValue | null {
  if (value === undefined || value === null) return null;
  const expected =
    metric.kind === 'boolean'
      ? typeof value === 'boolean'
      : typeof value === 'number' &&
        Number.isFinite(value) &&
        value >= 0 &&
        (metric.kind !== 'count' || Number.isInteger(value)) &&
        (metric.kind !== 'fraction' || value <= 1);
  if (!expected) {
    const want = {
      boolean: 'true or false',
      count: 'a whole number >= 0',
      fraction: 'a number from 0 to 1',
      area: 'a number of m² >= 0',
    }[metric.kind];
    throw new ValidationError(
      `${label}: value ${JSON.stringify(value)} does not fit metric "${metric.id}" (${metric.kind}); expected ${want}`,
    );
  }
  return value;
}

async function findImage(
  images: ImageRepository,
  ref: string,
  label: string,
): Promise<ImageRecord> {
  const image =
    (await images.get(ref)) ??
    (/^[0-9a-f]{64}$/.test(ref) ? await images.findBySha256(ref) : undefined);
  if (image === undefined) {
    throw new NotFoundError(`${label}: image "${ref}": no image with this id or sha256`);
  }
  return image;
}

/**
 * Turns a checked entry into an observation.
 * @throws NotFoundError for an unknown site, zone or image; ValidationError for an unknown
 *   metric, a value of the wrong kind, or no time.
 */
async function buildObservation(
  deps: ObserveDeps,
  entry: ObservationEntry,
  label: string,
  sites: ReadonlyMap<string, Site>,
  defaults: { author?: string },
): Promise<Observation> {
  const site = sites.get(entry.site);
  if (site === undefined) {
    throw new NotFoundError(`${label}: site "${entry.site}" is not in the catalog`);
  }
  const zoneId = entry.zone ?? null;
  const zone = zoneId === null ? undefined : site.zones.find((z) => z.id === zoneId);
  if (zoneId !== null && zone === undefined) {
    const known = site.zones.map((z) => z.id).join(', ') || 'none';
    throw new NotFoundError(
      `${label}: zone "${zoneId}" is not a zone of site "${site.id}" (it has ${known})`,
    );
  }
  const metric = deps.metrics.get(entry.metric);
  if (metric === undefined) {
    throw new ValidationError(
      `${label}: unknown metric "${entry.metric}" (known: ${deps.metrics.ids().join(', ')})`,
    );
  }
  const value = checkValue(entry.value, metric, label);
  const image =
    entry.image === undefined || entry.image === null
      ? undefined
      : await findImage(deps.images, entry.image, label);
  const observedAt =
    entry.observedAt !== undefined
      ? parseAcquisitionTime(entry.observedAt, `${label}: observedAt`)
      : image?.acquisition.acquiredAt;
  if (observedAt === undefined) {
    throw new ValidationError(`${label}: observedAt: missing; give the time or an image`);
  }
  const area = zone?.geometry ?? site.geometry;
  const footprint = image?.footprint ?? null;
  const observability = assessObservability(
    {
      zoneVisibleShare:
        entry.zoneVisibleShare ??
        (footprint === null ? null : zoneShareInsideFootprint(area, footprint)),
      cloudCoverPercent: entry.cloudCoverPercent ?? image?.acquisition.cloudCoverPercent ?? null,
      gsdMeters: entry.gsdMeters ?? image?.gsdMeters ?? null,
      analystReason: entry.notObservable ?? null,
    },
    metric.family,
  );
  const identity = {
    siteId: site.id,
    zoneId,
    metric: metric.id,
    value,
    observedAt,
    source: {
      kind: 'manual' as const,
      imageId: image?.id ?? null,
      runId: null,
      comparisonId: null,
    },
    author: entry.author ?? defaults.author ?? DEFAULT_AUTHOR,
    observability,
  };
  const sha256 = deps.sha256Hex(new TextEncoder().encode(observationIdentity(identity)));
  return {
    schemaVersion: OBSERVATION_SCHEMA_VERSION,
    id: observationIdFromSha256(sha256),
    ...identity,
    enteredAt: deps.clock.nowIso(),
    note: entry.note ?? '',
  };
}

async function catalogById(sites: SiteRepository): Promise<Map<string, Site>> {
  return new Map((await sites.list()).map((site) => [site.id, site]));
}

/**
 * Adds one manual observation.
 * @throws ValidationError, NotFoundError as described for the entry.
 */
export async function addObservation(deps: ObserveDeps, json: unknown): Promise<ObserveResult> {
  const entry = parseObservationEntry(json, 'observation');
  const observation = await buildObservation(
    deps,
    entry,
    'observation',
    await catalogById(deps.sites),
    {},
  );
  return {
    observations: [observation],
    ...(await storeObservations(deps, [observation], {
      action: 'observation.add',
      actor: observation.author,
      label: null,
    })),
  };
}

/**
 * Imports the observations of a file (already parsed from JSON or YAML): all or nothing.
 * @param label the file, named in messages.
 * @throws ValidationError listing every bad entry, one per line; nothing is stored then.
 */
export async function importObservations(
  deps: ObserveDeps,
  json: unknown,
  label: string,
  defaults: { author?: string } = {},
): Promise<ObserveResult> {
  const sites = await catalogById(deps.sites);
  const problems: string[] = [];
  const observations: Observation[] = [];
  for (const item of observationEntriesOf(json, label)) {
    const where = `${label}: ${item.path}`;
    try {
      const entry = parseObservationEntry(item.json, where);
      observations.push(await buildObservation(deps, entry, where, sites, defaults));
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ValidationError(problems.join('\n'));
  const audit: ObservationsAudit = {
    action: 'observation.import',
    actor: defaults.author ?? DEFAULT_AUTHOR,
    label,
  };
  return { observations, ...(await storeObservations(deps, observations, audit)) };
}

/** Observations matching the filter, by time. */
export function listObservations(
  deps: Pick<ObserveDeps, 'observations'>,
  filter: ObservationFilter = {},
): Promise<Observation[]> {
  return deps.observations.list(filter);
}
