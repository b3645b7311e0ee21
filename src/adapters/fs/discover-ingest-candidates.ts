/**
 * Turns what a user typed (files, folders, globs) into ingest candidates: GeoTIFFs,
 * PNG/JPEG images with their world file and `.prj`, and sets of single-band files that
 * are the bands of one acquisition. Problems are reported per path, never thrown for the
 * whole batch, so one bad file does not stop the others.
 */
import { stat, readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { NotFoundError, SitewatchError, ValidationError } from '../../core/errors.ts';
import type { IngestCandidate } from '../../app/ingest-images.ts';
import type { CrsRegistry } from '../../app/ports.ts';
import { groupBandFiles } from '../band-set/group-band-files.ts';
import { findPrjFile, findWorldFile } from '../world-file/world-file-raster-source.ts';

const TIFF_EXTENSIONS = new Set(['.tif', '.tiff']);
const PNG_EXTENSIONS = new Set(['.png']);
const JPEG_EXTENSIONS = new Set(['.jpg', '.jpeg']);

export interface DiscoveryProblem {
  readonly path: string;
  readonly error: SitewatchError;
}

export interface Discovery {
  readonly candidates: IngestCandidate[];
  readonly problems: DiscoveryProblem[];
}

export interface DiscoveryOptions {
  /** `EPSG:n` for PNG/JPEG world-file images without a `.prj`, and GeoTIFFs without a known CRS. */
  readonly crs?: string;
}

function isImageFile(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return TIFF_EXTENSIONS.has(ext) || PNG_EXTENSIONS.has(ext) || JPEG_EXTENSIONS.has(ext);
}

async function walk(folder: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else if (entry.isFile() && isImageFile(path)) out.push(path);
  }
  return out;
}

/** Expands arguments to absolute image paths, recording arguments that match nothing. */
async function expand(args: readonly string[], problems: DiscoveryProblem[]): Promise<string[]> {
  const paths: string[] = [];
  for (const arg of args) {
    if (/[*?[\]{}]/.test(arg)) {
      const matches = (await glob(arg, { absolute: true, onlyFiles: true })).filter(isImageFile);
      if (matches.length === 0) {
        problems.push({
          path: arg,
          error: new NotFoundError(`${arg}: the pattern matches no image file`),
        });
      }
      paths.push(...matches.sort());
      continue;
    }
    const path = resolve(arg);
    let info;
    try {
      info = await stat(path);
    } catch {
      problems.push({ path, error: new NotFoundError(`${path}: no such file or folder`) });
      continue;
    }
    if (info.isDirectory()) {
      const found = await walk(path);
      if (found.length === 0) {
        problems.push({
          path,
          error: new NotFoundError(`${path}: the folder holds no image file`),
        });
      }
      paths.push(...found);
    } else {
      paths.push(path);
    }
  }
  return [...new Set(paths)];
}

async function worldFileCandidate(
  path: string,
  crsRegistry: CrsRegistry,
  options: DiscoveryOptions,
): Promise<IngestCandidate> {
  const format = PNG_EXTENSIONS.has(extname(path).toLowerCase()) ? 'png' : 'jpeg';
  const worldFilePath = await findWorldFile(path);
  const prjPath = await findPrjFile(path);
  let crs = options.crs;
  if (prjPath !== undefined && crs === undefined) {
    crs = crsRegistry.fromWkt(await readFile(prjPath, 'utf8'));
  }
  if (worldFilePath !== undefined && crs === undefined) {
    throw new ValidationError(
      `${path}: has a world file (${worldFilePath}) but no CRS; add a .prj file beside it or pass --crs EPSG:n`,
    );
  }
  if (crs !== undefined) crsRegistry.assertKnown(crs);
  const files: IngestCandidate['files'][number][] = [{ role: 'raster', path }];
  if (worldFilePath !== undefined) files.push({ role: 'world-file', path: worldFilePath });
  if (prjPath !== undefined) files.push({ role: 'prj', path: prjPath });
  return {
    label: path,
    input: {
      kind: 'world-file-image',
      path,
      format,
      ...(worldFilePath !== undefined ? { worldFilePath } : {}),
      ...(crs !== undefined && worldFilePath !== undefined ? { crs } : {}),
    },
    files,
  };
}

/** Finds the ingest candidates among `args` (files, folders, globs). */
export async function discoverIngestCandidates(
  args: readonly string[],
  crsRegistry: CrsRegistry,
  options: DiscoveryOptions = {},
): Promise<Discovery> {
  const problems: DiscoveryProblem[] = [];
  const paths = await expand(args, problems);
  const { bandSets, rest } = groupBandFiles(paths);
  const candidates: IngestCandidate[] = bandSets.map((set) => ({
    label: set.bands[0]?.path ?? set.key,
    input: { kind: 'band-set', bands: set.bands },
    files: set.bands.map((b) => ({ role: 'band' as const, path: b.path })),
  }));
  for (const path of rest) {
    const ext = extname(path).toLowerCase();
    try {
      if (PNG_EXTENSIONS.has(ext) || JPEG_EXTENSIONS.has(ext)) {
        candidates.push(await worldFileCandidate(path, crsRegistry, options));
      } else {
        candidates.push({
          label: path,
          input: {
            kind: 'geotiff',
            path,
            ...(options.crs !== undefined ? { crs: options.crs } : {}),
          },
          files: [{ role: 'raster', path }],
        });
      }
    } catch (error) {
      if (!(error instanceof SitewatchError)) throw error;
      problems.push({ path, error });
    }
  }
  return { candidates, problems };
}
