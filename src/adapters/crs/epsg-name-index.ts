/**
 * Finds EPSG codes by CRS name, for `.prj` files whose WKT carries no authority code (ESRI
 * writes names such as `WGS_1984_UTM_Zone_18N`). Loads the index's `all.json` once, lazily.
 */
import { readFileSync } from 'node:fs';
import { epsgIndexAllPath } from './epsg-index-reader.ts';

interface NamedCode {
  readonly code: number;
  readonly kind: string;
}

/** ESRI names that no spelling rule maps onto the EPSG name. */
const ESRI_ALIASES: Readonly<Record<string, string>> = {
  'wgs 84 web mercator auxiliary sphere': 'wgs 84 / pseudo-mercator',
  'british national grid': 'osgb36 / british national grid',
};

/**
 * Normalises a CRS name for comparison: lower case, `_` as space, ESRI datum spellings
 * (`WGS_1984`, `NAD_1983`, `GCS_`) and `UTM_Zone` as EPSG writes them.
 */
export function normaliseCrsName(name: string): string {
  const spaced = name
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^gcs /, '')
    .replace(/\bwgs 1984\b/g, 'wgs 84')
    .replace(/\bnad 1983\b/g, 'nad83')
    .replace(/\bnad 1927\b/g, 'nad27')
    .replace(/\betrs 1989\b/g, 'etrs89')
    .replace(/ (?:\/ )?utm zone (\d+)([ns])$/, ' / utm zone $1$2');
  return ESRI_ALIASES[spaced] ?? spaced;
}

let byName: Map<string, NamedCode[]> | undefined;

function nameIndex(): Map<string, NamedCode[]> {
  if (byName !== undefined) return byName;
  const all = JSON.parse(readFileSync(epsgIndexAllPath(), 'utf8')) as Record<string, unknown>;
  const index = new Map<string, NamedCode[]>();
  for (const value of Object.values(all)) {
    if (typeof value !== 'object' || value === null) continue;
    const { code, kind, name, proj4 } = value as Record<string, unknown>;
    if (typeof name !== 'string' || typeof kind !== 'string' || typeof proj4 !== 'string') continue;
    const key = normaliseCrsName(name);
    const list = index.get(key) ?? [];
    list.push({ code: Number(code), kind });
    index.set(key, list);
  }
  byName = index;
  return index;
}

/** The EPSG `kind` a WKT root keyword implies, or null when it implies none. */
function kindForKeyword(keyword: string): string | null {
  if (keyword === 'PROJCS' || keyword === 'PROJCRS' || keyword === 'PROJECTEDCRS') {
    return 'CRS-PROJCRS';
  }
  if (keyword === 'GEOGCS' || keyword === 'GEOGCRS' || keyword === 'GEOGRAPHICCRS') {
    return 'CRS-GEOGCRS';
  }
  return null;
}

/**
 * EPSG codes whose name matches `name` (after {@link normaliseCrsName}) and whose kind fits the
 * WKT root keyword, lowest code first. Empty when none match.
 */
export function findEpsgCodesByName(name: string, keyword: string): number[] {
  const candidates = nameIndex().get(normaliseCrsName(name)) ?? [];
  const kind = kindForKeyword(keyword);
  const fitting = kind === null ? candidates : candidates.filter((c) => c.kind === kind);
  return fitting.map((c) => c.code).sort((a, b) => a - b);
}
