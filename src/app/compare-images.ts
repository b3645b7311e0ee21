/**
 * Use case: compare two ingested images of one place (A the earlier, the reference).
 *
 * Steps: resolve the grid (A's, or a site's local UTM grid) and pair the bands; read both
 * images strip by strip onto the grid once, caching the warped strips (in memory within a
 * budget, else in a temporary file: the {@link StripWorkspaceFactory}); co-register B onto A
 * (global translation on a decimated luminance, refined on full-resolution chips read window by
 * window, whose spread is the residual) and, when the shift is applied, re-read B; normalise B
 * to A radiometrically (IR-MAD invariant pixels, histogram matching, or none); compute the
 * change statistic (IR-MAD, 5 passes, or CVA) over the cached strips, the per-strip work run
 * by the workspace's runner (worker threads in the CLI);
 * threshold (automatic hysteresis levels, or the user's), clean up (open/close radius 1),
 * drop components under the minimum mapping unit — or, for the default method `combined`, compute both statistics
 * (per-image-standardised CVA and IR-MAD χ², B as read) and apply the rule of
 * `core/change/defaults.ts` (see `compare/combined-map.ts`); polygonise; write the outputs
 * into a private folder inside the output folder and move them into place; and only then
 * store the comparison in one transaction.
 * Any error or cancellation before the insert stores nothing and leaves no output and no
 * temporary file.
 *
 * Memory: the strips in flight, the cache when it fits its budget, plus per grid pixel a
 * Float32 magnitude, Uint8 validity and change masks and Int32 labels (about 14 bytes per
 * pixel), and the decimated co-registration images (at most 1024² floats each). `combined`
 * adds a Float32 χ² plane and, while its rule runs, three Float32 and two Float64 planes.
 */
import type { Site } from '../core/catalog/site.ts';
import {
  COMPARISON_SCHEMA_VERSION,
  type ChangeMethod,
  type Comparison,
  type ComparisonOutputs,
  type CombinedRuleParameters,
  type ComparisonParameters,
  type RegistrationResult,
  type ZoneChange,
} from '../core/change/comparison.ts';
import type { Position } from '../core/geo/types.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { withTranslation } from '../core/grid/approximate-mapping.ts';
import type { ImageRecord } from '../core/imagery/image.ts';
import { DEFAULT_CHANGE_CONFIG } from '../core/change/defaults.ts';
import { minimumMappingUnitPixels } from '../core/raster/connected-components.ts';
import { computeChangeField, IRMAD_ITERATIONS, type ChangeField } from './compare/change-field.ts';
import { combinedChangeMap, combinedGridConfig } from './compare/combined-map.ts';
import {
  DEFAULT_NORMALISE_METHOD,
  NORMALISE_METHODS,
  type NormaliseMethod,
  type NormalisationRecord,
} from './compare/normalise-pair.ts';
import { DecodedSources, cacheStrips, type ProgressListener } from './compare/strip-pipeline.ts';
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
  stripRows,
  throwIfCancelled,
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
  ScratchFolder,
  ScratchSpace,
  SiteRepository,
  StripLayout,
  StripWorkspace,
  StripWorkspaceFactory,
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
  /** Strip cache and per-strip kernel runner (worker threads, or in this thread). */
  readonly strips: StripWorkspaceFactory;
  /** Temporary folders (the spilled strip cache, outputs before they are moved into place). */
  readonly scratch: ScratchSpace;
}

export interface CompareRequest {
  /** Image id of the reference (earlier) image. */
  readonly imageA: string;
  /** Image id of the later image. */
  readonly imageB: string;
  readonly siteId?: string | undefined;
  /** Default {@link DEFAULT_CHANGE_METHOD}. */
  readonly method?: ChangeMethod | undefined;
  /**
   * Radiometric normalisation of B to A; default {@link DEFAULT_NORMALISE_METHOD}, and `none`
   * (the only one allowed) for `combined`, which standardises each image by its own statistics.
   */
  readonly normalise?: NormaliseMethod | undefined;
  /**
   * Overrides the automatic threshold on the magnitude (IR-MAD: Z; CVA: standardised ‖d‖).
   * Not allowed for `combined`, whose rule has two levels.
   */
  readonly threshold?: number | undefined;
  /**
   * Minimum mapping unit in m²; default 4 × GSD² (4 pixels), or for `combined` the rule's
   * 20 m². Not allowed for pixel-only images (4 pixels then).
   */
  readonly minMappingUnitM2?: number | undefined;
  /** Folder for the output files; none written without it. */
  readonly outDir?: string | undefined;
  /** Aborting it stops the comparison with a CancelledError, storing and leaving nothing. */
  readonly signal?: AbortSignal | undefined;
  /** Called as each stage advances, e.g. `{ stage: 'IR-MAD pass 3/5', done: 7, total: 16 }`. */
  readonly onProgress?: ProgressListener | undefined;
}

