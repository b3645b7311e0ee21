/**
 * An image opened for tiles: its reduced-resolution levels (overviews) and per-band display
 * histograms. The levels of at most {@link MAX_KEPT_LEVEL_PIXELS} pixels are built once, in
 * memory, from one pass over the finest level the file holds at or below the first kept one
 * (an overview of the file, e.g. a COG's, else the image itself; strips of whole block rows,
 * each decoded once); finer levels are read through the raster source window by window, from
 * the file's overview of that level or the nearest finer one, and reduced on the fly. The
 * histograms come from the finest kept level, so their cost does not grow with the image.
 *
 * For a file without overviews, levels 1, 2, … can come from an on-disk overview cache
 * (tile-ports.ts OverviewCache): written from the same opening pass (its level-1 rows go to a
 * {@link OverviewCacheWriter}) and attached with {@link ImagePyramid.useCachedOverviews}. A read
 * from the cache that finds it corrupt drops the cache and reads the image itself instead.
 */
import { CorruptFileError, ValidationError } from '../../core/errors.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import { downsampleByTwo, type DownsampleOptions } from '../../core/raster/overview.ts';
import type { PixelArray, PixelWindow, RasterSource } from '../../core/raster/raster.ts';
import { bandHistogram, type BandHistogram } from '../../core/tiles/stretch.ts';
import { levelSize, pyramidLevelCount } from '../../core/tiles/overview-level.ts';
import type { LevelSize } from '../../core/raster/overview.ts';
import type { OverviewCacheWriter } from './tile-ports.ts';

/** Levels up to this many pixels per band (2048²) are held in memory. */
export const MAX_KEPT_LEVEL_PIXELS = 2048 * 2048;
/** Rows decoded at once while building the kept levels (rounded up to whole blocks). */
const BUILD_STRIP_MIN_ROWS = 256;

function allocateLike(like: PixelArray, length: number): PixelArray {
  const Constructor = like.constructor as new (length: number) => PixelArray;
  return new Constructor(length);
}

/** Copies `window` out of a level held whole (row-major, `levelWidth` wide). */
function copyWindow(level: PixelArray, levelWidth: number, window: PixelWindow): PixelArray {
  const out = allocateLike(level, window.width * window.height);
  for (let r = 0; r < window.height; r += 1) {
    const start = (window.row0 + r) * levelWidth + window.col0;
    out.set(level.subarray(start, start + window.width), r * window.width);
  }
  return out;
}

/** Halves `rows` rows of `width` pixels `times` times. */
function reduce(
  band: PixelArray,
  width: number,
  rows: number,
  times: number,
  options: DownsampleOptions,
): PixelArray {
  let current = band;
  let w = width;
  let h = rows;
  for (let i = 0; i < times; i += 1) {
    const next = allocateLike(current, Math.ceil(w / 2) * Math.ceil(h / 2));
    downsampleByTwo(current, w, h, next, 0, options);
    current = next;
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
  }
  return current;
}

export class ImagePyramid {
  /** Levels below full resolution (the coarsest fits one 256-pixel tile). */
  readonly levelCount: number;
  /** The finest level held in memory. */
  readonly firstKeptLevel: number;
  readonly #kept = new Map<number, PixelArray[]>();
  readonly #histograms = new Map<number, BandHistogram>();
  readonly #reduceOptions: DownsampleOptions;
  /** Pyramid level → index of the file's overview of exactly that size. */
  readonly #fileOverviews = new Map<number, number>();
  /** The image's own source; closed by {@link close}. */
  readonly #base: RasterSource;
  /** The cache's levels (its full resolution is level 1), when attached. */
  #cache: { readonly source: RasterSource; readonly onCorrupt: () => Promise<void> } | null = null;
  /** `#base` with the cache's levels as its overviews, or `#base` itself. */
  #source: RasterSource;

  private constructor(
    readonly image: ImageRecord,
    source: RasterSource,
    maxKeptLevelPixels: number,
  ) {
    this.#base = source;
    this.#source = source;
    this.levelCount = pyramidLevelCount(image.width, image.height);
    let first = 0;
    while (
      first < this.levelCount &&
      this.levelSize(first).width * this.levelSize(first).height > maxKeptLevelPixels
    ) {
      first += 1;
    }
    this.firstKeptLevel = first;
    this.#mapFileOverviews();
    const float = image.dataType === 'float32' || image.dataType === 'float64';
    this.#reduceOptions = { resampling: 'average', nodata: image.nodata, integer: !float };
  }

