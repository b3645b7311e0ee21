/**
 * Use case: ingest one dated image (a GeoTIFF, a PNG/JPEG with a world file, or a band set).
 *
 * Order matters for "the whole image or nothing": hash (duplicates stop here), open and decode
 * every pixel once (corrupt data fails here, before anything is written), work out georeferencing
 * and sites, copy the files into the content-addressed store, and only then insert the record in
 * one transaction. A failure or a kill before the insert leaves at most an unreferenced blob.
 */
import { bboxOfGeometry, bboxesIntersect } from '../core/geo/bbox.ts';
import { footprintFromGeoTransform } from '../core/geo/footprint.ts';
import { gsdMetersAt } from '../core/geo/geodesy.ts';
import { geometriesIntersect } from '../core/geo/relations.ts';
import type { PolygonGeometry } from '../core/geo/types.ts';
import {
  mergeAcquisition,
  overriddenFlags,
  parseSidecarAcquisition,
  parseStacAcquisition,
  parseTagAcquisition,
  type PartialAcquisition,
} from '../core/imagery/acquisition.ts';
import {
  IMAGE_SCHEMA_VERSION,
  imageIdFromSha256,
  type BandInfo,
  type ImageFormat,
  type ImageRecord,
  type StoredFile,
  type StoredFileRole,
} from '../core/imagery/image.ts';
import { createBandStatsAccumulator } from '../core/raster/band-stats.ts';
import { tileWindows, type RasterSource } from '../core/raster/raster.ts';
import {
  CancelledError,
  ConflictError,
  NotFoundError,
  SitewatchError,
  ValidationError,
} from '../core/errors.ts';
import type {
  BlobStore,
  Clock,
  CrsRegistry,
  ImageRepository,
  RasterInput,
  RasterOpenLimits,
  RasterOpener,
  SidecarReader,
  SiteRepository,
  StoredBlob,
} from './ports.ts';

/** One image to ingest, as found on disk. */
export interface IngestCandidate {
  readonly input: RasterInput;
  /** The path that names the image in messages and sidecar lookups (the raster, or the first band). */
  readonly label: string;
  /** Every file that belongs to the image, raster/band files first, in band order. */
  readonly files: readonly { readonly role: StoredFileRole; readonly path: string }[];
}

export interface IngestOptions {
  /** Associate the image with this site (required to match the footprint when georeferenced). */
  readonly siteId?: string;
  /** Acquisition facts given on the command line (lowest precedence). */
  readonly flags?: PartialAcquisition;
  /** Reference files in place instead of copying them into the store. */
  readonly link?: boolean;
  readonly signal?: AbortSignal;
}

export interface IngestResult {
  readonly image: ImageRecord;
  /** True when the same bytes were already held; `image` is the existing record. */
  readonly duplicate: boolean;
  readonly warnings: readonly string[];
}

export interface IngestDeps {
  readonly images: ImageRepository;
  readonly sites: SiteRepository;
  readonly blobs: BlobStore;
  readonly opener: RasterOpener;
  readonly crs: CrsRegistry;
  readonly sidecars: SidecarReader;
  readonly clock: Clock;
  readonly limits: RasterOpenLimits;
  /** SHA-256 of bytes, lower-case hex. */
  readonly sha256Hex: (bytes: Uint8Array) => string;
}

/** Rows decoded per window when computing statistics, bounding memory by width × this. */
const STATS_WINDOW_ROWS = 256;

function formatOf(input: RasterInput): ImageFormat {
  if (input.kind === 'geotiff') return 'geotiff';
  if (input.kind === 'band-set') return 'band-set';
  return input.format;
}

/**
 * Ingests one image.
 * @throws SitewatchError subclasses naming the file and the problem; nothing is stored then.
 */
