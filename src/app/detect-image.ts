/**
 * Use case: find and count objects in one ingested image (`sitewatch detect`).
 *
 * Steps: resolve the image, the site and the model (an ONNX detector with its descriptor, or
 * the model-free top-hat baseline); map the image's bands to the model's by canonical name;
 * lay a detection grid over the image at the model's GSD (the source scaled by
 * model GSD / image GSD, corners aligned) and tile it with overlap over the region (the site
 * polygon's window, or the whole image), dropping tiles outside the site polygon; then per
 * batch of tiles: read and resample the source windows, skip all-nodata tiles, normalise,
 * infer (optionally with horizontal and vertical flips), decode, keep the detections whose
 * centre lies in the part of the tile it owns (overlaps split halfway) and on valid pixels,
 * NMS within the tile. Afterwards: NMS across tiles (rotated IoU), detections outside the site
 * polygon dropped, boxes mapped to source pixels and to lon/lat, counts per zone and class
 * with each zone's observable area. Outputs are written first; then the run and its
 * detections are stored in one transaction. Any error or a cancel before that stores nothing.
 *
 * Batches are pipelined: while the detector's thread runs batch k, the main thread reads,
 * resamples and normalises batch k + 1 straight into the other of two input buffers.
 *
 * Memory: two model inputs (B × C × H × W float32, shared with the detector's thread), one
 * resampling plane, the source windows of a batch, a cache of decoded source blocks (two
 * block rows of the region, at most 256 MiB), plus the detections; never the whole image.
 */
import type { Site } from '../core/catalog/site.ts';
import { checkInputShape, checkOutputShapes } from '../core/detect/descriptor.ts';
import { decodeOutputs } from '../core/detect/decode.ts';
import type { Detection, ModelDescriptor, OutputTensor } from '../core/detect/detection.ts';
import { nonMaximumSuppression } from '../core/detect/nms.ts';
import { orientedBoxCorners } from '../core/detect/rotated-iou.ts';
import {
  flipBoxes,
  flipPlanar,
  planTiles,
  toImagePixels,
  type TileFlip,
} from '../core/detect/tiling.ts';
import { TOPHAT_CLASSES, detectCompactBlobs, luminance } from '../core/detect/tophat.ts';
import { CancelledError, NotFoundError, ValidationError } from '../core/errors.ts';
import { pointInPolygonalGeometry, geometriesIntersect } from '../core/geo/relations.ts';
import type { PolygonalGeometry } from '../core/geo/types.ts';
import { canonicalBandNames } from '../core/grid/match-bands.ts';
import type { ImageRecord } from '../core/imagery/image.ts';
import type { PixelWindow, RasterSource } from '../core/raster/raster.ts';
import { rasterInputOf } from './compare/raster-input.ts';
import { BlockCachedSource } from './detect/block-cache.ts';
import {
  DETECTION_RUN_SCHEMA_VERSION,
  type DetectionModelRef,
  type DetectionParameters,
  type DetectionRun,
  type StoredDetection,
  type ZoneCount,
} from './detect/detection-run.ts';
import { writeDetectionsGeoJson } from './detect/detections-geojson.ts';
import {
  cornersToLonLat,
  geometryToPixels,
  imageGeoreference,
  regionWindow,
  windowPolygon,
  type ImageGeoreference,
} from './detect/image-geometry.ts';
import { ObservableAreaSampler, ownedWindows, type PixelZone } from './detect/observable-area.ts';
import {
  channelNormalisers,
  readTileIntoInput,
  readTilePixels,
  type ChannelNormaliser,
  type InputSlot,
  type TileMask,
  type TilePixels,
} from './detect/tile-pixels.ts';
import type {
  Clock,
  CrsRegistry,
  DetectionRepository,
  DetectorFactory,
  ImageRepository,
  InstalledModel,
  ModelRegistry,
  ObjectDetector,
  OutputFiles,
  RasterOpenLimits,
  RasterOpener,
  SiteRepository,
} from './ports.ts';

/** The model `detect` uses when none is named. */
export const DEFAULT_MODEL_ID = 'sitewatch-vehicles';
export const DEFAULT_MIN_SCORE = 0.3;
/** Tiles per inference call when the model's batch dimension is dynamic. */
export const DEFAULT_BATCH_SIZE = 4;
/** Tile overlap as a fraction of the tile side. */
export const OVERLAP_FRACTION = 1 / 8;
/** The baseline's tile side (it has no input size), grid pixels. */
export const BASELINE_TILE_PX = 512;
/** The baseline never works finer than this (its morphology grows with 1/GSD), metres. */
export const BASELINE_MIN_GSD_METERS = 0.3;
/** The longest object the baseline looks for (its default maxLengthMeters), metres. */
const BASELINE_MAX_OBJECT_METERS = 20;

