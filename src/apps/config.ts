/**
 * The one configuration schema. Values come from `SITEWATCH_*` environment variables,
 * then command-line flags override them; entry points load it once at start-up and fail
 * fast naming the bad variable. `docs/configuration.md` is generated from this table
 * (`npm run docs:config`) and a test fails when it drifts.
 */
import { resolve } from 'node:path';
import { ValidationError } from '../core/errors.ts';

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
} as const satisfies Record<string, ConfigField<unknown>>;

export interface SitewatchConfig {
  readonly home: string;
  readonly maxPixels: number;
}

/** @throws ValidationError naming the variable and its bad value */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: { readonly home?: string | undefined } = {},
): SitewatchConfig {
  return {
    home: CONFIG_FIELDS.home.parse(overrides.home ?? env[CONFIG_FIELDS.home.env]),
    maxPixels: CONFIG_FIELDS.maxPixels.parse(env[CONFIG_FIELDS.maxPixels.env]),
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
