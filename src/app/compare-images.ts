/**
 * Use case: compare two ingested images of one place (A the earlier, the reference).
 *
 * Steps: resolve the grid (A's, or a site's local UTM grid) and pair the bands; read both
 * images strip by strip onto the grid (B through its pixel mapping); co-register B onto A
 * (global translation on a decimated luminance, local tile residuals); compute the change
 * statistic (IR-MAD, 5 passes, or CVA); threshold (Otsu, or the user's), clean up (open/close
 * radius 1), drop components under the minimum mapping unit; polygonise; write the outputs;
 * and only then store the comparison in one transaction. Any error before the insert stores
 * nothing.
 *
 * Memory: one strip (512 grid rows) of both images, plus per grid pixel a Float32 magnitude,
 * Uint8 validity and change masks and Int32 labels (about 14 bytes per pixel), and the
 * decimated co-registration images (at most 1024² floats each).
 */
import type { Site } from '../core/catalog/site.ts';
import {
  COMPARISON_SCHEMA_VERSION,
  type ChangeMethod,
  type Comparison,
  type ComparisonOutputs,
  type ComparisonParameters,
  type RegistrationResult,
  type ZoneChange,
} from '../core/change/comparison.ts';
import type { Position } from '../core/geo/types.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { withTranslation } from '../core/grid/approximate-mapping.ts';
import type { ImageRecord } from '../core/imagery/image.ts';
import { minimumMappingUnitPixels } from '../core/raster/connected-components.ts';
import { computeChangeField, IRMAD_ITERATIONS, type ChangeField } from './compare/change-field.ts';
import {
  MORPHOLOGY_RADIUS_PX,
  changePolygons,
  chooseThreshold,
  cleanChangeMask,
  zoneChanges,
  type ChangePolygon,
} from './compare/change-map.ts';
import {
  SITE_BUFFER_METERS,
  crsTransform,
  openComparisonPair,
  type ComparisonPair,
} from './compare/comparison-pair.ts';
import { RELIABILITY_THRESHOLD, coregisterPair } from './compare/coregister-pair.ts';
import { writeComparisonOutputs } from './compare/write-outputs.ts';
import type {
  Clock,
  ComparisonRepository,
  CrsRegistry,
  ImageRepository,
  OutputFiles,
  RasterOpenLimits,
  RasterOpener,
  SiteRepository,
} from './ports.ts';

export interface CompareDeps {
  readonly images: ImageRepository;
  readonly sites: SiteRepository;
  readonly comparisons: ComparisonRepository;
  readonly opener: RasterOpener;
  readonly crs: CrsRegistry;
  readonly limits: RasterOpenLimits;
  readonly clock: Clock;
  readonly files: OutputFiles;
  /** SHA-256 of bytes, lower-case hex (for the comparison id). */
  readonly sha256Hex: (bytes: Uint8Array) => string;
  /** sitewatch's version, recorded as provenance. */
  readonly softwareVersion: string;
}

export interface CompareRequest {
  /** Image id of the reference (earlier) image. */
  readonly imageA: string;
  /** Image id of the later image. */
  readonly imageB: string;
  readonly siteId?: string | undefined;
  readonly method: ChangeMethod;
  /** Overrides the automatic threshold on the magnitude (IR-MAD: Z; CVA: standardised ‖d‖). */
  readonly threshold?: number | undefined;
  /** Minimum mapping unit in m²; default 4 × GSD² (4 pixels). Not allowed for pixel-only images. */
  readonly minMappingUnitM2?: number | undefined;
  /** Folder for the output files; none written without it. */
  readonly outDir?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Called at each stage, e.g. `('irmad pass', 3)`. */
  readonly onProgress?: ((stage: string, step?: number) => void) | undefined;
}

export interface CompareResult {
  readonly comparison: Comparison;
  readonly polygons: readonly ChangePolygon[];
}

/** Pixels in a component below which it is dropped, without a GSD. */
const PIXEL_ONLY_MIN_PIXELS = 4;

