/**
 * The one configuration schema. Values come from `SITEWATCH_*` environment variables,
 * then command-line flags override them; entry points load it once at start-up and fail
 * fast naming the bad variable. `docs/configuration.md` is generated from this table
 * (`npm run docs:config`) and a test fails when it drifts.
 */
import { resolve } from 'node:path';
import { ValidationError } from '../core/errors.ts';
import { parseS3BlobUrl } from '../adapters/blob-http/s3-blob-store.ts';

export interface ConfigField<T> {
  readonly env: string;
  readonly description: string;
  readonly defaultText: string;
  parse(raw: string | undefined): T;
}

function positiveInteger(env: string, fallback: number, raw: string | undefined): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ValidationError(`${env}="${raw}": expected a positive integer`);
  }
  return n;
}

/** 2^32 pixels per band: far above any single satellite scene tile, far below a bomb. */
export const DEFAULT_MAX_PIXELS = 2 ** 32;

export const CONFIG_FIELDS = {
  home: {
    env: 'SITEWATCH_HOME',
    description:
      'Data home: the SQLite database (sitewatch.db) and the content-addressed image store (blobs/). Overridden by --home.',
    defaultText: './.sitewatch',
    parse: (raw: string | undefined) =>
      resolve(raw === undefined || raw === '' ? '.sitewatch' : raw),
  },
  maxPixels: {
    env: 'SITEWATCH_MAX_PIXELS',
    description:
      'Largest image accepted, in pixels per band (width × height). Files declaring more are refused before any buffer is allocated (decompression bombs).',
    defaultText: String(DEFAULT_MAX_PIXELS),
    parse: (raw: string | undefined) =>
      positiveInteger('SITEWATCH_MAX_PIXELS', DEFAULT_MAX_PIXELS, raw),
  },
  redisUrl: {
    env: 'SITEWATCH_REDIS_URL',
    description:
      "Redis for the job queue (BullMQ), e.g. redis://queue-host:6379/0. Unset: jobs queue in the data home's database. Set: the server and `sitewatch compare --queue` enqueue into Redis and any `sitewatch worker` that reaches it runs them (docs/deploy.md).",
    defaultText: '(unset)',
    parse: (raw: string | undefined) => optionalRedisUrl(raw),
  },
  redisPrefix: {
    env: 'SITEWATCH_REDIS_PREFIX',
    description:
      'Prefix of every Redis key of the job queue; deployments sharing one Redis need one each.',
    defaultText: 'sitewatch',
    parse: (raw: string | undefined) => (raw === undefined || raw === '' ? 'sitewatch' : raw),
  },
  databaseUrl: {
    env: 'SITEWATCH_DATABASE_URL',
    description:
      "PostgreSQL + PostGIS for every repository, e.g. postgres://sitewatch@db-host:5432/sitewatch. Unset: the SQLite database in the data home. Migrations run on start (or `sitewatch db migrate`); `sitewatch db copy` moves a home's database there. Blobs stay in the data home.",
    defaultText: '(unset)',
    parse: (raw: string | undefined) => optionalPostgresUrl(raw),
  },
  blobUrl: {
    env: 'SITEWATCH_BLOB_URL',
    description:
      'S3-compatible object store for imagery, e.g. s3://bucket/prefix?endpoint=http://minio-host:9000&region=us-east-1 (without endpoint: AWS S3). Set: ingest uploads each image once under <prefix>/blobs/<sha256>.<ext> (single PUT, files up to 5 GB) and every server and worker reads windows by signed range requests, without copying scenes. Unset: blobs/ in the data home.',
    defaultText: '(unset)',
    parse: (raw: string | undefined) => {
      if (raw === undefined || raw === '') return undefined;
      parseS3BlobUrl(raw, 'SITEWATCH_BLOB_URL');
      return raw;
    },
  },
  s3AccessKeyId: {
    env: 'SITEWATCH_S3_ACCESS_KEY_ID',
    description: 'Access key id for SITEWATCH_BLOB_URL (AWS Signature V4).',
    defaultText: '(unset)',
    parse: (raw: string | undefined) => (raw === undefined || raw === '' ? undefined : raw),
  },
  s3SecretAccessKey: {
    env: 'SITEWATCH_S3_SECRET_ACCESS_KEY',
    description: 'Secret access key for SITEWATCH_BLOB_URL; never logged.',
    defaultText: '(unset)',
    parse: (raw: string | undefined) => (raw === undefined || raw === '' ? undefined : raw),
  },
  metricsToken: {
    env: 'SITEWATCH_METRICS_TOKEN',
    description:
      'Bearer token a Prometheus scraper on another host sends to GET /api/metrics; unset, metrics answer only to the machine the server runs on.',
    defaultText: '(unset)',
    parse: (raw: string | undefined) => (raw === undefined || raw === '' ? undefined : raw),
  },
  logFormat: {
    env: 'SITEWATCH_LOG_FORMAT',
    description:
      '`text` for people or `json` (one JSON object per line) for log collectors; `serve` and `worker` take --log-format too.',
    defaultText: 'text',
    parse: (raw: string | undefined) => parseLogFormat('SITEWATCH_LOG_FORMAT', raw),
  },
} as const satisfies Record<string, ConfigField<unknown>>;

