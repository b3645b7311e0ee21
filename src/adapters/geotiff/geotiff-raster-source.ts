/**
 * RasterSource for GeoTIFF / COG files. Our own structure walk checks the file (limits, bounds,
 * types) before any decoder touches it. Windows of uncompressed or DEFLATE images are decoded by
 * our own block decoder (node:zlib, straight into the window's arrays; large windows in a
 * worker pool); other compressions go to geotiff.js, which decodes only the blocks a window
 * needs, reading byte ranges through {@link FileByteSource}.
 */
import { GeoTIFF, type GeoTIFFImage } from 'geotiff';
import type { CrsRegistry, RasterOpenLimits } from '../../app/ports.ts';
import {
  CancelledError,
  CorruptFileError,
  SitewatchError,
  ValidationError,
  describeError,
} from '../../core/errors.ts';
import type { RasterLayout } from '../../core/imagery/image.ts';
import type {
  PixelArray,
  PixelWindow,
  RasterDescription,
  RasterSource,
} from '../../core/raster/raster.ts';
import { FileByteSource, type ByteSource } from './file-byte-source.ts';
import { parseGdalMetadata } from './gdal-metadata.ts';
import { readGeoreference } from './geotiff-georeference.ts';
import { installGuardedDecoders } from './guarded-decoders.ts';
import { checkBandIndexes, checkWindow } from './pixel-window.ts';
import { convertYCbCrToRgb } from './ycbcr-to-rgb.ts';
import { IfdValues, isOverviewIfd, readImageInfo, type TiffImageInfo } from './tiff-image-info.ts';
import {
  DecodeWorkerError,
  defaultDecodeThreads,
  sharedDecodePool,
  type TiffDecodePool,
} from './tiff-decode-pool.ts';
import { readTiffStructure, type TiffStructure } from './tiff-structure.ts';
import { PHOTOMETRIC, TAG, TEXT_TAGS } from './tiff-tags.ts';
import {
  blockRefsForWindow,
  createDecodedBlockCache,
  createWindowTarget,
  decodeWindowHere,
  fastTiffImage,
  type DecodedBlockCache,
  type FastTiffImage,
} from './tiff-window-decoder.ts';

export interface OpenGeoTiffOptions {
  /** `EPSG:n` to use when the file's GeoKeys name no known CRS (user-defined, missing, unknown). */
  readonly crsFallback?: string;
  /**
   * Threads that decode large windows (at least {@link POOL_MIN_WINDOW_PIXELS} pixels over two or
   * more blocks) of uncompressed/DEFLATE images: 1 decodes on the calling thread only; n > 1
   * uses the process-wide pool of n worker threads. Default: 2, or 1 on a one-core machine.
   */
  readonly decodeThreads?: number;
  /** A pool of the caller's (it outlives the source); takes precedence over `decodeThreads`. */
  readonly decodePool?: TiffDecodePool;
  /** Smallest window (pixels) decoded in the pool; default {@link POOL_MIN_WINDOW_PIXELS}. */
  readonly poolMinWindowPixels?: number;
  /** false: decode every window with geotiff.js (the general path), e.g. to compare. */
  readonly fastDecode?: boolean;
  /**
   * Bytes of inflated blocks kept per open image (and per overview), least recently used
   * dropped first, so that neighbouring windows (map tiles) do not inflate the same blocks
   * again; 0 keeps none. Windows decoded in the pool do not use it. Default
   * {@link DEFAULT_BLOCK_CACHE_BYTES}.
   */
  readonly blockCacheBytes?: number;
  /**
   * Where the bytes come from instead of the local file `path` (e.g. an HTTP(S) range source);
   * the raster takes ownership and closes it, also when opening fails.
   */
  readonly byteSource?: ByteSource;
}

/** Default bytes of inflated blocks kept per open image: 16 blocks of 512² × 4 uint16 bands. */
export const DEFAULT_BLOCK_CACHE_BYTES = 32 * 2 ** 20;

/** Windows smaller than this are decoded on the calling thread: a pool round trip is not worth it. */
export const POOL_MIN_WINDOW_PIXELS = 1 << 20;

