/**
 * Offline access to the `epsg-index` package: one small JSON file per EPSG code
 * (`epsg-index/s/<code>.json`), read lazily with node:fs and cached for the process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UnknownCrsError } from '../../core/errors.ts';

/** One EPSG entry as the index stores it (only the fields sitewatch uses). */
export interface EpsgEntry {
  readonly code: number;
  /** e.g. `CRS-PROJCRS`, `CRS-GEOGCRS`, `CRS-VERTCRS`. */
  readonly kind: string;
  readonly name: string;
  readonly proj4: string | null;
  /** e.g. `metre`, `degree (supplier to define representation)`, `US survey foot`. */
  readonly unit: string | null;
}

const HORIZONTAL_KINDS = new Set(['CRS-PROJCRS', 'CRS-GEOGCRS', 'CRS-GEOG3DCRS']);

let indexDirectory: string | undefined;
const entryCache = new Map<number, EpsgEntry | null>();

/** Absolute path of the folder holding `<code>.json` files. */
export function epsgIndexDirectory(): string {
  indexDirectory ??= dirname(createRequire(import.meta.url).resolve('epsg-index/s/4326.json'));
  return indexDirectory;
}

/** Absolute path of the index's `all.json` (every entry in one file, about 8 MB). */
export function epsgIndexAllPath(): string {
  return join(epsgIndexDirectory(), '..', 'all.json');
}

/**
 * Parses `EPSG:n` (any case) into n.
 * @throws UnknownCrsError when the string is not of that form.
 */
export function parseEpsgCode(crs: string): number {
  const match = /^\s*epsg:(\d{1,6})\s*$/i.exec(crs);
  const code = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  if (!Number.isInteger(code) || code <= 0) {
    throw new UnknownCrsError(`CRS '${crs}' is not of the form EPSG:n (e.g. EPSG:32618)`);
  }
  return code;
}

function toEntry(json: unknown, code: number): EpsgEntry | null {
  if (typeof json !== 'object' || json === null) return null;
  const record = json as Record<string, unknown>;
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    code,
    kind: text(record.kind) ?? 'unknown',
    name: text(record.name) ?? `EPSG:${code}`,
    proj4: text(record.proj4),
    unit: text(record.unit),
  };
}

/** The index entry for `code`, or null when the index has none. Cached. */
export function readEpsgEntry(code: number): EpsgEntry | null {
  const cached = entryCache.get(code);
  if (cached !== undefined) return cached;
  let entry: EpsgEntry | null = null;
  try {
    const text = readFileSync(join(epsgIndexDirectory(), `${code}.json`), 'utf8');
    entry = toEntry(JSON.parse(text), code);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  entryCache.set(code, entry);
  return entry;
}

/**
 * The entry for `EPSG:n`, checked to be a horizontal CRS with a PROJ definition.
 * @throws UnknownCrsError naming the code when it is absent, not horizontal or not transformable.
 */
export function requireHorizontalEntry(crs: string): EpsgEntry {
  const code = parseEpsgCode(crs);
  const entry = readEpsgEntry(code);
  if (entry === null) {
    throw new UnknownCrsError(`unknown CRS EPSG:${code}: the EPSG index has no such code`);
  }
  if (!HORIZONTAL_KINDS.has(entry.kind)) {
    throw new UnknownCrsError(
      `EPSG:${code} (${entry.name}) is a ${entry.kind}, not a projected or geographic CRS`,
    );
  }
  if (entry.proj4 === null) {
    throw new UnknownCrsError(
      `EPSG:${code} (${entry.name}) has no PROJ definition in the EPSG index, so it cannot be transformed`,
    );
  }
  return entry;
}

/**
 * Seven-parameter Helmert shifts (towgs84) standing in for NTv2 grid files that are not shipped.
 * OSGB36: EPSG transformation 1314 (OSGB36 to WGS 84 (6)), accurate to about 2 m.
 */
const GRID_FALLBACK_TOWGS84: Readonly<Record<string, string>> = {
  'OSTN15_NTv2_OSGBtoETRS.gsb': '446.448,-125.157,542.06,0.15,0.247,0.842,-20.489',
};

/**
 * The PROJ string to hand to proj4 for an entry. Grid-shift files (`+nadgrids=<file>`) are not
 * available offline and proj4 refuses to transform without them, so they are removed: replaced by
 * a published Helmert shift where one is known, else the datum shift is dropped (errors of up to a
 * few hundred metres for such datums; `@null` grids are kept).
 */
export function proj4DefinitionFor(entry: EpsgEntry): string {
  const definition = entry.proj4 ?? '';
  const match = /\s\+nadgrids=("[^"]*"|\S+)/.exec(definition);
  const grids = match?.[1];
  if (match === null || grids === undefined || grids === '@null') return definition;
  const stripped = definition.replace(match[0], '');
  const fallback = GRID_FALLBACK_TOWGS84[grids.replace(/^@/, '')];
  return fallback === undefined || stripped.includes('+towgs84=')
    ? stripped
    : `${stripped} +towgs84=${fallback}`;
}