export interface DetectDeps {
  readonly images: ImageRepository;
  readonly sites: SiteRepository;
  readonly detections: DetectionRepository;
  readonly models: ModelRegistry;
  readonly detectors: DetectorFactory;
  readonly opener: RasterOpener;
  readonly crs: CrsRegistry;
  readonly limits: RasterOpenLimits;
  readonly clock: Clock;
  /** Monotonic milliseconds (sub-millisecond resolution), for the timings. */
  readonly elapsedMs: () => number;
  readonly files: OutputFiles;
  readonly sha256Hex: (bytes: Uint8Array) => string;
  readonly softwareVersion: string;
}

export interface DetectProgress {
  readonly stage: 'opening' | 'detecting' | 'merging' | 'writing' | 'storing';
  readonly tilesDone: number;
  readonly tilesTotal: number;
}

export interface DetectRequest {
  readonly imageId: string;
  readonly siteId?: string | undefined;
  /** Model id or path; default {@link DEFAULT_MODEL_ID}. */
  readonly model?: string | undefined;
  /** Keep only these classes (names of the model's). */
  readonly classes?: readonly string[] | undefined;
  readonly minScore?: number | undefined;
  /** Metres per pixel of the image: required for pixel-only images, overrides otherwise. */
  readonly gsdMeters?: number | undefined;
  /** Test-time augmentation: also infer on horizontally and vertically flipped tiles. */
  readonly testTimeFlips?: boolean | undefined;
  readonly batchSize?: number | undefined;
  readonly outDir?: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: DetectProgress) => void) | undefined;
}

export interface DetectResult {
  readonly run: DetectionRun;
  readonly detections: readonly StoredDetection[];
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new CancelledError('detection cancelled; nothing was stored', { cause: signal.reason });
  }
}

function checkRequest(request: DetectRequest): void {
  const { minScore, gsdMeters, batchSize } = request;
  if (minScore !== undefined && !(minScore >= 0 && minScore <= 1)) {
    throw new ValidationError(`min score must be in [0, 1]; got ${minScore}`);
  }
  if (gsdMeters !== undefined && !(Number.isFinite(gsdMeters) && gsdMeters > 0)) {
    throw new ValidationError(`GSD must be a positive number of metres; got ${gsdMeters}`);
  }
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new ValidationError(`batch size must be a positive integer; got ${batchSize}`);
  }
}

async function resolveModel(deps: DetectDeps, ref: string | undefined): Promise<InstalledModel> {
  try {
    return await deps.models.resolve(ref ?? DEFAULT_MODEL_ID);
  } catch (error) {
    if (ref === undefined && error instanceof NotFoundError) {
      throw new NotFoundError(
        `the default model "${DEFAULT_MODEL_ID}" is not installed; add one with "sitewatch models add MODEL.onnx --descriptor FILE" and pass --model ID, or use --model tophat-baseline (no model file needed)`,
        { cause: error },
      );
    }
    throw error;
  }
}

/** Image band index per model channel, by canonical name. */
function mapBands(image: ImageRecord, wanted: readonly string[], modelId: string): number[] {
  const names = image.bands.map((b) => b.name);
  const canonical = canonicalBandNames(names, image.acquisition.sensor);
  const want = canonicalBandNames(wanted);
  const single = canonical.length === 1 ? canonical[0] : undefined;
  const missing: string[] = [];
  const indexes = want.map((name, c) => {
    const index = canonical.indexOf(name);
    if (index >= 0) return index;
    // A single grey or panchromatic band feeds every visible channel.
    if (
      (single === 'gray' || single === 'pan') &&
      (name === 'red' || name === 'green' || name === 'blue')
    ) {
      return 0;
    }
    missing.push(wanted[c] ?? String(name));
    return -1;
  });
  if (missing.length > 0) {
    throw new ValidationError(
      `image ${image.id} lacks band(s) ${missing.join(', ')} that model "${modelId}" needs: the model takes [${wanted.join(', ')}], the image has [${names.join(', ')}]`,
    );
  }
  return indexes;
}

function checkClasses(
  requested: readonly string[] | undefined,
  modelClasses: readonly string[],
  modelId: string,
): Set<string> | null {
  if (requested === undefined || requested.length === 0) return null;
  const unknown = requested.filter((c) => !modelClasses.includes(c));
  if (unknown.length > 0) {
    throw new ValidationError(
      `class(es) ${unknown.join(', ')} not among model "${modelId}"'s classes [${modelClasses.join(', ')}]`,
    );
  }
  return new Set(requested);
}

