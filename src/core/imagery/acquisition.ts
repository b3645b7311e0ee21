/**
 * Acquisition metadata: parsing each source into a partial record and merging them by
 * precedence (sidecar JSON > STAC Item > metadata inside the file > CLI flags).
 *
 * The TIFF `DateTime` tag (306) is, per TIFF 6.0, the file's creation time, not the
 * acquisition time, so it is never used as one; explicit acquisition items in the file's
 * GDAL metadata are (`ACQUISITIONDATETIME`, `ACQUISITION_DATE`, `DATETIME_ORIGINAL`, …).
 */
import { MissingMetadataError, ValidationError } from '../errors.ts';
import type { Acquisition, AcquisitionField, MetadataSource } from './image.ts';

export type PartialAcquisition = Partial<Record<AcquisitionField, string | number | null>>;

const NUMERIC_RANGES: Partial<Record<AcquisitionField, readonly [number, number]>> = {
  sunElevationDeg: [-90, 90],
  sunAzimuthDeg: [0, 360],
  offNadirDeg: [0, 90],
  cloudCoverPercent: [0, 100],
};

const ACQUISITION_FIELDS: readonly AcquisitionField[] = [
  'acquiredAt',
  'sensor',
  'provider',
  'sunElevationDeg',
  'sunAzimuthDeg',
  'offNadirDeg',
  'cloudCoverPercent',
  'credit',
  'license',
];

/**
 * Normalises a date or date-time to ISO 8601 UTC. A date alone (`2019-02-22`) means
 * midnight UTC; a time without a zone is taken as UTC; TIFF style `2019:02:22 10:00:00` is accepted.
 * @throws ValidationError naming the value and `label`
 */
export function parseAcquisitionTime(value: string, label: string): string {
  const trimmed = value.trim();
  let candidate = trimmed.replace(/^(\d{4}):(\d{2}):(\d{2})[ T]/, '$1-$2-$3T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(candidate)) candidate += 'T00:00:00Z';
  else if (/^\d{8}$/.test(candidate))
    candidate = `${candidate.slice(0, 4)}-${candidate.slice(4, 6)}-${candidate.slice(6, 8)}T00:00:00Z`;
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(candidate))
    candidate = `${candidate.replace(' ', 'T')}Z`;
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(candidate) ? Date.parse(candidate) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new ValidationError(
      `${label}: "${value}" is not a date or date-time (expected e.g. 2019-02-22 or 2019-02-22T02:10:00Z)`,
    );
  }
  return new Date(ms).toISOString();
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function firstString(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = record[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

function firstNumber(
  record: Record<string, unknown>,
  keys: readonly string[],
  label: string,
): number | undefined {
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || v === null) continue;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw new ValidationError(`${label}: "${key}" must be a number, got ${JSON.stringify(v)}`);
    }
    return n;
  }
  return undefined;
}

function compact(
  partial: Partial<Record<AcquisitionField, string | number | null | undefined>>,
): PartialAcquisition {
  const out: PartialAcquisition = {};
  for (const field of ACQUISITION_FIELDS) {
    const v = partial[field];
    if (v !== undefined && v !== null) out[field] = v;
  }
  return out;
}

/**
 * Reads a sitewatch sidecar JSON (`{ "acquiredAt": "...", "sensor": "...", ... }`;
 * snake_case keys accepted too).
 * @throws ValidationError naming the file and field
 */
export function parseSidecarAcquisition(json: unknown, path: string): PartialAcquisition {
  const r = asRecord(json);
  if (!r) throw new ValidationError(`sidecar ${path}: expected a JSON object`);
  const label = `sidecar ${path}`;
  const time = firstString(r, ['acquiredAt', 'acquired_at', 'datetime', 'acquisitionTime']);
  return compact({
    acquiredAt: time === undefined ? undefined : parseAcquisitionTime(time, `${label}: acquiredAt`),
    sensor: firstString(r, ['sensor', 'platform']),
    provider: firstString(r, ['provider']),
    sunElevationDeg: firstNumber(r, ['sunElevationDeg', 'sun_elevation', 'sunElevation'], label),
    sunAzimuthDeg: firstNumber(r, ['sunAzimuthDeg', 'sun_azimuth', 'sunAzimuth'], label),
    offNadirDeg: firstNumber(r, ['offNadirDeg', 'off_nadir', 'offNadir'], label),
    cloudCoverPercent: firstNumber(r, ['cloudCoverPercent', 'cloud_cover', 'cloudCover'], label),
    credit: firstString(r, ['credit', 'attribution']),
    license: firstString(r, ['license', 'licence']),
  });
}

/**
 * Reads a STAC Item's acquisition fields: `properties.datetime` (or `start_datetime`),
 * `platform`/`constellation`/`instruments`, `view:*` angles, `eo:cloud_cover`, providers, license.
 * @throws ValidationError naming the file and field
 */