async function loadInputs(
  deps: CompareDeps,
  request: CompareRequest,
): Promise<{ a: ImageRecord; b: ImageRecord; site: Site | null }> {
  const a = await deps.images.get(request.imageA);
  if (a === undefined) throw new NotFoundError(`image "${request.imageA}" not found`);
  const b = await deps.images.get(request.imageB);
  if (b === undefined) throw new NotFoundError(`image "${request.imageB}" not found`);
  let site: Site | null = null;
  if (request.siteId !== undefined) {
    site = (await deps.sites.get(request.siteId)) ?? null;
    if (site === null) throw new NotFoundError(`site "${request.siteId}" not found`);
  }
  return { a, b, site };
}

function checkRequest(request: CompareRequest): void {
  const method: string = request.method;
  if (method !== 'irmad' && method !== 'cva') {
    throw new ValidationError(`method must be irmad or cva; got ${method}`);
  }
  if (request.threshold !== undefined && !Number.isFinite(request.threshold)) {
    throw new ValidationError(`threshold must be a finite number; got ${request.threshold}`);
  }
  const mmu = request.minMappingUnitM2;
  if (mmu !== undefined && !(Number.isFinite(mmu) && mmu >= 0)) {
    throw new ValidationError(`minimum mapping unit must be a finite area ≥ 0 m²; got ${mmu}`);
  }
}

function mappingUnit(
  request: CompareRequest,
  gsdMeters: number | null,
  ids: string,
): { readonly m2: number | null; readonly pixels: number } {
  if (gsdMeters === null) {
    if (request.minMappingUnitM2 !== undefined) {
      throw new ValidationError(
        `a minimum mapping unit in m² needs georeferenced images; ${ids} have no GSD`,
      );
    }
    return { m2: null, pixels: PIXEL_ONLY_MIN_PIXELS };
  }
  const m2 = request.minMappingUnitM2 ?? 4 * gsdMeters * gsdMeters;
  return { m2, pixels: minimumMappingUnitPixels(m2, gsdMeters) };
}

/** What the detection produced, before outputs and storage. */
interface Detection {
  readonly registration: RegistrationResult;
  readonly field: ChangeField;
  readonly threshold: number;
  readonly mask: Uint8Array;
  readonly polygons: ChangePolygon[];
  readonly zones: ZoneChange[];
  readonly changedPixels: number;
}

/** Stopwatch over the injected clock: `lap(name)` records ms since the previous lap. */
function stopwatch(clock: Clock): {
  lap(name: string): void;
  readonly timingsMs: Record<string, number>;
} {
  const timingsMs: Record<string, number> = {};
  let mark = clock.nowIso();
  return {
    timingsMs,
    lap(name) {
      const now = clock.nowIso();
      timingsMs[name] = Date.parse(now) - Date.parse(mark);
      mark = now;
    },
  };
}

async function detectChange(
  deps: CompareDeps,
  request: CompareRequest,
  pair: ComparisonPair,
  context: { readonly site: Site | null; readonly minPixels: number; lap(name: string): void },
): Promise<Detection> {
  request.onProgress?.('co-registration');
  const registration = await coregisterPair(pair, request.signal);
  context.lap('coregistrationMs');
  const mappingB = registration.applied
    ? withTranslation(pair.b.mapping, registration.dx, registration.dy, 'destination')
    : pair.b.mapping;
  const field = await computeChangeField(pair, {
    method: request.method,
    mappingB,
    signal: request.signal,
    onPass: (pass) => request.onProgress?.(`${request.method} pass`, pass),
  });
  context.lap('changeDetectionMs');
  const { grid, bandNames } = pair;
  const threshold = chooseThreshold(
    field,
    request.threshold ?? null,
    request.method,
    bandNames.length,
  );
  const mask = cleanChangeMask(field, grid, threshold, context.minPixels);
  const zoneList = context.site?.zones ?? [];
  const geographic = grid.geoTransform !== null && grid.crs !== null;
  const identity = (p: Position): Position => p;
  const toLonLat = geographic ? (crsTransform(deps.crs, grid.crs, 'EPSG:4326') ?? identity) : null;
  const polygons = changePolygons(mask, field, grid, toLonLat, zoneList);
  const zones = geographic
    ? zoneChanges(
        mask,
        field.valid,
        grid,
        crsTransform(deps.crs, 'EPSG:4326', grid.crs) ?? identity,
        zoneList,
      )
    : [];
  context.lap('mappingMs');
  let changedPixels = 0;
  for (const v of mask) changedPixels += v;
  return { registration, field, threshold, mask, polygons, zones, changedPixels };
}