/** The stored parameters, with the radiometric normalisation applied to B. */
export type CompareParameters = ComparisonParameters & {
  readonly normalisation: NormalisationRecord;
};

export interface CompareResult {
  readonly comparison: Comparison & { readonly parameters: CompareParameters };
  readonly polygons: readonly ChangePolygon[];
  readonly normalisation: NormalisationRecord;
}

/** Prefix of a comparison's scratch folder in the data home's temporary folder. */
const SCRATCH_PREFIX = 'compare-';
/** Scratch folders of comparisons older than this whose process is gone are swept at start. */
export const ABANDONED_SCRATCH_AGE_MS = 24 * 60 * 60 * 1000;

/** Pixels in a component below which it is dropped, without a GSD. */
const PIXEL_ONLY_MIN_PIXELS = 4;

/** The method when the request names none: the rule measured in bench/eval-change. */
export const DEFAULT_CHANGE_METHOD: ChangeMethod = 'combined';

const CHANGE_METHODS: readonly ChangeMethod[] = ['combined', 'irmad', 'cva'];

/** The request's method, or the default. */
function methodOf(request: CompareRequest): ChangeMethod {
  return request.method ?? DEFAULT_CHANGE_METHOD;
}

/** The request's normalisation, or the method's default. */
function normaliseOf(request: CompareRequest): NormaliseMethod {
  return (
    request.normalise ?? (methodOf(request) === 'combined' ? 'none' : DEFAULT_NORMALISE_METHOD)
  );
}

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
  const method: string = methodOf(request);
  if (!(CHANGE_METHODS as readonly string[]).includes(method)) {
    throw new ValidationError(`method must be one of ${CHANGE_METHODS.join(', ')}; got ${method}`);
  }
  if (request.threshold !== undefined && !Number.isFinite(request.threshold)) {
    throw new ValidationError(`threshold must be a finite number; got ${request.threshold}`);
  }
  const normalise: string = normaliseOf(request);
  if (!(NORMALISE_METHODS as readonly string[]).includes(normalise)) {
    throw new ValidationError(
      `normalise must be one of ${NORMALISE_METHODS.join(', ')}; got ${normalise}`,
    );
  }
  if (method === 'combined' && request.threshold !== undefined) {
    throw new ValidationError(
      `a threshold (${request.threshold}) does not apply to the combined method, which has two levels (CVA mean square ${DEFAULT_CHANGE_CONFIG.cvaMeanSquareThreshold}, IR-MAD χ² quantile ${DEFAULT_CHANGE_CONFIG.irmadRobustProbability}); use method irmad or cva to set one`,
    );
  }
  if (method === 'combined' && normalise !== 'none') {
    throw new ValidationError(
      `normalise ${normalise} does not apply to the combined method, which standardises each image by its own mean and σ; use none, or method irmad or cva`,
    );
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
  const m2 =
    request.minMappingUnitM2 ??
    (methodOf(request) === 'combined'
      ? DEFAULT_CHANGE_CONFIG.minimumMappingUnitSquareMeters
      : 4 * gsdMeters * gsdMeters);
  return { m2, pixels: minimumMappingUnitPixels(m2, gsdMeters) };
}