/** The detector a run uses: a loaded ONNX model or the baseline. */
type Engine =
  | {
      readonly kind: 'onnx';
      readonly descriptor: ModelDescriptor;
      readonly detector: ObjectDetector;
      readonly batch: number;
      readonly normalisers: ChannelNormaliser[];
    }
  | { readonly kind: 'tophat'; readonly gridGsdMeters: number };

/** Everything fixed before the tiles run. */
interface RunPlan {
  readonly image: ImageRecord;
  readonly site: Site | null;
  readonly model: InstalledModel;
  readonly georef: ImageGeoreference | null;
  readonly imageGsdMeters: number;
  /** Source pixels per grid pixel. */
  readonly scale: number;
  readonly gridWidth: number;
  readonly gridHeight: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly overlapPx: number;
  /** Image band per channel. */
  readonly bands: readonly number[];
  readonly classes: Set<string> | null;
  readonly minScore: number;
  readonly nmsIou: number;
  /** Site polygon in source pixels, or null for the whole image. */
  readonly regionPolygon: PolygonalGeometry | null;
  readonly zones: readonly PixelZone[];
  readonly tiles: readonly PixelWindow[];
  readonly owned: ReadonlyMap<string, PixelWindow>;
}

async function loadInputs(
  deps: DetectDeps,
  request: DetectRequest,
): Promise<{ image: ImageRecord; site: Site | null; model: InstalledModel }> {
  const image = await deps.images.get(request.imageId);
  if (image === undefined) throw new NotFoundError(`image "${request.imageId}" not found`);
  let site: Site | null = null;
  if (request.siteId !== undefined) {
    site = (await deps.sites.get(request.siteId)) ?? null;
    if (site === null) throw new NotFoundError(`site "${request.siteId}" not found`);
  }
  const model = await resolveModel(deps, request.model);
  return { image, site, model };
}

function imageGsd(image: ImageRecord, override: number | undefined): number {
  const gsd = override ?? image.gsdMeters;
  if (gsd === null || !(gsd > 0)) {
    throw new ValidationError(
      `image ${image.id} has no georeferencing, so its ground sample distance is unknown: pass --gsd METRES (metres per pixel)`,
    );
  }
  return gsd;
}

function planRun(
  deps: DetectDeps,
  request: DetectRequest,
  inputs: { image: ImageRecord; site: Site | null; model: InstalledModel },
): RunPlan {
  const { image, site, model } = inputs;
  const gsd = imageGsd(image, request.gsdMeters);
  const georef = imageGeoreference(image, deps.crs);
  if (site !== null && georef === null) {
    throw new ValidationError(
      `cannot detect over site ${site.id} in image ${image.id}: the image is not georeferenced`,
    );
  }
  let scale: number;
  let tileWidth: number;
  let tileHeight: number;
  let bands: number[];
  let nmsIou: number;
  let modelClasses: readonly string[];
  if (model.kind === 'onnx') {
    const d = model.descriptor;
    scale = d.gsdMeters / gsd;
    tileWidth = d.inputWidth;
    tileHeight = d.inputHeight;
    bands = mapBands(image, d.bands, d.id);
    nmsIou = d.nmsIou;
    modelClasses = d.classes;
  } else {
    scale = Math.max(1, BASELINE_MIN_GSD_METERS / gsd);
    tileWidth = BASELINE_TILE_PX;
    tileHeight = BASELINE_TILE_PX;
    bands = image.bands.length >= 3 ? [0, 1, 2] : [0];
    nmsIou = 0.3;
    modelClasses = TOPHAT_CLASSES;
  }
  const classes = checkClasses(request.classes, modelClasses, model.id);
  const gridWidth = Math.max(1, Math.ceil(image.width / scale));
  const gridHeight = Math.max(1, Math.ceil(image.height / scale));
  let overlapPx = Math.round(Math.min(tileWidth, tileHeight) * OVERLAP_FRACTION);
  if (model.kind === 'tophat') {
    const objectPx = Math.ceil(BASELINE_MAX_OBJECT_METERS / (gsd * scale));
    overlapPx = Math.min(Math.floor(BASELINE_TILE_PX / 2), Math.max(overlapPx, objectPx));
  }
  let regionPolygon: PolygonalGeometry | null = null;
  let region: PixelWindow | undefined;
  const zones: PixelZone[] = [];
  if (site !== null && georef !== null) {
    regionPolygon = geometryToPixels(site.geometry, georef);
    const sourceRegion = regionWindow(regionPolygon, image, `site ${site.id}`);
    region = {
      col0: Math.floor(sourceRegion.col0 / scale),
      row0: Math.floor(sourceRegion.row0 / scale),
      width:
        Math.ceil((sourceRegion.col0 + sourceRegion.width) / scale) -
        Math.floor(sourceRegion.col0 / scale),
      height:
        Math.ceil((sourceRegion.row0 + sourceRegion.height) / scale) -
        Math.floor(sourceRegion.row0 / scale),
    };
    zones.push({ id: 'all', polygon: regionPolygon });
    for (const zone of site.zones) {
      zones.push({ id: zone.id, polygon: geometryToPixels(zone.geometry, georef) });
    }
  } else {
    zones.push({ id: 'all', polygon: null });
  }
  const all = planTiles({
    width: gridWidth,
    height: gridHeight,
    tileWidth,
    tileHeight,
    overlapPx,
    region,
  });
  const polygon = regionPolygon;
  const tiles =
    polygon === null
      ? all
      : all.filter((t) =>
          geometriesIntersect(
            windowPolygon({
              col0: t.col0 * scale,
              row0: t.row0 * scale,
              width: t.width * scale,
              height: t.height * scale,
            }),
            polygon,
          ),
        );
  return {
    image,
    site,
    model,
    georef,
    imageGsdMeters: gsd,
    scale,
    gridWidth,
    gridHeight,
    tileWidth,
    tileHeight,
    overlapPx,
    bands,
    classes,
    minScore: request.minScore ?? DEFAULT_MIN_SCORE,
    nmsIou,
    regionPolygon,
    zones,
    tiles,
    owned: ownedWindows(all),
  };
}