type GeoTiffSource = Parameters<typeof GeoTIFF.fromSource>[0];

/** Wraps anything geotiff.js throws as a CorruptFileError naming the file; keeps typed errors. */
function asSitewatchError(
  error: unknown,
  path: string,
  what: string,
  signal?: AbortSignal,
): SitewatchError {
  if (error instanceof SitewatchError) return error;
  if (signal?.aborted === true)
    return new CancelledError(`${what} of ${path} was cancelled`, { cause: error });
  return new CorruptFileError(`${path}: cannot ${what}: ${describeError(error)}`, { cause: error });
}

function parseNodata(text: string | undefined, path: string): number | null {
  if (text === undefined) return null;
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return null;
  if (trimmed === 'nan' || trimmed === '-nan') return Number.NaN;
  if (trimmed === 'inf' || trimmed === '+inf') return Number.POSITIVE_INFINITY;
  if (trimmed === '-inf') return Number.NEGATIVE_INFINITY;
  const value = Number(trimmed);
  if (!Number.isFinite(value))
    throw new CorruptFileError(`${path}: GDAL_NODATA '${text}' is not a number`);
  return value;
}

function defaultBandNames(info: TiffImageInfo): string[] {
  const colour = info.photometric === PHOTOMETRIC.rgb || info.photometric === PHOTOMETRIC.ycbcr;
  return Array.from({ length: info.samplesPerPixel }, (_, i) => {
    if (colour && i < 3) return ['red', 'green', 'blue'][i] ?? `b${i + 1}`;
    if (colour && i === 3 && (info.extraSamples[0] === 1 || info.extraSamples[0] === 2))
      return 'alpha';
    return `b${i + 1}`;
  });
}

/** Indexes (in the IFD chain) of the overviews, in file order. */
async function overviewIfdIndexes(structure: TiffStructure, source: ByteSource): Promise<number[]> {
  const indexes: number[] = [];
  for (const [i, ifd] of structure.ifds.entries()) {
    if (i > 0 && (await isOverviewIfd(new IfdValues(source, structure, ifd)))) indexes.push(i);
  }
  return indexes;
}

async function describe(
  source: ByteSource,
  structure: TiffStructure,
  info: TiffImageInfo,
  crs: CrsRegistry,
  options: OpenGeoTiffOptions,
  overviewCount: number,
): Promise<RasterDescription> {
  const values = new IfdValues(
    source,
    structure,
    structure.ifds[0] ?? { offset: 0, entries: new Map() },
  );
  const georeference = await readGeoreference(values, crs, options.crsFallback);
  const metadataXml = await values.text(TAG.GdalMetadata);
  const metadata = parseGdalMetadata(metadataXml ?? '');
  const tags: Record<string, string> = { ...metadata.dataset };
  for (const [tag, name] of TEXT_TAGS) {
    const text = await values.text(tag);
    if (text !== undefined && text !== '') tags[name] = text;
  }
  const lastIfdOffset = Math.max(...structure.ifds.map((ifd) => ifd.offset));
  const layout: RasterLayout = {
    tiled: info.tiled,
    blockWidth: info.blockWidth,
    blockHeight: info.blockHeight,
    compression: info.compression,
    overviewCount,
    cloudOptimized: info.tiled && overviewCount > 0 && lastIfdOffset < info.firstDataOffset,
  };
  return {
    width: info.width,
    height: info.height,
    bandNames: defaultBandNames(info).map((name, i) => metadata.bandDescriptions.get(i) ?? name),
    bandNativeGsdMeters: Array.from({ length: info.samplesPerPixel }, () => null),
    dataType: info.dataType,
    nodata: parseNodata(await values.text(TAG.GdalNodata), source.path),
    crs: georeference.crs,
    geoTransform: georeference.geoTransform,
    layout,
    tags,
  };
}

/** One image of the file (full resolution or an overview) and what reads it. */
interface TiffLevel {
  readonly width: number;
  readonly height: number;
  readonly image: GeoTIFFImage;
  readonly fast: FastTiffImage | null;
  readonly cache: DecodedBlockCache | undefined;
}