/** What the detection produced, before outputs and storage. */
interface Detection {
  readonly registration: RegistrationResult;
  readonly field: ChangeField;
  readonly normalisation: NormalisationRecord;
  readonly threshold: number;
  /** The hysteresis seed level when above `threshold` (automatic irmad and cva), else null. */
  readonly seedThreshold: number | null;
  readonly combined: CombinedRuleParameters | null;
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
  strips: { readonly layout: StripLayout; readonly workspace: StripWorkspace },
  context: { readonly site: Site | null; readonly minPixels: number; lap(name: string): void },
): Promise<Detection> {
  const { layout, workspace } = strips;
  const { signal, onProgress } = request;
  const decodedB = new DecodedSources();
  const registration = await coregisterPair(pair, layout, workspace, {
    signal,
    onProgress,
    stage: 'reading and co-registering',
    decodedB,
  });
  if (registration.applied) {
    const mappingB = withTranslation(
      pair.b.mapping,
      registration.dx,
      registration.dy,
      'destination',
    );
    await cacheStrips(
      pair,
      layout,
      workspace,
      { sides: 'b', mappingB, decodedB },
      { signal, onProgress, stage: 'warping B shifted' },
      () => Promise.resolve(null),
    );
  }
  decodedB.inputs.clear();
  context.lap('coregistrationMs');
  let statistics: Awaited<ReturnType<typeof computeChangeField>> | null = await computeChangeField(
    pair,
    layout,
    workspace,
    {
      method: methodOf(request),
      normalise: normaliseOf(request),
      signal,
      onProgress,
    },
  );
  const { normalisation } = statistics;
  // No strip is read after this: free the cache before the full-grid change map.
  await workspace.close();
  context.lap('changeDetectionMs');
  throwIfCancelled(signal);
  onProgress?.({ stage: 'change map', done: 0, total: 1 });
  const { grid } = pair;
  const { field, threshold, seedThreshold, mask, combined } = changeMap(
    request,
    pair,
    statistics.field,
    context.minPixels,
  );
  statistics = null; // the combined χ² plane can go now

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
  onProgress?.({ stage: 'change map', done: 1, total: 1 });
  let changedPixels = 0;
  for (const v of mask) changedPixels += v;
  return {
    registration,
    field,
    normalisation,
    threshold,
    seedThreshold,
    combined,
    mask,
    polygons,
    zones,
    changedPixels,
  };
}

/**
 * The cleaned mask, the magnitude to report, and the threshold: the combined rule (magnitude:
 * smoothed CVA mean square over its level, threshold 1), or one threshold on the statistic.
 */
function changeMap(
  request: CompareRequest,
  pair: ComparisonPair,
  statistic: ChangeField,
  minPixels: number,
): {
  readonly field: ChangeField;
  readonly threshold: number;
  readonly seedThreshold: number | null;
  readonly mask: Uint8Array;
  readonly combined: CombinedRuleParameters | null;
} {
  const { grid, bandNames } = pair;
  const method = methodOf(request);
  if (method !== 'combined') {
    const levels = chooseThreshold(statistic, request.threshold ?? null, method, bandNames.length);
    const mask = cleanChangeMask(statistic, grid, levels, minPixels);
    const seeded = levels.seed > levels.grow && Number.isFinite(levels.seed);
    return {
      field: statistic,
      threshold: levels.grow,
      seedThreshold: seeded ? levels.seed : null,
      mask,
      combined: null,
    };
  }
  if (statistic.chiSquare === null) throw new ValidationError('combined: no IR-MAD statistic');
  const config = combinedGridConfig(DEFAULT_CHANGE_CONFIG, pair.gsdMeters).config;
  const map = combinedChangeMap(
    {
      cvaMagnitude: statistic.magnitude,
      chiSquare: statistic.chiSquare,
      valid: statistic.valid,
      width: grid.width,
      height: grid.height,
      bandCount: bandNames.length,
      gsdMeters: pair.gsdMeters,
    },
    DEFAULT_CHANGE_CONFIG,
    minPixels,
  );
  return {
    // The χ² plane was the rule's work plane: drop it so it can be collected.
    field: { ...statistic, magnitude: map.magnitude, chiSquare: null },
    threshold: 1,
    seedThreshold: null,
    mask: map.mask,
    combined: {
      neighbourhoodRadiusMeters: config.neighbourhoodRadiusMeters,
      neighbourhoodRadiusPx: map.neighbourhoodRadiusPx,
      cvaMeanSquareThreshold: config.cvaMeanSquareThreshold,
      irmadRobustProbability: config.irmadRobustProbability,
      chiSquareThreshold: map.chiSquareThreshold,
    },
  };
}

function parametersOf(
  request: CompareRequest,
  site: Site | null,
  pair: ComparisonPair,
  found: Pick<Detection, 'threshold' | 'seedThreshold' | 'combined' | 'normalisation'>,
  mmu: { readonly m2: number | null; readonly pixels: number },
): CompareParameters {
  const method = methodOf(request);
  const { threshold, seedThreshold, combined, normalisation } = found;
  return {
    method,
    siteId: site?.id ?? null,
    thresholdOverride: request.threshold ?? null,
    threshold,
    ...(seedThreshold === null ? {} : { seedThreshold }),
    minMappingUnitM2: mmu.m2,
    minMappingUnitPixels: mmu.pixels,
    irmadIterations: method === 'irmad' || method === 'combined' ? IRMAD_ITERATIONS : null,
    morphologyRadiusPx:
      method === 'combined' ? DEFAULT_CHANGE_CONFIG.morphologyRadiusPx : MORPHOLOGY_RADIUS_PX,
    reliabilityThreshold: RELIABILITY_THRESHOLD,
    siteBufferMeters: site === null ? null : SITE_BUFFER_METERS,
    bands: pair.bandNames,
    resampling: 'bilinear',
    normalisation,
    ...(combined === null ? {} : { combined }),
  };
}

