/**
 * Matching the bands of two images by name across sensors: each name is read as a canonical
 * spectral name (red, nir, swir1, …) from common spellings (STAC `eo` common names included)
 * and from sensor band codes (Sentinel-2 `B01`–`B12`/`B8A`, Landsat `B1`–`B11`), and bands
 * with the same canonical name are paired.
 */
import { ValidationError } from '../errors.ts';

/** Band-numbering schemes that give band codes (`B4`) a spectral meaning. */
export type BandFamily = 'sentinel-2' | 'landsat-oli' | 'landsat-etm' | 'landsat-tm' | 'generic';

const SENTINEL_2: Readonly<Record<string, string>> = {
  '1': 'coastal',
  '2': 'blue',
  '3': 'green',
  '4': 'red',
  '5': 'rededge1',
  '6': 'rededge2',
  '7': 'rededge3',
  '8': 'nir',
  '8a': 'nir08',
  '9': 'watervapour',
  '10': 'cirrus',
  '11': 'swir1',
  '12': 'swir2',
};

/** Landsat 8/9 OLI and TIRS. */
const LANDSAT_OLI: Readonly<Record<string, string>> = {
  '1': 'coastal',
  '2': 'blue',
  '3': 'green',
  '4': 'red',
  '5': 'nir',
  '6': 'swir1',
  '7': 'swir2',
  '8': 'pan',
  '9': 'cirrus',
  '10': 'tirs1',
  '11': 'tirs2',
};

/** Landsat 4/5 TM. */
const LANDSAT_TM: Readonly<Record<string, string>> = {
  '1': 'blue',
  '2': 'green',
  '3': 'red',
  '4': 'nir',
  '5': 'swir1',
  '6': 'thermal',
  '7': 'swir2',
};

/** Landsat 7 ETM+: TM plus a panchromatic band. */
const LANDSAT_ETM: Readonly<Record<string, string>> = { ...LANDSAT_TM, '8': 'pan' };

const FAMILY_TABLES: Readonly<Record<BandFamily, Readonly<Record<string, string>>>> = {
  'sentinel-2': SENTINEL_2,
  'landsat-oli': LANDSAT_OLI,
  'landsat-etm': LANDSAT_ETM,
  'landsat-tm': LANDSAT_TM,
  generic: {},
};

/** Canonical name → spellings (after normalisation: lower case, no spaces, `_`, `-`, `.`). */
const SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  coastal: ['coastal', 'coastalaerosol', 'aerosol', 'coastalblue', 'ultrablue', 'ca'],
  blue: ['blue', 'b'],
  green: ['green', 'g'],
  yellow: ['yellow', 'y'],
  red: ['red', 'r'],
  rededge: ['rededge', 're'],
  rededge1: ['rededge1', 're1', 'rededge071', 'vre1'],
  rededge2: ['rededge2', 're2', 'rededge075', 'vre2'],
  rededge3: ['rededge3', 're3', 'rededge078', 'vre3'],
  nir: ['nir', 'n', 'nearinfrared', 'nearir', 'nir1'],
  nir08: ['nir08', 'narrownir', 'nirnarrow', 'nir8a'],
  nir2: ['nir2'],
  watervapour: ['watervapour', 'watervapor', 'wv', 'nir09'],
  cirrus: ['cirrus', 'swircirrus'],
  swir1: ['swir1', 'swir16', 'shortwaveinfrared1'],
  swir2: ['swir2', 'swir22', 'shortwaveinfrared2'],
  pan: ['pan', 'panchromatic', 'p'],
  thermal: ['thermal', 'lwir', 'tir'],
  tirs1: ['tirs1', 'lwir11', 'tir1', 'thermal1'],
  tirs2: ['tirs2', 'lwir12', 'tir2', 'thermal2'],
  gray: ['gray', 'grey'],
};

const ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries(SPELLINGS).flatMap(([canonical, spellings]) =>
    spellings.map((spelling) => [spelling, canonical] as const),
  ),
);

/** Names that never pair: they are not spectral bands. */
const NOT_BANDS: ReadonlySet<string> = new Set(['alpha', 'a', 'mask', 'nodata', 'qa', 'qapixel']);

/** `B4`, `b04`, `band4`, `B8A`, Landsat Collection 2 `SR_B4`/`ST_B10` (normalised). */
const BAND_CODE = /^(?:sr|st|toa)?(b|band)(\d{1,2})(a?)$/;

/** Lower case, without a resolution suffix (`_10m`) and without spaces, `_`, `-`, `.`. */
function normalise(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]\d+m$/, '')
    .replace(/[\s_.-]/g, '');
}

/**
 * The band family of a sensor description such as `sentinel-2a msi`, `Landsat 8 OLI/TIRS`,
 * `LANDSAT_7` or `generic`; null when it names none of them.
 */
export function bandFamilyOf(sensor: string | null | undefined): BandFamily | null {
  if (sensor === null || sensor === undefined) return null;
  const s = sensor.toLowerCase();
  if (/sentinel[\s_-]?2|\bs2[ab]?\b|\bmsi\b/.test(s)) return 'sentinel-2';
  if (/landsat[\s_-]?[89]|\boli\b|\blc0?[89]\b/.test(s)) return 'landsat-oli';
  if (/landsat[\s_-]?7|\betm\+?|\ble0?7\b/.test(s)) return 'landsat-etm';
  if (/landsat[\s_-]?[45]|\btm\b|\blt0?[45]\b/.test(s)) return 'landsat-tm';
  if (/\bgeneric\b/.test(s)) return 'generic';
  return null;
}