function parametersOf(
  request: CompareRequest,
  site: Site | null,
  pair: ComparisonPair,
  threshold: number,
  mmu: { readonly m2: number | null; readonly pixels: number },
): ComparisonParameters {
  return {
    method: request.method,
    siteId: site?.id ?? null,
    thresholdOverride: request.threshold ?? null,
    threshold,
    minMappingUnitM2: mmu.m2,
    minMappingUnitPixels: mmu.pixels,
    irmadIterations: request.method === 'irmad' ? IRMAD_ITERATIONS : null,
    morphologyRadiusPx: MORPHOLOGY_RADIUS_PX,
    reliabilityThreshold: RELIABILITY_THRESHOLD,
    siteBufferMeters: site === null ? null : SITE_BUFFER_METERS,
    bands: pair.bandNames,
    resampling: 'bilinear',
  };
}

/**
 * Compares two ingested images and stores the comparison (after the outputs are written).
 * @throws NotFoundError for an unknown image or site; ValidationError naming the images when
 *   they do not overlap, share no band, are pixel-only of different sizes or share no valid
 *   pixel, or for bad options; the signal's reason when aborted. Nothing is stored then.
 */
export async function compareImages(
  deps: CompareDeps,
  request: CompareRequest,
): Promise<CompareResult> {
  checkRequest(request);
  const started = deps.clock.nowIso();
  const { a, b, site } = await loadInputs(deps, request);
  const pair = await openComparisonPair(deps, a, b, site);
  try {
    const watch = stopwatch(deps.clock);
    const mmu = mappingUnit(request, pair.gsdMeters, `${a.id} and ${b.id}`);
    const found = await detectChange(deps, request, pair, {
      site,
      minPixels: mmu.pixels,
      lap: (name) => {
        watch.lap(name);
      },
    });
    let outputs: ComparisonOutputs | null = null;
    if (request.outDir !== undefined) {
      request.onProgress?.('writing outputs');
      outputs = await writeComparisonOutputs(deps.files, request.outDir, {
        grid: pair.grid,
        field: found.field,
        mask: found.mask,
        polygons: found.polygons,
        registration: found.registration,
        imageA: a.id,
        imageB: b.id,
      });
      watch.lap('outputsMs');
    }
    const parameters = parametersOf(request, site, pair, found.threshold, mmu);
    const createdAt = deps.clock.nowIso();
    const timingsMs = { ...watch.timingsMs, totalMs: Date.parse(createdAt) - Date.parse(started) };
    const idSource = `${a.sha256}\n${b.sha256}\n${JSON.stringify(parameters)}\n${createdAt}`;
    const { validPixels } = found.field;
    const comparison: Comparison = {
      schemaVersion: COMPARISON_SCHEMA_VERSION,
      id: `cmp_${deps.sha256Hex(new TextEncoder().encode(idSource)).slice(0, 16)}`,
      imageA: a.id,
      imageB: b.id,
      sha256A: a.sha256,
      sha256B: b.sha256,
      createdAt,
      parameters,
      grid: { ...pair.grid, gsdMeters: pair.gsdMeters },
      registration: found.registration,
      changedFraction: validPixels > 0 ? found.changedPixels / validPixels : 0,
      validPixels,
      changedPixels: found.changedPixels,
      polygonCount: found.polygons.length,
      zones: found.zones,
      outputs,
      softwareVersion: deps.softwareVersion,
      timingsMs,
    };
    await deps.comparisons.insert(comparison);
    return { comparison, polygons: found.polygons };
  } finally {
    await pair.close();
  }
}
