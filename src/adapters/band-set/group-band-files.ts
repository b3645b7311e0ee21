/**
 * Groups single-band files named like Sentinel-2 / Landsat products (`…_B02.tif`, `…_B8A.tif`,
 * `…_B1.TIF`) into band sets: same folder, same name before the band suffix. Pure string work
 * (no file access), so it is unit-testable; paths may use `/` or `\` separators.
 */

export interface BandFile {
  /** Upper-cased band suffix, e.g. `B02`, `B8A`, `B1`. */
  readonly name: string;
  readonly path: string;
}

export interface BandSetGroup {
  /** Folder and shared name prefix, e.g. `/data/S2A_…_T31UDQ`. */
  readonly key: string;
  /** Bands in spectral order: B01, B02, …, B08, B8A, B09, … */
  readonly bands: BandFile[];
}

export interface BandFileGrouping {
  /** Groups of at least two band files, ordered by key. */
  readonly bandSets: BandSetGroup[];
  /** Every other path, in input order (a lone band file is just a GeoTIFF). */
  readonly rest: string[];
}

const BAND_SUFFIX = /^(.+)_(b(?:0?[1-9]|1[0-2]|8a))\.tiff?$/i;

/** Splits a file name into its set prefix and upper-cased band name, or null when it has none. */
export function parseBandFileName(fileName: string): { prefix: string; band: string } | null {
  const match = BAND_SUFFIX.exec(fileName);
  const prefix = match?.[1];
  const band = match?.[2];
  if (prefix === undefined || band === undefined) return null;
  return { prefix, band: band.toUpperCase() };
}

/** Spectral order of a band name: its number, with B8A just after B08. */
export function bandOrder(name: string): number {
  const upper = name.toUpperCase();
  if (upper === 'B8A') return 8.5;
  return Number(upper.slice(1));
}

/** Compares band names in spectral order (B08 < B8A < B09), then by name. */
export function compareBandNames(a: string, b: string): number {
  return bandOrder(a) - bandOrder(b) || a.localeCompare(b);
}

function splitPath(path: string): { folder: string; fileName: string } {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return { folder: path.slice(0, cut + 1), fileName: path.slice(cut + 1) };
}

/**
 * Groups band files by folder and prefix; groups of one stay in `rest`.
 * The same path given twice counts once.
 */
export function groupBandFiles(paths: readonly string[]): BandFileGrouping {
  const unique = [...new Set(paths)];
  const groups = new Map<string, BandFile[]>();
  for (const path of unique) {
    const { folder, fileName } = splitPath(path);
    const parsed = parseBandFileName(fileName);
    if (parsed === null) continue;
    const key = folder + parsed.prefix;
    const group = groups.get(key) ?? [];
    group.push({ name: parsed.band, path });
    groups.set(key, group);
  }
  const grouped = new Set<string>();
  const bandSets: BandSetGroup[] = [];
  for (const [key, bands] of [...groups.entries()].sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    if (bands.length < 2) continue;
    bands.sort((a, b) => compareBandNames(a.name, b.name));
    for (const band of bands) grouped.add(band.path);
    bandSets.push({ key, bands });
  }
  return { bandSets, rest: unique.filter((path) => !grouped.has(path)) };
}