type ReadOptions = { readonly bands?: readonly number[]; readonly signal?: AbortSignal };

class GeoTiffRasterSource implements RasterSource {
  #closed = false;
  readonly overviews: readonly { readonly width: number; readonly height: number }[];

  /** @param levels the full-resolution image, then the overviews finest first. */
  constructor(
    readonly description: RasterDescription,
    private readonly source: ByteSource,
    private readonly levels: readonly TiffLevel[],
    private readonly isYCbCr: boolean,
    private readonly pool: TiffDecodePool | null,
    private readonly poolMinWindowPixels: number,
  ) {
    this.overviews = levels.slice(1).map(({ width, height }) => ({ width, height }));
  }

  /**
   * The fast path: arrays per distinct sample, or null when a block of the window is empty
   * (sparse file) and the general path must fill it.
   */
  async #readFast(
    { fast, cache }: TiffLevel & { readonly fast: FastTiffImage },
    window: PixelWindow,
    samples: readonly number[],
    signal: AbortSignal | undefined,
  ): Promise<PixelArray[] | null> {
    const pool =
      this.pool !== null && window.width * window.height >= this.poolMinWindowPixels
        ? this.pool
        : null;
    const { target, arrays } = createWindowTarget(fast, window, samples, pool !== null);
    const blocks = blockRefsForWindow(fast, target);
    if (blocks === null) return null;
    if (pool !== null && blocks.length > 1) {
      try {
        await pool.decode(fast.grid, target, blocks, signal);
        return arrays;
      } catch (error) {
        // Workers that cannot run here (no tsx loader, a dead thread) cost speed, not the read.
        if (!(error instanceof DecodeWorkerError)) throw error;
      }
    }
    await decodeWindowHere(fast, this.source, target, blocks, signal, cache);
    return arrays;
  }

  readWindow(window: PixelWindow, options: ReadOptions = {}): Promise<PixelArray[]> {
    return this.#read(0, window, options);
  }

  /** @throws ValidationError naming the index when the file has no such overview. */
  async readOverviewWindow(
    index: number,
    window: PixelWindow,
    options: ReadOptions = {},
  ): Promise<PixelArray[]> {
    if (!Number.isInteger(index) || index < 0 || index >= this.overviews.length) {
      throw new ValidationError(
        `${this.source.path}: overview ${index} is not one of its ${this.overviews.length} overviews`,
      );
    }
    return await this.#read(index + 1, window, options);
  }

  async #read(
    levelIndex: number,
    window: PixelWindow,
    options: ReadOptions,
  ): Promise<PixelArray[]> {
    const { path } = this.source;
    const level = this.levels[levelIndex];
    if (level === undefined) throw new ValidationError(`${path}: no image ${levelIndex}`);
    checkWindow(window, level, path);
    const bands = checkBandIndexes(options.bands, this.description.bandNames.length, path);
    const { signal } = options;
    if (this.#closed) throw new SitewatchError('IO', `${path} is closed`);
    if (signal?.aborted === true) throw new CancelledError(`reading ${path} was cancelled`);
    const samples = this.isYCbCr ? [0, 1, 2] : [...new Set(bands)];
    const { fast } = level;
    let arrays: PixelArray[] | null =
      fast === null ? null : await this.#readFast({ ...level, fast }, window, samples, signal);
    arrays ??= await this.#readGeneral(level.image, window, samples, signal);
    if (this.isYCbCr) arrays = convertYCbCrToRgb(arrays, path);
    const bySample = new Map(samples.map((sample, i) => [sample, arrays[i]]));
    const seen = new Set<number>();
    return bands.map((band) => {
      const array = bySample.get(band);
      if (array === undefined)
        throw new CorruptFileError(`${path}: the decoder returned no data for band ${band}`);
      if (seen.has(band)) return array.slice();
      seen.add(band);
      return array;
    });
  }

  /** The general path: geotiff.js with our bounded block decoders. */
  async #readGeneral(
    image: GeoTIFFImage,
    window: PixelWindow,
    samples: readonly number[],
    signal: AbortSignal | undefined,
  ): Promise<PixelArray[]> {
    const { path } = this.source;
    try {
      const result = await image.readRasters({
        window: [window.col0, window.row0, window.col0 + window.width, window.row0 + window.height],
        samples: [...samples],
        interleave: false,
        ...(signal === undefined ? {} : { signal }),
      });
      return Array.from(result);
    } catch (error) {
      throw asSitewatchError(error, path, `decode window ${JSON.stringify(window)}`, signal);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.source.close();
  }
}