export async function ingestImage(
  deps: IngestDeps,
  candidate: IngestCandidate,
  options: IngestOptions = {},
): Promise<IngestResult> {
  try {
    return await ingestUnchecked(deps, candidate, options);
  } catch (error) {
    if (error instanceof SitewatchError && error.message.includes(candidate.label)) throw error;
    if (error instanceof SitewatchError) {
      throw new (error.constructor as new (m: string, o: { cause: unknown }) => SitewatchError)(
        `${candidate.label}: ${error.message}`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function ingestUnchecked(
  deps: IngestDeps,
  candidate: IngestCandidate,
  options: IngestOptions,
): Promise<IngestResult> {
  const signal = options.signal;
  const hashes: StoredBlob[] = [];
  for (const file of candidate.files) hashes.push(await deps.blobs.hash(file.path, { signal }));
  const sha256 = imageSha256(candidate, hashes, deps.sha256Hex);

  const existing = await deps.images.findBySha256(sha256);
  if (existing) return { image: existing, duplicate: true, warnings: [] };

  const source = await deps.opener.open(candidate.input, deps.limits);
  let stats;
  try {
    stats = await computeStats(source, signal);
  } finally {
    await source.close();
  }
  const description = source.description;
  const warnings: string[] = [];

  const sourcesFound = await deps.sidecars.read(candidate.label);
  const acquisitionSources = {
    ...(sourcesFound.sidecar
      ? { sidecar: parseSidecarAcquisition(sourcesFound.sidecar.json, sourcesFound.sidecar.path) }
      : {}),
    ...(sourcesFound.stac
      ? { stac: parseStacAcquisition(sourcesFound.stac.json, sourcesFound.stac.path) }
      : {}),
    tags: parseTagAcquisition(description.tags, candidate.label),
    ...(options.flags ? { flags: options.flags } : {}),
  };
  const acquisition = mergeAcquisition(acquisitionSources, candidate.label);
  for (const field of overriddenFlags(acquisitionSources, acquisition)) {
    warnings.push(
      `${candidate.label}: the ${field} flag was not used; the ${acquisition.sources[field] ?? '?'} metadata beside or inside the file takes precedence`,
    );
  }

  let footprint: PolygonGeometry | null = null;
  let gsdMeters: number | null = null;
  if (description.crs !== null && description.geoTransform !== null) {
    const toLonLat = deps.crs.toLonLat(description.crs);
    footprint = footprintFromGeoTransform(
      description.width,
      description.height,
      description.geoTransform,
      toLonLat,
    );
    gsdMeters = gsdMetersAt(
      description.geoTransform,
      toLonLat,
      description.width / 2,
      description.height / 2,
    );
  } else {
    warnings.push(`${candidate.label}: no georeferencing; ingested as pixel-only imagery`);
  }
  const sites = await matchSites(deps.sites, footprint, options.siteId, candidate.label);

  const files = await storeFiles(deps.blobs, candidate, hashes, options);
  const bands: BandInfo[] = description.bandNames.map((name, index) => ({
    name,
    nativeGsdMeters: description.bandNativeGsdMeters[index] ?? gsdMeters,
    fileIndex: candidate.input.kind === 'band-set' ? index : 0,
    fileBand: candidate.input.kind === 'band-set' ? 0 : index,
  }));
  const record: ImageRecord = {
    schemaVersion: IMAGE_SCHEMA_VERSION,
    id: imageIdFromSha256(sha256),
    sha256,
    format: formatOf(candidate.input),
    width: description.width,
    height: description.height,
    bands,
    dataType: description.dataType,
    nodata: description.nodata,
    crs: description.crs,
    geoTransform: description.geoTransform,
    gsdMeters,
    footprint,
    acquisition,
    layout: description.layout,
    stats,
    files,
    sites,
    ingestedAt: deps.clock.nowIso(),
  };
  try {
    await deps.images.insert(record);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const raced = await deps.images.findBySha256(sha256);
    if (!raced) throw error;
    return { image: raced, duplicate: true, warnings };
  }
  return { image: record, duplicate: false, warnings };
}

/**
 * The image's identity: the raster file's sha256, or for a band set the sha256 over
 * `NAME:sha256\n` lines in band order.
 */
function imageSha256(
  candidate: IngestCandidate,
  hashes: readonly StoredBlob[],
  sha256Hex: (bytes: Uint8Array) => string,
): string {
  if (candidate.input.kind === 'band-set') {
    const lines = candidate.input.bands.map((b, i) => `${b.name}:${hashes[i]?.sha256 ?? ''}\n`);
    return sha256Hex(new TextEncoder().encode(lines.join('')));
  }
  const first = hashes[0];
  if (!first) throw new ValidationError(`${candidate.label}: no file to ingest`);
  return first.sha256;
}

async function computeStats(source: RasterSource, signal: AbortSignal | undefined) {
  const { width, height, bandNames, nodata } = source.description;
  const accumulator = createBandStatsAccumulator(bandNames.length, nodata);
  for (const window of tileWindows(width, height, width, STATS_WINDOW_ROWS)) {
    if (signal?.aborted) throw new CancelledError('ingest cancelled');
    const arrays = await source.readWindow(window, signal ? { signal } : {});
    arrays.forEach((samples, band) => {
      accumulator.add(band, samples);
    });
  }
  return accumulator.result();
}

async function matchSites(
  repository: SiteRepository,
  footprint: PolygonGeometry | null,
  siteId: string | undefined,
  label: string,
): Promise<string[]> {
  const all = await repository.list();
  if (siteId !== undefined && !all.some((s) => s.id === siteId)) {
    throw new NotFoundError(`--site ${siteId}: no such site in the catalog`);
  }
  if (footprint === null) return siteId === undefined ? [] : [siteId];
  const box = bboxOfGeometry(footprint);
  const matched = all
    .filter((s) => bboxesIntersect(box, bboxOfGeometry(s.geometry)))
    .filter((s) => geometriesIntersect(s.geometry, footprint))
    .map((s) => s.id);
  if (siteId !== undefined && !matched.includes(siteId)) {
    throw new ValidationError(
      `${label}: the image footprint does not intersect site "${siteId}"; check the site polygon or the image's CRS`,
    );
  }
  return matched.sort();
}

async function storeFiles(
  blobs: BlobStore,
  candidate: IngestCandidate,
  hashes: readonly StoredBlob[],
  options: IngestOptions,
): Promise<StoredFile[]> {
  const stored: StoredFile[] = [];
  for (const [index, file] of candidate.files.entries()) {
    const hashed = hashes[index];
    if (!hashed) throw new ValidationError(`${file.path}: missing hash`);
    const blob = options.link
      ? hashed
      : await blobs.put(file.path, options.signal ? { signal: options.signal } : {});
    if (blob.sha256 !== hashed.sha256) {
      throw new ConflictError(
        `${file.path}: the file changed while it was being ingested (sha256 ${hashed.sha256} then ${blob.sha256})`,
      );
    }
    stored.push({
      role: file.role,
      sha256: blob.sha256,
      sizeBytes: blob.sizeBytes,
      originalPath: file.path,
      storedPath: blob.path,
      linked: options.link === true,
    });
  }
  return stored;
}