export function parseStacAcquisition(json: unknown, path: string): PartialAcquisition {
  const item = asRecord(json);
  const props = asRecord(item?.properties);
  if (item?.type !== 'Feature' || !props) {
    throw new ValidationError(
      `STAC item ${path}: expected a STAC Item (a Feature with properties)`,
    );
  }
  const label = `STAC item ${path}`;
  const time = firstString(props, ['datetime', 'start_datetime']);
  const instruments = Array.isArray(props.instruments)
    ? props.instruments.filter((x): x is string => typeof x === 'string')
    : [];
  const platform = firstString(props, ['platform', 'constellation']);
  const sensor =
    platform !== undefined && instruments.length > 0
      ? `${platform} ${instruments.join('/')}`
      : (platform ?? (instruments.length > 0 ? instruments.join('/') : undefined));
  const providers = Array.isArray(props.providers) ? props.providers : [];
  const providerName = providers
    .map((p) => asRecord(p)?.name)
    .find((n): n is string => typeof n === 'string');
  return compact({
    acquiredAt: time === undefined ? undefined : parseAcquisitionTime(time, `${label}: datetime`),
    sensor,
    provider: providerName,
    sunElevationDeg: firstNumber(props, ['view:sun_elevation'], label),
    sunAzimuthDeg: firstNumber(props, ['view:sun_azimuth'], label),
    offNadirDeg: firstNumber(props, ['view:off_nadir'], label),
    cloudCoverPercent: firstNumber(props, ['eo:cloud_cover'], label),
    credit: firstString(props, ['sitewatch:credit', 'attribution']),
    license: firstString(props, ['license']),
  });
}

/** Acquisition items from a file's own metadata tags (upper-case keys). */
export function parseTagAcquisition(
  tags: Readonly<Record<string, string>>,
  path: string,
): PartialAcquisition {
  const time =
    tags.ACQUISITIONDATETIME ??
    tags.ACQUISITION_DATETIME ??
    tags.ACQUISITION_DATE ??
    tags.DATETIME_ORIGINAL ??
    tags.SENSING_TIME;
  const cloud = tags.CLOUD_COVER ?? tags.CLOUDCOVER;
  return compact({
    acquiredAt: time === undefined ? undefined : parseAcquisitionTime(time, `${path}: tag`),
    sensor: tags.SATELLITEID ?? tags.SENSOR ?? tags.SPACECRAFT_NAME,
    cloudCoverPercent: cloud === undefined ? undefined : Number(cloud),
  });
}

export interface AcquisitionSources {
  readonly sidecar?: PartialAcquisition;
  readonly stac?: PartialAcquisition;
  readonly tags?: PartialAcquisition;
  readonly flags?: PartialAcquisition;
}

const PRECEDENCE: readonly (readonly [keyof AcquisitionSources, MetadataSource])[] = [
  ['sidecar', 'sidecar'],
  ['stac', 'stac'],
  ['tags', 'tiff-tag'],
  ['flags', 'flag'],
];

/**
 * Merges the sources field by field, highest precedence first, checks ranges, and requires
 * an acquisition time.
 * @throws MissingMetadataError when no source gives `acquiredAt`; ValidationError for out-of-range values
 */
export function mergeAcquisition(sources: AcquisitionSources, imageLabel: string): Acquisition {
  const values: PartialAcquisition = {};
  const origin: Partial<Record<AcquisitionField, MetadataSource>> = {};
  for (const field of ACQUISITION_FIELDS) {
    for (const [key, source] of PRECEDENCE) {
      const v = sources[key]?.[field];
      if (v === undefined || v === null) continue;
      const range = NUMERIC_RANGES[field];
      if (range && (typeof v !== 'number' || !Number.isFinite(v) || v < range[0] || v > range[1])) {
        throw new ValidationError(
          `${imageLabel}: ${field} from ${source} is ${String(v)}, expected a number in [${range[0]}, ${range[1]}]`,
        );
      }
      values[field] = v;
      origin[field] = source;
      break;
    }
  }
  const acquiredAt = values.acquiredAt;
  if (typeof acquiredAt !== 'string') {
    throw new MissingMetadataError(
      `${imageLabel}: no acquisition time is known (none in a sidecar JSON, a STAC Item or the file's metadata); give one with --acquired-at YYYY-MM-DD[THH:MM:SSZ]`,
    );
  }
  const str = (f: AcquisitionField): string | null => {
    const v = values[f];
    return typeof v === 'string' ? v : null;
  };
  const num = (f: AcquisitionField): number | null => {
    const v = values[f];
    return typeof v === 'number' ? v : null;
  };
  return {
    acquiredAt,
    sensor: str('sensor'),
    provider: str('provider'),
    sunElevationDeg: num('sunElevationDeg'),
    sunAzimuthDeg: num('sunAzimuthDeg'),
    offNadirDeg: num('offNadirDeg'),
    cloudCoverPercent: num('cloudCoverPercent'),
    credit: str('credit'),
    license: str('license'),
    sources: origin,
  };
}

/** Fields where a flag was given but a higher-precedence source won, for a warning. */
export function overriddenFlags(
  sources: AcquisitionSources,
  merged: Acquisition,
): AcquisitionField[] {
  const flags = sources.flags ?? {};
  return ACQUISITION_FIELDS.filter(
    (f) => flags[f] !== undefined && flags[f] !== null && merged.sources[f] !== 'flag',
  );
}