interface BandCode {
  readonly prefix: string;
  readonly digits: string;
  readonly suffix: string;
}

function bandCode(normalised: string): BandCode | null {
  const match = BAND_CODE.exec(normalised);
  if (match === null) return null;
  return { prefix: match[1] ?? '', digits: match[2] ?? '', suffix: match[3] ?? '' };
}

/** Whether a code can only be Sentinel-2's: zero-padded (`B02`), `B8A` or `B12`. */
function looksSentinel2(code: BandCode): boolean {
  return code.digits.startsWith('0') || code.suffix === 'a' || Number(code.digits) === 12;
}

/**
 * The family used for a list's band codes: the sensor's when known, else Sentinel-2 when any
 * code looks like one, else Landsat 8/9 for `B1`…, generic for `band1`….
 */
function familyForList(
  codes: readonly (BandCode | null)[],
  sensor: string | null | undefined,
): (code: BandCode) => BandFamily {
  const hinted = bandFamilyOf(sensor);
  if (hinted !== null) return () => hinted;
  if (codes.some((code) => code !== null && looksSentinel2(code))) return () => 'sentinel-2';
  return (code) => (code.prefix === 'band' ? 'generic' : 'landsat-oli');
}

/**
 * The canonical name of each band: a spectral name (`red`, `nir`, `swir1`, …), `b<n>` for a
 * band code without spectral meaning, the normalised name for unknown names, or null for
 * names that are not spectral bands (`alpha`, `mask`).
 * @param sensor optional sensor description (see {@link bandFamilyOf}) for band codes.
 */
export function canonicalBandNames(
  names: readonly string[],
  sensor?: string | null,
): (string | null)[] {
  const normalised = names.map(normalise);
  const codes = normalised.map(bandCode);
  const familyOf = familyForList(codes, sensor);
  return normalised.map((name, i) => {
    if (NOT_BANDS.has(name)) return null;
    const alias = ALIASES.get(name);
    if (alias !== undefined) return alias;
    const code = codes[i];
    if (code === null || code === undefined) return name === '' ? null : name;
    const key = `${String(Number(code.digits))}${code.suffix}`;
    return FAMILY_TABLES[familyOf(code)][key] ?? `b${key}`;
  });
}

/** A pair of matched bands: 0-based indexes into each list and the shared canonical name. */
export interface BandPair {
  readonly a: number;
  readonly b: number;
  readonly name: string;
}

/** Options of {@link matchBands}. */
export interface MatchBandsOptions {
  /** Sensor descriptions (e.g. an image's `sensor`) to read band codes by; see bandFamilyOf. */
  readonly sensorA?: string | null;
  readonly sensorB?: string | null;
  /** Names of the images in the error message; default `A` and `B`. */
  readonly labels?: { readonly a: string; readonly b: string };
}

function isIdenticalCodeList(a: readonly string[], b: readonly string[]): boolean {
  const na = a.map(normalise);
  const nb = b.map(normalise);
  return (
    na.length === nb.length &&
    na.every((name, i) => {
      const code = bandCode(name);
      return name === nb[i] && code !== null && !looksSentinel2(code);
    })
  );
}

/**
 * Pairs the bands of two images by canonical name (see {@link canonicalBandNames}), in the
 * order of A's bands; each canonical name pairs once (first occurrence on each side). Without
 * sensor hints, two identical lists of bare band codes (`b1`…`bn`, as GeoTIFFs without band
 * descriptions have) pair by index under the names `b1`…`bn`.
 * @throws ValidationError "no common bands: A has [..], B has [..]" when nothing pairs.
 */
export function matchBands(
  namesA: readonly string[],
  namesB: readonly string[],
  options: MatchBandsOptions = {},
): { readonly pairs: BandPair[] } {
  const noHints = bandFamilyOf(options.sensorA) === null && bandFamilyOf(options.sensorB) === null;
  if (noHints && namesA.length > 0 && isIdenticalCodeList(namesA, namesB)) {
    return {
      pairs: namesA.map((name, i) => {
        const code = bandCode(normalise(name));
        return { a: i, b: i, name: `b${String(Number(code?.digits))}${code?.suffix ?? ''}` };
      }),
    };
  }
  const canonicalA = canonicalBandNames(namesA, options.sensorA);
  const canonicalB = canonicalBandNames(namesB, options.sensorB);
  const firstInB = new Map<string, number>();
  canonicalB.forEach((name, i) => {
    if (name !== null && !firstInB.has(name)) firstInB.set(name, i);
  });
  const pairs: BandPair[] = [];
  const used = new Set<string>();
  canonicalA.forEach((name, a) => {
    const b = name === null ? undefined : firstInB.get(name);
    if (name === null || b === undefined || used.has(name)) return;
    used.add(name);
    pairs.push({ a, b, name });
  });
  if (pairs.length === 0) {
    const labels = options.labels ?? { a: 'A', b: 'B' };
    throw new ValidationError(
      `no common bands: ${labels.a} has ${describeBands(namesA, canonicalA)}, ${labels.b} has ${describeBands(namesB, canonicalB)}`,
    );
  }
  return { pairs };
}

/** `[B4 (red), alpha (ignored)]`. */
function describeBands(names: readonly string[], canonical: readonly (string | null)[]): string {
  const parts = names.map((name, i) => {
    const c = canonical[i];
    if (c === null) return `${name} (ignored)`;
    return c === undefined || c === normalise(name) ? name : `${name} (${c})`;
  });
  return `[${parts.join(', ')}]`;
}