  #mapFileOverviews(): void {
    this.#fileOverviews.clear();
    const source = this.#source;
    if (source.readOverviewWindow === undefined) return;
    (source.overviews ?? []).forEach((size, index) => {
      for (let level = 1; level <= this.levelCount; level += 1) {
        const expected = this.levelSize(level);
        if (expected.width === size.width && expected.height === size.height) {
          if (!this.#fileOverviews.has(level)) this.#fileOverviews.set(level, index);
        }
      }
    });
  }

  /** Whether levels 1, 2, … are read from an overview cache now. */
  get usesOverviewCache(): boolean {
    return this.#cache !== null;
  }

  /**
   * Opens the pyramid of an image: one pass over `source` builds the kept levels.
   * The pyramid owns `source` and closes it in {@link close}. Levels of more than
   * `maxKeptLevelPixels` pixels per band are read on demand instead of held.
   * With `cache.halfLevel`, a pass that reads full resolution hands it every row of level 1
   * (to write an overview cache; the caller finishes or aborts it); with `cache.levels`, the
   * levels come from an overview cache already written (see {@link useCachedOverviews}).
   */
  static async build(
    image: ImageRecord,
    source: RasterSource,
    maxKeptLevelPixels: number = MAX_KEPT_LEVEL_PIXELS,
    cache: {
      readonly halfLevel?: OverviewCacheWriter;
      readonly levels?: RasterSource;
      readonly onCorrupt?: () => Promise<void>;
    } = {},
  ): Promise<ImagePyramid> {
    const pyramid = new ImagePyramid(image, source, maxKeptLevelPixels);
    try {
      if (cache.levels !== undefined) {
        pyramid.useCachedOverviews(cache.levels, cache.onCorrupt ?? (() => Promise.resolve()));
      }
      await pyramid.#buildKeptLevels(cache.halfLevel);
    } catch (error) {
      await pyramid.close();
      throw error;
    }
    return pyramid;
  }

  /**
   * Reads levels 1, 2, … from `cache` (full resolution = level 1, its overviews the next
   * levels) from now on; the pyramid then owns and closes it. When a read from it fails as
   * corrupt, the pyramid closes it, calls `onCorrupt` and reads the image itself.
   * @throws ValidationError when the cache's size is not level 1's.
   */
  useCachedOverviews(cache: RasterSource, onCorrupt: () => Promise<void>): void {
    const half = this.levelSize(1);
    if (cache.description.width !== half.width || cache.description.height !== half.height) {
      throw new ValidationError(
        `overview cache of ${cache.description.width} × ${cache.description.height} does not fit level 1 (${half.width} × ${half.height}) of image ${this.image.id}`,
      );
    }
    this.#cache = { source: cache, onCorrupt };
    this.#source = withCacheLevels(this.#base, cache);
    this.#mapFileOverviews();
  }