async function openEngine(
  deps: DetectDeps,
  plan: RunPlan,
  requestedBatch: number | undefined,
): Promise<Engine> {
  const model = plan.model;
  if (model.kind === 'tophat') {
    return { kind: 'tophat', gridGsdMeters: plan.imageGsdMeters * plan.scale };
  }
  const descriptor = model.descriptor;
  const detector = await deps.detectors.open(model.modelPath);
  try {
    const input = detector.inputs[0];
    if (input === undefined || detector.inputs.length !== 1) {
      throw new ValidationError(
        `model "${model.id}" (${model.modelPath}) must take exactly one input; it has ${detector.inputs.length}`,
      );
    }
    checkInputShape(descriptor, input.dims);
    checkOutputShapes(descriptor, detector.outputs);
    const fixedBatch = input.dims[0] ?? -1;
    const batch = fixedBatch > 0 ? fixedBatch : (requestedBatch ?? DEFAULT_BATCH_SIZE);
    const stats = plan.bands.map((b) => plan.image.stats[b]);
    return {
      kind: 'onnx',
      descriptor,
      detector,
      batch,
      normalisers: channelNormalisers(descriptor, stats),
    };
  } catch (error) {
    await detector.close();
    throw error;
  }
}

/** Whether grid position (x, y) lies in the tile's owned window. */
function ownsCentre(owned: PixelWindow | undefined, x: number, y: number): boolean {
  if (owned === undefined) return true;
  return (
    x >= owned.col0 &&
    x < owned.col0 + owned.width &&
    y >= owned.row0 &&
    y < owned.row0 + owned.height
  );
}

/** Detections of one tile in tile (model input) pixels → kept ones in source pixels. */
function keepTileDetections(
  plan: RunPlan,
  pixels: TileMask,
  found: readonly Detection[],
): Detection[] {
  const { tile } = pixels;
  const owned = plan.owned.get(`${tile.col0},${tile.row0}`);
  const kept: Detection[] = [];
  for (const d of found) {
    if (plan.classes !== null && !plan.classes.has(d.className)) continue;
    const i = Math.floor(d.box.cx);
    const j = Math.floor(d.box.cy);
    if (i < 0 || j < 0 || i >= tile.width || j >= tile.height) continue;
    if (pixels.valid[j * tile.width + i] !== 1) continue;
    if (!ownsCentre(owned, tile.col0 + d.box.cx, tile.row0 + d.box.cy)) continue;
    kept.push({ ...d, box: toImagePixels(d.box, tile, plan.scale) });
  }
  return kept;
}

const FLIPS: readonly TileFlip[] = ['horizontal', 'vertical'];

/** The outputs of one inference call: on the batch as packed, or flipped. */
interface VariantOutputs {
  readonly flip: TileFlip | null;
  readonly outputs: OutputTensor[];
}