/**
 * Compares two ingested images and stores the comparison (after the outputs are written).
 * @throws NotFoundError for an unknown image or site; ValidationError naming the images when
 *   they do not overlap, share no band, are pixel-only of different sizes or share no valid
 *   pixel, or for bad options; the signal's reason when aborted. Nothing is stored then.
 */
/** Writes the outputs into a private folder inside `outDir`, then moves them into place. */
async function publishOutputs(
  deps: CompareDeps,
  request: CompareRequest & { readonly outDir: string },
  content: Parameters<typeof writeComparisonOutputs>[2],
  folders: ScratchFolder[],
): Promise<ComparisonOutputs> {
  const { signal, onProgress } = request;
  onProgress?.({ stage: 'writing outputs', done: 0, total: 1 });
  const dir = await deps.files.ensureDir(request.outDir);
  const staging = await deps.scratch.createFolder(dir, '.sitewatch-partial-');
  folders.push(staging);
  const staged = await writeComparisonOutputs(deps.files, staging.path, content, signal);
  throwIfCancelled(signal);
  const outputs: ComparisonOutputs = {
    changeMask: deps.files.join(dir, 'change-mask.tif'),
    changeMagnitude: deps.files.join(dir, 'change-magnitude.tif'),
    changes: deps.files.join(dir, 'changes.geojson'),
    registration: deps.files.join(dir, 'registration.json'),
  };
  for (const key of Object.keys(outputs) as (keyof ComparisonOutputs)[]) {
    await staging.move(staged[key], outputs[key]);
  }
  onProgress?.({ stage: 'writing outputs', done: 1, total: 1 });
  return outputs;
}

/**
 * Compares two ingested images and stores the comparison (after the outputs are written).
 * @throws NotFoundError for an unknown image or site; ValidationError naming the images when
 *   they do not overlap, share no band, are pixel-only of different sizes or share no valid
 *   pixel, or for bad options; CancelledError when the signal aborts. Nothing is stored then,
 *   and no output or temporary file is left.
 */
export async function compareImages(
  deps: CompareDeps,
  request: CompareRequest,
): Promise<CompareResult> {
  checkRequest(request);
  const started = deps.clock.nowIso();
  const { a, b, site } = await loadInputs(deps, request);
  throwIfCancelled(request.signal);
  const pair = await openComparisonPair(deps, a, b, site);
  const folders: ScratchFolder[] = [];
  let workspace: StripWorkspace | null = null;
  try {
    const watch = stopwatch(deps.clock);
    const mmu = mappingUnit(request, pair.gsdMeters, `${a.id} and ${b.id}`);
    const layout: StripLayout = {
      gridWidth: pair.grid.width,
      strips: [...stripRows(pair.grid.height)],
      bandCount: pair.bandNames.length,
    };
    await deps.scratch.removeAbandoned(SCRATCH_PREFIX, ABANDONED_SCRATCH_AGE_MS);
    const scratch = await deps.scratch.createFolder(null, SCRATCH_PREFIX);
    folders.push(scratch);
    workspace = await deps.strips.open(layout, scratch.path);
    const found = await detectChange(
      deps,
      request,
      pair,
      { layout, workspace },
      {
        site,
        minPixels: mmu.pixels,
        lap: (name) => {
          watch.lap(name);
        },
      },
    );
    await workspace.close();
    let outputs: ComparisonOutputs | null = null;
    if (request.outDir !== undefined) {
      const content = {
        grid: pair.grid,
        field: found.field,
        mask: found.mask,
        polygons: found.polygons,
        registration: found.registration,
        imageA: a.id,
        imageB: b.id,
      };
      outputs = await publishOutputs(
        deps,
        { ...request, outDir: request.outDir },
        content,
        folders,
      );
      watch.lap('outputsMs');
    }
    const parameters = parametersOf(request, site, pair, found, mmu);
    const createdAt = deps.clock.nowIso();
    const timingsMs = { ...watch.timingsMs, totalMs: Date.parse(createdAt) - Date.parse(started) };
    const idSource = `${a.sha256}\n${b.sha256}\n${JSON.stringify(parameters)}\n${createdAt}`;
    const { validPixels } = found.field;
    const comparison = {
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
    } satisfies Comparison;
    await deps.comparisons.insert(comparison);
    return { comparison, polygons: found.polygons, normalisation: found.normalisation };
  } finally {
    await workspace?.close();
    await Promise.allSettled(folders.map((folder) => folder.remove()));
    await pair.close();
  }
}