/**
 * Opens a GeoTIFF (or COG) for windowed reading. Everything that can be checked without pixel
 * buffers is checked here; pixels are decoded only by `readWindow`, block by block.
 * @throws NotFoundError when the file is absent; CorruptFileError (naming the file, keeping the
 *   cause) for bytes that are not a readable TIFF; TooLargeError above `limits.maxPixels`;
 *   UnsupportedError for sample types or compressions that cannot be decoded; UnknownCrsError
 *   for unknown or user-defined CRSs (with a `--crs EPSG:n` hint).
 */
export async function openGeoTiff(
  path: string,
  limits: RasterOpenLimits,
  crs: CrsRegistry,
  options: OpenGeoTiffOptions = {},
): Promise<RasterSource> {
  const source = options.byteSource ?? (await FileByteSource.open(path));
  try {
    const structure = await readTiffStructure(source);
    const first = structure.ifds[0];
    if (first === undefined) throw new CorruptFileError(`${path}: the TIFF has no image`);
    const info = await readImageInfo(new IfdValues(source, structure, first), limits);
    const overviewIndexes = await overviewIfdIndexes(structure, source);
    const description = await describe(
      source,
      structure,
      info,
      crs,
      options,
      overviewIndexes.length,
    );
    let tiff: GeoTIFF;
    try {
      await installGuardedDecoders();
      tiff = await GeoTIFF.fromSource(source as unknown as GeoTiffSource, { cache: false });
    } catch (error) {
      throw asSitewatchError(error, path, 'read the TIFF directory');
    }
    const cacheBytes = options.blockCacheBytes ?? DEFAULT_BLOCK_CACHE_BYTES;
    const level = async (ifdIndex: number, levelInfo: TiffImageInfo): Promise<TiffLevel> => {
      let image: GeoTIFFImage;
      try {
        image = await tiff.getImage(ifdIndex);
      } catch (error) {
        throw asSitewatchError(error, path, `read the TIFF directory of image ${ifdIndex}`);
      }
      const fast =
        options.fastDecode === false
          ? null
          : fastTiffImage(levelInfo, structure.littleEndian, path);
      return {
        width: levelInfo.width,
        height: levelInfo.height,
        image,
        fast,
        // Not yet for the floating-point predictor: its test against the written pixels fails.
        cache:
          cacheBytes !== 0 && fast !== null && fast.grid.predictor !== 3
            ? createDecodedBlockCache(cacheBytes)
            : undefined,
      };
    };
    const levels = [await level(0, info)];
    for (const ifdIndex of overviewIndexes) {
      const ifd = structure.ifds[ifdIndex];
      if (ifd === undefined) continue;
      const overview = await readImageInfo(new IfdValues(source, structure, ifd), limits);
      const previous = levels[levels.length - 1] ?? info;
      // Only true reduced copies of the same samples, each coarser than the one before.
      const sameSamples =
        overview.samplesPerPixel === info.samplesPerPixel &&
        overview.dataType === info.dataType &&
        overview.photometric === info.photometric;
      if (sameSamples && overview.width < previous.width && overview.height < previous.height) {
        levels.push(await level(ifdIndex, overview));
      }
    }
    const threads = options.decodeThreads ?? defaultDecodeThreads();
    const pool = options.decodePool ?? (threads > 1 ? sharedDecodePool(threads) : null);
    return new GeoTiffRasterSource(
      description,
      source,
      levels,
      info.photometric === PHOTOMETRIC.ycbcr,
      pool,
      options.poolMinWindowPixels ?? POOL_MIN_WINDOW_PIXELS,
    );
  } catch (error) {
    await source.close();
    throw asSitewatchError(error, path, 'open it as a GeoTIFF');
  }
}