/** Runs the model on a packed batch (and, with test-time flips, its flips), in order. */
async function runBatch(
  engine: Extract<Engine, { kind: 'onnx' }>,
  input: Float32Array,
  slots: number,
  testTimeFlips: boolean,
  timings: { inferenceMs: number },
  elapsedMs: () => number,
): Promise<VariantOutputs[]> {
  const d = engine.descriptor;
  const channels = d.bands.length;
  const dims = [engine.batch, channels, d.inputHeight, d.inputWidth] as const;
  const variants: (TileFlip | null)[] = testTimeFlips ? [null, ...FLIPS] : [null];
  const plane = channels * d.inputHeight * d.inputWidth;
  const ran: VariantOutputs[] = [];
  for (const flip of variants) {
    let batchInput = input;
    if (flip !== null) {
      batchInput = new Float32Array(input.length);
      for (let s = 0; s < slots; s += 1) {
        batchInput.set(
          flipPlanar(
            input.subarray(s * plane, (s + 1) * plane),
            channels,
            d.inputWidth,
            d.inputHeight,
            flip,
          ),
          s * plane,
        );
      }
    }
    const t0 = elapsedMs();
    const outputs = await engine.detector.run(batchInput, dims);
    // The engine's own time when it reports one: the wait here also covers the queue before
    // it and this thread finishing other work before it sees the reply.
    const engineMs = engine.detector.lastRunMs;
    timings.inferenceMs +=
      engineMs !== undefined && Number.isFinite(engineMs) ? engineMs : elapsedMs() - t0;
    ran.push({ flip, outputs });
  }
  return ran;
}

/** Decodes each slot of a batch's outputs (flipped boxes mapped back, flips merged by NMS). */
function decodeBatch(
  engine: Extract<Engine, { kind: 'onnx' }>,
  ran: readonly VariantOutputs[],
  slots: number,
  plan: RunPlan,
): Detection[][] {
  const d = engine.descriptor;
  const perSlot: Detection[][] = Array.from({ length: slots }, () => []);
  for (const { flip, outputs } of ran) {
    for (let s = 0; s < slots; s += 1) {
      const found = decodeOutputs(d, outputs, s, plan.minScore);
      const back = flip === null ? found : flipBoxes(found, flip, d.inputWidth, d.inputHeight);
      perSlot[s]?.push(...back);
    }
  }
  if (ran.length > 1) {
    return perSlot.map((found) => nonMaximumSuppression(found, plan.nmsIou));
  }
  return perSlot;
}

/** The baseline on one tile: luminance (invalid pixels at the valid mean), then blobs. */
function baselineTile(pixels: TilePixels, gridGsdMeters: number, minScore: number): Detection[] {
  const lum = luminance(pixels.planes);
  let sum = 0;
  for (let k = 0; k < lum.length; k += 1) if (pixels.valid[k] === 1) sum += lum[k] ?? 0;
  const mean = pixels.validCount > 0 ? sum / pixels.validCount : 0;
  for (let k = 0; k < lum.length; k += 1) if (pixels.valid[k] !== 1) lum[k] = mean;
  const found = detectCompactBlobs(
    { data: lum, width: pixels.tile.width, height: pixels.tile.height },
    gridGsdMeters,
  );
  return found.filter((d) => d.score >= minScore);
}

interface TileOutcome {
  readonly detections: Detection[];
  readonly tilesRun: number;
  readonly skippedNoData: number;
  readonly zoneResults: ReturnType<ObservableAreaSampler['results']>;
  readonly timings: Record<string, number>;
}

/**
 * `promise`, marked as handled: it is awaited later, and a failure while other work runs
 * (or after a cancel stops the loop) must not be reported as an unhandled rejection.
 */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** One batch as read: how many planned tiles it covered, and those with valid pixels. */
interface ReadBatch {
  readonly planned: number;
  /** In batch slot order (all-nodata tiles skipped, so slots stay contiguous). */
  readonly kept: readonly TileMask[];
  /** The baseline's: the same tiles with their resampled planes (the model's are packed). */
  readonly pixels: readonly TilePixels[];
}

/**
 * Reads the planned tiles from `start` (a batch of them) into slots 0.. of `target`'s input,
 * normalised; an all-nodata tile's slot is reused by the next tile.
 */
async function readInputBatch(
  plan: RunPlan,
  source: RasterSource,
  start: number,
  count: number,
  target: Omit<InputSlot, 'slot'>,
  signal: AbortSignal | undefined,
): Promise<ReadBatch> {
  const tiles = plan.tiles.slice(start, start + count);
  const kept: TileMask[] = [];
  for (const tile of tiles) {
    const slot = { ...target, slot: kept.length };
    const mask = await readTileIntoInput(source, plan.bands, tile, plan.scale, slot, signal);
    if (mask.validCount > 0) kept.push(mask);
  }
  return { planned: tiles.length, kept, pixels: [] };
}