export type LogFormat = 'text' | 'json';

/** @throws ValidationError naming `source` unless `raw` is text or json (unset: text). */
export function parseLogFormat(source: string, raw: string | undefined): LogFormat {
  if (raw === undefined || raw === '' || raw === 'text') return 'text';
  if (raw === 'json') return 'json';
  throw new ValidationError(`${source}="${raw}": expected text or json`);
}

function optionalPostgresUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^postgres(?:ql)?:\/\/[^\s]+$/i.test(raw)) {
    const shown = raw.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
    throw new ValidationError(
      `SITEWATCH_DATABASE_URL="${shown}": expected postgres://user@host:port/database`,
    );
  }
  return raw;
}

function optionalRedisUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(raw)) {
    const shown = raw.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
    throw new ValidationError(
      `SITEWATCH_REDIS_URL="${shown}": expected redis://host:port[/db] or rediss://…`,
    );
  }
  return raw;
}

export interface SitewatchConfig {
  readonly home: string;
  readonly maxPixels: number;
  /** Set: the job queue is BullMQ on this Redis; unset: the embedded queue. */
  readonly redisUrl?: string | undefined;
  readonly redisPrefix?: string;
  readonly logFormat?: LogFormat;
  /** Lets scrapers on other hosts read GET /api/metrics. */
  readonly metricsToken?: string | undefined;
  /** Set: every repository is PostgreSQL + PostGIS at this URL; unset: the home's SQLite. */
  readonly databaseUrl?: string | undefined;
  /** Set: imagery lives in this S3-compatible store (s3://bucket/prefix?endpoint=…). */
  readonly blobUrl?: string | undefined;
  readonly s3AccessKeyId?: string | undefined;
  readonly s3SecretAccessKey?: string | undefined;
}

/** @throws ValidationError naming the variable and its bad value */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: { readonly home?: string | undefined } = {},
): SitewatchConfig {
  return {
    home: CONFIG_FIELDS.home.parse(overrides.home ?? env[CONFIG_FIELDS.home.env]),
    maxPixels: CONFIG_FIELDS.maxPixels.parse(env[CONFIG_FIELDS.maxPixels.env]),
    redisUrl: CONFIG_FIELDS.redisUrl.parse(env[CONFIG_FIELDS.redisUrl.env]),
    redisPrefix: CONFIG_FIELDS.redisPrefix.parse(env[CONFIG_FIELDS.redisPrefix.env]),
    logFormat: CONFIG_FIELDS.logFormat.parse(env[CONFIG_FIELDS.logFormat.env]),
    metricsToken: CONFIG_FIELDS.metricsToken.parse(env[CONFIG_FIELDS.metricsToken.env]),
    databaseUrl: CONFIG_FIELDS.databaseUrl.parse(env[CONFIG_FIELDS.databaseUrl.env]),
    blobUrl: CONFIG_FIELDS.blobUrl.parse(env[CONFIG_FIELDS.blobUrl.env]),
    s3AccessKeyId: CONFIG_FIELDS.s3AccessKeyId.parse(env[CONFIG_FIELDS.s3AccessKeyId.env]),
    s3SecretAccessKey: CONFIG_FIELDS.s3SecretAccessKey.parse(
      env[CONFIG_FIELDS.s3SecretAccessKey.env],
    ),
  };
}

/** The markdown of docs/configuration.md. */
export function renderConfigDocs(): string {
  const rows = Object.values(CONFIG_FIELDS).map(
    (f) => `| \`${f.env}\` | \`${f.defaultText}\` | ${f.description} |`,
  );
  return [
    '# Configuration',
    '',
    'Generated from `src/apps/config.ts` by `npm run docs:config`; do not edit by hand.',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