  /** Drops an attached cache found corrupt: later reads come from the image itself. */
  async #dropCache(): Promise<void> {
    const cache = this.#cache;
    if (cache === null) return;
    this.#cache = null;
    this.#source = this.#base;
    this.#mapFileOverviews();
    await cache.source.close().catch(() => undefined);
    await cache.onCorrupt().catch(() => undefined);
  }

  levelSize(level: number): LevelSize {
    return levelSize(this.image.width, this.image.height, level);
  }

  /** The finest level at or below `level` that the file holds (0: the image itself). */
  #fileLevelAtOrBelow(level: number): number {
    let at = level;
    while (at > 0 && !this.#fileOverviews.has(at)) at -= 1;
    return at;
  }

  /** Reads `window` of a level the file holds (0 or one of its overviews). */
  async #readFileLevel(
    level: number,
    window: PixelWindow,
    bands?: readonly number[],
  ): Promise<PixelArray[]> {
    const options = bands === undefined ? {} : { bands };
    const overview = this.#fileOverviews.get(level);
    const source = this.#source;
    if (overview === undefined || source.readOverviewWindow === undefined) {
      return source.readWindow(window, options);
    }
    try {
      return await source.readOverviewWindow(overview, window, options);
    } catch (error) {
      if (!(error instanceof CorruptFileError) || this.#cache === null) throw error;
      await this.#dropCache();
      // The same pixels, reduced from the image itself.
      return this.#readReduced(level, window, bands ?? this.image.bands.map((_, b) => b));
    }
  }

  async #buildKeptLevels(halfLevel?: OverviewCacheWriter): Promise<void> {
    const first = this.firstKeptLevel;
    const from = this.#fileLevelAtOrBelow(first);
    const { width, height } = this.levelSize(from);
    const reductions = first - from;
    const factor = 2 ** reductions;
    const blockRows = Math.max(1, this.#base.description.layout.blockHeight);
    const wholeBlocks = Math.ceil(BUILD_STRIP_MIN_ROWS / blockRows) * blockRows;
    const stripRows = Math.ceil(wholeBlocks / factor) * factor;
    const firstSize = this.levelSize(first);
    // Level 1 goes to the cache only when this pass reads full resolution.
    const tee = from === 0 && reductions >= 1 ? halfLevel : undefined;
    let firstLevel: PixelArray[] | null = null;
    for (let row0 = 0; row0 < height; row0 += stripRows) {
      const rows = Math.min(stripRows, height - row0);
      const strip = await this.#readFileLevel(from, { col0: 0, row0, width, height: rows });
      firstLevel ??= strip.map((band) => allocateLike(band, firstSize.width * firstSize.height));
      let halves: PixelArray[] | null = null;
      if (tee !== undefined) {
        halves = strip.map((band) => reduce(band, width, rows, 1, this.#reduceOptions));
        await tee.writeRows(row0 / 2, halves);
      }
      strip.forEach((band, b) => {
        const reduced =
          halves?.[b] === undefined
            ? reduce(band, width, rows, reductions, this.#reduceOptions)
            : reduce(
                halves[b],
                Math.ceil(width / 2),
                Math.ceil(rows / 2),
                reductions - 1,
                this.#reduceOptions,
              );
        firstLevel?.[b]?.set(reduced, (row0 / factor) * firstSize.width);
      });
    }
    if (firstLevel === null) return;
    this.#kept.set(first, firstLevel);
    let previous = firstLevel;
    for (let level = first + 1; level <= this.levelCount; level += 1) {
      const size = this.levelSize(level - 1);
      previous = previous.map((band) =>
        reduce(band, size.width, size.height, 1, this.#reduceOptions),
      );
      this.#kept.set(level, previous);
    }
  }

  /**
   * The pixels of `window` (in level `level`'s pixels, inside the level) for `bands`, one
   * array per band in the order asked.
   */
  async readLevelWindow(
    level: number,
    window: PixelWindow,
    bands: readonly number[],
  ): Promise<PixelArray[]> {
    const kept = this.#kept.get(level);
    if (kept !== undefined) {
      const levelWidth = this.levelSize(level).width;
      return bands.map((b) => {
        const band = kept[b];
        if (band === undefined)
          throw new ValidationError(`band ${b} is not a band of image ${this.image.id}`);
        return copyWindow(band, levelWidth, window);
      });
    }
    return this.#readReduced(level, window, bands);
  }

  /** `window` of `level` from the finest file level at or below it, reduced on the fly. */
  async #readReduced(
    level: number,
    window: PixelWindow,
    bands: readonly number[],
  ): Promise<PixelArray[]> {
    const from = this.#fileLevelAtOrBelow(level);
    const fromSize = this.levelSize(from);
    const factor = 2 ** (level - from);
    const col0 = window.col0 * factor;
    const row0 = window.row0 * factor;
    const finer: PixelWindow = {
      col0,
      row0,
      width: Math.min(window.width * factor, fromSize.width - col0),
      height: Math.min(window.height * factor, fromSize.height - row0),
    };
    const arrays = await this.#readFileLevel(from, finer, bands);
    return arrays.map((band) =>
      reduce(band, finer.width, finer.height, level - from, this.#reduceOptions),
    );
  }

  /** The display histogram of a band (0-based), from the finest kept level; cached. */
  histogram(band: number): BandHistogram {
    let histogram = this.#histograms.get(band);
    if (histogram === undefined) {
      const samples = this.#kept.get(this.firstKeptLevel)?.[band];
      histogram = bandHistogram(samples ?? new Float32Array(0), this.image.nodata);
      this.#histograms.set(band, histogram);
    }
    return histogram;
  }

  async close(): Promise<void> {
    this.#kept.clear();
    const cache = this.#cache;
    this.#cache = null;
    await Promise.all([this.#base.close(), cache?.source.close()]);
  }
}

/** `base` whose overviews are `cache` (level 1) followed by the cache's own overviews. */
function withCacheLevels(base: RasterSource, cache: RasterSource): RasterSource {
  const { width, height } = cache.description;
  return {
    description: base.description,
    overviews: [{ width, height }, ...(cache.overviews ?? [])],
    readWindow: (window, options) => base.readWindow(window, options),
    readOverviewWindow: (index, window, options) => {
      if (index === 0) return cache.readWindow(window, options);
      if (cache.readOverviewWindow === undefined) {
        throw new ValidationError(`the overview cache has no overview ${index - 1}`);
      }
      return cache.readOverviewWindow(index - 1, window, options);
    },
    close: () => base.close(),
  };
}