/** Every tile, batch by batch; reading the next batch while the model runs the current one. */
async function runTiles(
  deps: DetectDeps,
  plan: RunPlan,
  engine: Engine,
  source: RasterSource,
  request: DetectRequest,
): Promise<TileOutcome> {
  const sampler = new ObservableAreaSampler(plan.zones, plan.scale);
  const timings = { readMs: 0, inferenceMs: 0, decodeMs: 0, baselineMs: 0 };
  const batchSize = engine.kind === 'onnx' ? engine.batch : 1;
  const total = plan.tiles.length;
  const detections: Detection[] = [];
  let tilesRun = 0;
  let skippedNoData = 0;
  let done = 0;
  // Model inputs: two buffers, batch k packed into buffer k mod 2 (see the loop below for
  // when each is reused). Shared memory: the detector's thread reads them without a copy on
  // this side.
  const inputs: Float32Array[] = [];
  let scratch: Float32Array | null = null;
  const readBatch = async (start: number, k: number): Promise<ReadBatch> => {
    const t0 = deps.elapsedMs();
    let batch: ReadBatch;
    if (engine.kind === 'onnx') {
      const d = engine.descriptor;
      const plane = d.inputWidth * d.inputHeight;
      const length = engine.batch * d.bands.length * plane;
      const input = (inputs[k % 2] ??= new Float32Array(new SharedArrayBuffer(length * 4)));
      scratch ??= new Float32Array(plane);
      batch = await readInputBatch(
        plan,
        source,
        start,
        batchSize,
        {
          normalisers: engine.normalisers,
          input,
          inputWidth: d.inputWidth,
          inputHeight: d.inputHeight,
          scratch,
        },
        request.signal,
      );
    } else {
      const pixels: TilePixels[] = [];
      const tiles = plan.tiles.slice(start, start + batchSize);
      for (const tile of tiles) {
        const p = await readTilePixels(source, plan.bands, tile, plan.scale, request.signal);
        if (p.validCount > 0) pixels.push(p);
      }
      batch = { planned: tiles.length, kept: pixels, pixels };
    }
    timings.readMs += deps.elapsedMs() - t0;
    return batch;
  };
  request.onProgress?.({ stage: 'detecting', tilesDone: 0, tilesTotal: total });
  const startRead = (start: number, k: number): Promise<ReadBatch> | null => {
    if (start >= total) return null;
    return quiet(readBatch(start, k));
  };
  /** Decodes a batch whose inference was started, and keeps its tiles' detections. */
  const finish = async (batch: ReadBatch, ran: Promise<VariantOutputs[]> | null) => {
    let found: Detection[][] = [];
    if (engine.kind === 'onnx' && ran !== null) {
      const outputs = await ran;
      const t0 = deps.elapsedMs();
      found = decodeBatch(engine, outputs, batch.kept.length, plan);
      timings.decodeMs += deps.elapsedMs() - t0;
    } else if (engine.kind === 'tophat') {
      const t0 = deps.elapsedMs();
      found = batch.pixels.map((p) => baselineTile(p, engine.gridGsdMeters, plan.minScore));
      timings.baselineMs += deps.elapsedMs() - t0;
    }
    batch.kept.forEach((p, slot) => {
      const within = nonMaximumSuppression(found[slot] ?? [], plan.nmsIou);
      detections.push(...keepTileDetections(plan, p, within));
    });
    tilesRun += batch.kept.length;
    done += batch.planned;
    request.onProgress?.({ stage: 'detecting', tilesDone: done, tilesTotal: total });
  };
  // Pipelined: batch k is handed to the detector's thread first; while it runs, this thread
  // decodes batch k − 1 and reads, resamples and packs batch k + 1 (into the buffer batch
  // k − 1 used, whose run has finished by then), so the model always has its next batch.
  let pending = startRead(0, 0);
  let previous: { batch: ReadBatch; ran: Promise<VariantOutputs[]> | null } | null = null;
  for (let start = 0, k = 0; start < total; start += batchSize, k += 1) {
    throwIfCancelled(request.signal);
    if (pending === null) break;
    const batch = await pending;
    pending = null;
    skippedNoData += batch.planned - batch.kept.length;
    for (const p of batch.kept) {
      const owned = plan.owned.get(`${p.tile.col0},${p.tile.row0}`) ?? p.tile;
      sampler.addTile(p.tile, p.valid, owned);
    }
    let ran: Promise<VariantOutputs[]> | null = null;
    if (engine.kind === 'onnx' && batch.kept.length > 0) {
      // Slots past the kept tiles hold stale tiles, never decoded.
      const input = inputs[k % 2] ?? new Float32Array(0);
      const testTimeFlips = request.testTimeFlips === true;
      const slots = batch.kept.length;
      ran = quiet(runBatch(engine, input, slots, testTimeFlips, timings, deps.elapsedMs));
    }
    if (previous !== null) await finish(previous.batch, previous.ran);
    previous = { batch, ran };
    pending = startRead(start + batchSize, k + 1);
  }
  if (previous !== null) await finish(previous.batch, previous.ran);
  return {
    detections,
    tilesRun,
    skippedNoData,
    zoneResults: sampler.results(plan.imageGsdMeters),
    timings,
  };
}

/** Bytes the block cache may hold. */
const BLOCK_CACHE_BYTES = 256 * 2 ** 20;

/**
 * The source behind a block cache holding two block rows of the region (so the next tile row
 * reuses the blocks it shares with this one), within {@link BLOCK_CACHE_BYTES}.
 */
function cachedSource(source: RasterSource, plan: RunPlan): RasterSource {
  const { layout, dataType } = source.description;
  const blockWidth = layout.tiled && layout.blockWidth >= 64 ? layout.blockWidth : 512;
  const blockHeight = layout.tiled && layout.blockHeight >= 64 ? layout.blockHeight : 512;
  const bytesPerSample = /8$/.test(dataType)
    ? 1
    : /16$/.test(dataType)
      ? 2
      : dataType === 'float64'
        ? 8
        : 4;
  const blockBytes = blockWidth * blockHeight * new Set(plan.bands).size * bytesPerSample;
  const regionWidth = Math.min(plan.image.width, plan.gridWidth * plan.scale);
  const wanted = 2 * (Math.ceil(regionWidth / blockWidth) + 1) + 2;
  const cap = Math.max(4, Math.floor(BLOCK_CACHE_BYTES / blockBytes));
  return new BlockCachedSource(source, plan.bands, Math.min(wanted, cap));
}

/** NMS across tiles, then only detections centred in the region polygon, best first. */
function mergeDetections(plan: RunPlan, detections: readonly Detection[]): Detection[] {
  const merged = nonMaximumSuppression(detections, plan.nmsIou);
  const polygon = plan.regionPolygon;
  if (polygon === null) return merged;
  return merged.filter((d) => pointInPolygonalGeometry([d.box.cx, d.box.cy], polygon));
}

function storedDetections(plan: RunPlan, merged: readonly Detection[]): StoredDetection[] {
  return merged.map((d, index) => {
    const corners = orientedBoxCorners(d.box);
    const zones = plan.zones
      .filter(
        (z) =>
          z.id !== 'all' &&
          z.polygon !== null &&
          pointInPolygonalGeometry([d.box.cx, d.box.cy], z.polygon),
      )
      .map((z) => z.id);
    return {
      index,
      className: d.className,
      score: d.score,
      pixelPolygon: corners,
      centerCol: d.box.cx,
      centerRow: d.box.cy,
      widthPx: d.box.width,
      heightPx: d.box.height,
      angleRad: d.box.angleRad,
      geometry: plan.georef === null ? null : cornersToLonLat(corners, plan.georef),
      zones,
    };
  });
}

function zoneCounts(
  plan: RunPlan,
  detections: readonly StoredDetection[],
  zoneResults: TileOutcome['zoneResults'],
  classNames: readonly string[],
): ZoneCount[] {
  return zoneResults.map((z) => {
    const observable = z.samples > 0;
    let counts: Record<string, number> | null = null;
    if (observable) {
      counts = Object.fromEntries(classNames.map((c) => [c, 0]));
      for (const d of detections) {
        if (z.zone === 'all' || d.zones.includes(z.zone))
          counts[d.className] = (counts[d.className] ?? 0) + 1;
      }
    }
    return {
      zone: z.zone,
      observable,
      observableAreaM2: observable ? z.areaM2 : null,
      observablePixels: z.pixels,
      counts,
    };
  });
}

function modelRef(model: InstalledModel): DetectionModelRef {
  return model.kind === 'onnx'
    ? {
        id: model.id,
        version: model.version,
        kind: 'onnx',
        sha256: model.sha256,
        layout: model.descriptor.layout,
      }
    : { id: model.id, version: model.version, kind: 'tophat', sha256: null, layout: null };
}

function parametersOf(
  plan: RunPlan,
  request: DetectRequest,
  engine: Engine,
  intraOpThreads: number,
): DetectionParameters {
  const names = plan.image.bands.map((b) => b.name);
  return {
    siteId: plan.site?.id ?? null,
    classes: plan.classes === null ? null : [...plan.classes],
    minScore: plan.minScore,
    imageGsdMeters: plan.imageGsdMeters,
    gsdOverride: request.gsdMeters !== undefined,
    modelGsdMeters: plan.model.kind === 'onnx' ? plan.model.descriptor.gsdMeters : null,
    scale: plan.scale,
    tileWidth: plan.tileWidth,
    tileHeight: plan.tileHeight,
    overlapPx: plan.overlapPx,
    batchSize: engine.kind === 'onnx' ? engine.batch : 1,
    testTimeFlips: request.testTimeFlips === true && engine.kind === 'onnx',
    nmsIou: plan.nmsIou,
    bands: plan.bands.map((b) => ({ name: names[b] ?? String(b), imageBand: b })),
    resampling:
      Math.abs(plan.scale - 1) < 1e-9 ? 'none' : plan.scale > 1.5 ? 'average' : 'bilinear',
    intraOpThreads: engine.kind === 'onnx' ? intraOpThreads : 1,
  };
}

/**
 * Finds objects in an ingested image and stores the run (after the outputs are written).
 * @throws NotFoundError for an unknown image, site or model; ValidationError for a missing
 *   GSD, bands the model needs, unknown classes, a model that does not fit its descriptor or
 *   a site outside the image; CancelledError when the signal aborts. Nothing is stored then.
 */
export async function detectImage(deps: DetectDeps, request: DetectRequest): Promise<DetectResult> {
  checkRequest(request);
  const started = deps.elapsedMs();
  const startedIso = deps.clock.nowIso();
  request.onProgress?.({ stage: 'opening', tilesDone: 0, tilesTotal: 0 });
  const inputs = await loadInputs(deps, request);
  const plan = planRun(deps, request, inputs);
  throwIfCancelled(request.signal);
  const loadStarted = deps.elapsedMs();
  const engine = await openEngine(deps, plan, request.batchSize);
  const modelLoadMs = deps.elapsedMs() - loadStarted;
  try {
    const source = cachedSource(
      await deps.opener.open(rasterInputOf(plan.image), deps.limits),
      plan,
    );
    let outcome: TileOutcome;
    try {
      outcome = await runTiles(deps, plan, engine, source, request);
    } finally {
      await source.close();
    }
    throwIfCancelled(request.signal);
    request.onProgress?.({
      stage: 'merging',
      tilesDone: plan.tiles.length,
      tilesTotal: plan.tiles.length,
    });
    const t0 = deps.elapsedMs();
    const merged = mergeDetections(plan, outcome.detections);
    const t1 = deps.elapsedMs();
    const detections = storedDetections(plan, merged);
    const t2 = deps.elapsedMs();
    const classNames = plan.model.kind === 'onnx' ? plan.model.descriptor.classes : TOPHAT_CLASSES;
    const counts = zoneCounts(
      plan,
      detections,
      outcome.zoneResults,
      classNames.filter((c) => plan.classes === null || plan.classes.has(c)),
    );
    const model = modelRef(plan.model);
    const parameters = parametersOf(plan, request, engine, deps.detectors.intraOpThreads);
    const createdAt = deps.clock.nowIso();
    const idSource = `${plan.image.sha256}\n${model.id}@${model.version}:${model.sha256 ?? ''}\n${JSON.stringify(parameters)}\n${startedIso}\n${createdAt}`;
    const id = `det_${deps.sha256Hex(new TextEncoder().encode(idSource)).slice(0, 16)}`;
    let outputs: DetectionRun['outputs'] = null;
    const timingsMs: Record<string, number> = {
      modelLoadMs,
      ...outcome.timings,
      nmsMs: t1 - t0,
      georeferenceMs: t2 - t1,
    };
    if (request.outDir !== undefined) {
      throwIfCancelled(request.signal);
      request.onProgress?.({
        stage: 'writing',
        tilesDone: plan.tiles.length,
        tilesTotal: plan.tiles.length,
      });
      const t3 = deps.elapsedMs();
      outputs = {
        detections: await writeDetectionsGeoJson(deps.files, request.outDir, {
          runId: id,
          imageId: plan.image.id,
          model,
          detections,
        }),
      };
      timingsMs.outputsMs = deps.elapsedMs() - t3;
    }
    timingsMs.totalMs = deps.elapsedMs() - started;
    const run: DetectionRun = {
      schemaVersion: DETECTION_RUN_SCHEMA_VERSION,
      id,
      imageId: plan.image.id,
      imageSha256: plan.image.sha256,
      model,
      createdAt,
      parameters,
      detectionCount: detections.length,
      counts,
      tiles: {
        planned: plan.tiles.length,
        run: outcome.tilesRun,
        skippedNoData: outcome.skippedNoData,
      },
      outputs,
      softwareVersion: deps.softwareVersion,
      timingsMs,
    };
    throwIfCancelled(request.signal);
    request.onProgress?.({
      stage: 'storing',
      tilesDone: plan.tiles.length,
      tilesTotal: plan.tiles.length,
    });
    await deps.detections.insert(run, detections);
    return { run, detections };
  } finally {
    if (engine.kind === 'onnx') await engine.detector.close();
  }
}
