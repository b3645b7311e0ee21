/**
 * Rendering a tile of an ingested image on the fly: Web-Mercator XYZ tiles (reprojected from the
 * image's CRS, read from the overview level that matches the tile's resolution) and pixel-space
 * tiles (any image in its own pixels, the only tiles of an image without georeferencing). The
 * result is RGBA bytes; encoding and caching are the caller's (serve-tile.ts).
 */
import { NotFoundError } from '../../core/errors.ts';
import { bboxOfGeometry, bboxesIntersect } from '../../core/geo/bbox.ts';
import type { Bbox, PositionTransform } from '../../core/geo/types.ts';
import { buildPixelMapping } from '../../core/grid/approximate-mapping.ts';
import { windowAroundPositions } from '../../core/grid/pixel-mapping.ts';
import { kernelMarginPx, warpWindow } from '../../core/grid/warp-window.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { PixelArray, PixelWindow } from '../../core/raster/raster.ts';
import { composeRgba } from '../../core/tiles/compose-rgba.ts';
import { chooseOverviewLevel } from '../../core/tiles/overview-level.ts';
import { pixelTileSource } from '../../core/tiles/pixel-tiles.ts';
import { percentileStretch, type BandStretch } from '../../core/tiles/stretch.ts';
import type { TileRenderOptions } from '../../core/tiles/tile-options.ts';
import {
  lonLatToMercator,
  tileBoundsMercator,
  tileGeoTransform,
  TILE_SIZE_PX,
  type TileAddress,
} from '../../core/tiles/web-mercator.ts';
import { crsTransform } from '../compare/comparison-pair.ts';
import { rasterInputOf } from '../compare/raster-input.ts';
import type { CrsRegistry, ImageRepository, RasterOpenLimits, RasterOpener } from '../ports.ts';
import { ImagePyramid, MAX_KEPT_LEVEL_PIXELS } from './image-pyramid.ts';
import type { OverviewCache } from './tile-ports.ts';

export interface TileRendererDeps {
  readonly images: ImageRepository;
  readonly opener: RasterOpener;
  readonly crs: CrsRegistry;
  readonly limits: RasterOpenLimits;
  /**
   * Overview cache for images whose files hold no overviews (absent: none). Written during the
   * first open of such an image (the pass that reads every pixel anyway), used by every later
   * open and, once written, by the open pyramid itself.
   */
  readonly overviewCache?: OverviewCache;
}

export interface TileRendererOptions {
  /** Images kept open with their in-memory levels (least recently used closed first); default 8. */
  readonly maxOpenImages?: number;
  /** Levels up to this many pixels per band are held in memory; default 2048². */
  readonly maxKeptLevelPixels?: number;
  /**
   * How long an image record read from the repository is reused, in milliseconds; default
   * 1000, 0 reads it for every tile. Reading and decoding a record costs about 1 ms of CPU, most
   * of a cached tile's cost; an id names one content hash, so only a deleted image or edited
   * metadata (sensor, band names: the default bands) can go stale, for at most this long.
   */
  readonly imageRecordTtlMs?: number;
  /** Monotonic clock in milliseconds (tests); default performance.now. */
  readonly nowMs?: () => number;
}

/** Image records kept for {@link TileRendererOptions.imageRecordTtlMs}; beyond this, none. */
const MAX_REMEMBERED_RECORDS = 256;

const TILE_PIXELS = TILE_SIZE_PX * TILE_SIZE_PX;
const WEB_MERCATOR = 'EPSG:3857';

/** Source pixels per tile pixel along a row and a column through the tile's middle. */
function sourceSpan(cols: Float64Array, rows: Float64Array): number {
  const half = TILE_SIZE_PX / 2;
  const quarter = TILE_SIZE_PX / 4;
  const pairs: [number, number][] = [
    [half * TILE_SIZE_PX + quarter, half * TILE_SIZE_PX + 3 * quarter],
    [quarter * TILE_SIZE_PX + half, 3 * quarter * TILE_SIZE_PX + half],
  ];
  const spans = pairs
    .map(([a, b]) => {
      const dc = (cols[b] ?? Number.NaN) - (cols[a] ?? Number.NaN);
      const dr = (rows[b] ?? Number.NaN) - (rows[a] ?? Number.NaN);
      return Math.hypot(dc, dr) / (2 * quarter);
    })
    .filter((span) => Number.isFinite(span) && span > 0);
  // The geometric mean: a tile stretched more one way than the other reads a level between.
  return spans.length === 0 ? 1 : spans.reduce((p, s) => p * s, 1) ** (1 / spans.length);
}

/** Renders tiles; holds the open images, their in-memory levels and their histograms. */
/**
 * Reads `window` of `level` of the pyramid and warps each of `bands` (bilinear) to the source
 * positions `cols`/`rows` (level pixels), one output pixel per position; `valid` is 1 where
 * every band has data.
 */
export async function warpLevelWindow(
  pyramid: ImagePyramid,
  level: number,
  window: PixelWindow,
  bands: readonly number[],
  cols: Float64Array,
  rows: Float64Array,
): Promise<{ readonly bands: Float32Array[]; readonly valid: Uint8Array }> {
  const count = cols.length;
  const size = pyramid.levelSize(level);
  const pixels = await pyramid.readLevelWindow(level, window, bands);
  const valid = new Uint8Array(count).fill(1);
  const bandValid = new Uint8Array(count);
  const warped = pixels.map((samples) => {
    const out = new Float32Array(count);
    warpWindow({
      source: samples,
      sourceWindow: window,
      sourceRasterWidth: size.width,
      sourceRasterHeight: size.height,
      sourceCol: cols,
      sourceRow: rows,
      method: 'bilinear',
      nodataIn: pyramid.image.nodata,
      out,
      valid: bandValid,
    });
    for (let i = 0; i < count; i += 1) valid[i] = (valid[i] ?? 0) & (bandValid[i] ?? 0);
    return out;
  });
  return { bands: warped, valid };
}

export class TileRenderer {
  readonly #pyramids = new Map<string, Promise<ImagePyramid>>();
  readonly #maxOpenImages: number;
  readonly #maxKeptLevelPixels: number | undefined;
  readonly #recordTtlMs: number;
  readonly #nowMs: () => number;
  readonly #records = new Map<string, { readonly image: ImageRecord; readonly atMs: number }>();

  constructor(
    private readonly deps: TileRendererDeps,
    options: TileRendererOptions = {},
  ) {
    this.#maxOpenImages = options.maxOpenImages ?? 8;
    this.#maxKeptLevelPixels = options.maxKeptLevelPixels;
    this.#recordTtlMs = options.imageRecordTtlMs ?? 1000;
    this.#nowMs = options.nowMs ?? (() => performance.now());
  }

  /** @throws NotFoundError naming the id when no image has it. */
  async image(imageId: string): Promise<ImageRecord> {
    const now = this.#nowMs();
    const remembered = this.#records.get(imageId);
    if (remembered !== undefined && now - remembered.atMs < this.#recordTtlMs) {
      return remembered.image;
    }
    const image = await this.deps.images.get(imageId);
    if (image === undefined) {
      this.#records.delete(imageId);
      throw new NotFoundError(`image ${imageId} not found`);
    }
    if (this.#recordTtlMs > 0) {
      this.#records.delete(imageId);
      this.#records.set(imageId, { image, atMs: now });
      for (const id of this.#records.keys()) {
        if (this.#records.size <= MAX_REMEMBERED_RECORDS) break;
        this.#records.delete(id);
      }
    }
    return image;
  }

  /** The open pyramid of an image, opened (one pass over its pixels) on first use. */
  pyramid(image: ImageRecord): Promise<ImagePyramid> {
    let pyramid = this.#pyramids.get(image.id);
    if (pyramid !== undefined) {
      // Map order is recency order: move it to the end.
      this.#pyramids.delete(image.id);
    } else {
      pyramid = this.#openPyramid(image);
      pyramid.catch(() => this.#pyramids.delete(image.id));
    }
    this.#pyramids.set(image.id, pyramid);
    for (const [id, oldest] of this.#pyramids) {
      if (this.#pyramids.size <= this.#maxOpenImages) break;
      this.#pyramids.delete(id);
      void oldest.then((p) => p.close()).catch(() => undefined);
    }
    return pyramid;
  }

  async #openPyramid(image: ImageRecord): Promise<ImagePyramid> {
    const source = await this.deps.opener.open(rasterInputOf(image), this.deps.limits);
    const cache = this.deps.overviewCache;
    const max = this.#maxKeptLevelPixels;
    // Only images with levels read from the file (not all held) and no overviews of their own.
    if (
      cache === undefined ||
      (source.overviews ?? []).length > 0 ||
      image.width * image.height <= (max ?? MAX_KEPT_LEVEL_PIXELS)
    ) {
      return ImagePyramid.build(image, source, max);
    }
    const onCorrupt = (): Promise<void> => cache.remove(image);
    const levels = await cache.open(image);
    if (levels !== undefined) {
      return ImagePyramid.build(image, source, max, { levels, onCorrupt });
    }
    const halfLevel = await cache.create(image);
    if (halfLevel === undefined) return ImagePyramid.build(image, source, max);
    let pyramid: ImagePyramid;
    try {
      pyramid = await ImagePyramid.build(image, source, max, { halfLevel });
    } catch (error) {
      await halfLevel.abort();
      throw error;
    }
    if (await halfLevel.finish()) {
      const written = await cache.open(image);
      if (written !== undefined) pyramid.useCachedOverviews(written, onCorrupt);
    }
    return pyramid;
  }

  #stretches(pyramid: ImagePyramid, options: TileRenderOptions): BandStretch[] {
    const { lowPercent, highPercent } = options.stretch;
    return options.bands.map((band) =>
      percentileStretch(pyramid.histogram(band), lowPercent, highPercent),
    );
  }

  /**
   * A 256 × 256 Web-Mercator tile as RGBA bytes; transparent outside the image and on nodata.
   * @throws ValidationError for a bad tile address; NotFoundError when the image has no
   *   georeference or the tile lies outside its footprint.
   */
  async renderMercatorTile(
    image: ImageRecord,
    tile: TileAddress,
    options: TileRenderOptions,
  ): Promise<Uint8Array> {
    const tileBounds = tileBoundsMercator(tile);
    if (image.crs === null || image.geoTransform === null || image.footprint === null) {
      throw new NotFoundError(
        `image ${image.id} has no georeference, so no Web-Mercator tiles: use its pixel tiles`,
      );
    }
    if (!bboxesIntersect(tileBounds, mercatorBbox(image.footprint))) {
      throw new NotFoundError(`tile ${describeTile(tile)} is outside image ${image.id}`);
    }
    const destination = {
      crs: WEB_MERCATOR,
      geoTransform: tileGeoTransform(tile),
      width: TILE_SIZE_PX,
      height: TILE_SIZE_PX,
    };
    const source = {
      crs: image.crs,
      geoTransform: image.geoTransform,
      width: image.width,
      height: image.height,
    };
    const mapping = buildPixelMapping(destination, source, this.#transformTo(image.crs));
    const cols = new Float64Array(TILE_PIXELS);
    const rows = new Float64Array(TILE_PIXELS);
    mapping.mapWindow({ col0: 0, row0: 0, width: TILE_SIZE_PX, height: TILE_SIZE_PX }, cols, rows);
    const pyramid = await this.pyramid(image);
    const level = chooseOverviewLevel(sourceSpan(cols, rows), pyramid.levelCount);
    const factor = 2 ** level;
    for (let i = 0; i < TILE_PIXELS; i += 1) {
      cols[i] = (cols[i] ?? Number.NaN) / factor;
      rows[i] = (rows[i] ?? Number.NaN) / factor;
    }
    const size = pyramid.levelSize(level);
    const grid = { crs: image.crs, geoTransform: null, ...size };
    const window = windowAroundPositions(cols, rows, TILE_PIXELS, kernelMarginPx('bilinear'), grid);
    if (window === null) {
      throw new NotFoundError(`tile ${describeTile(tile)} is outside image ${image.id}`);
    }
    const { bands, valid } = await warpLevelWindow(
      pyramid,
      level,
      window,
      options.bands,
      cols,
      rows,
    );
    return composeRgba(bands, this.#stretches(pyramid, options), valid);
  }

  /**
   * A 256 × 256 pixel-space tile (see core/tiles/pixel-tiles.ts) as RGBA bytes; transparent
   * beyond the image's right and bottom edges and on nodata.
   * @throws ValidationError for a bad tile address; NotFoundError for a tile outside the image.
   */
  async renderPixelTile(
    image: ImageRecord,
    tile: TileAddress,
    options: TileRenderOptions,
  ): Promise<Uint8Array> {
    const where = pixelTileSource(tile, image.width, image.height);
    if (where === null) {
      throw new NotFoundError(`pixel tile ${describeTile(tile)} is outside image ${image.id}`);
    }
    const pyramid = await this.pyramid(image);
    const { window } = where;
    const pixels = await pyramid.readLevelWindow(where.level, window, options.bands);
    const valid = new Uint8Array(TILE_PIXELS);
    const bands = pixels.map(() => new Float32Array(TILE_PIXELS));
    for (let r = 0; r < window.height; r += 1) {
      for (let c = 0; c < window.width; c += 1) {
        valid[r * TILE_SIZE_PX + c] = 1;
      }
    }
    pixels.forEach((samples, b) => {
      copyIntoTile(samples, window.width, bands[b], valid, image.nodata);
    });
    return composeRgba(bands, this.#stretches(pyramid, options), valid);
  }

  #transformTo(imageCrs: string): PositionTransform | null {
    return crsTransform(this.deps.crs, WEB_MERCATOR, imageCrs);
  }

  /** Closes every open image. */
  async close(): Promise<void> {
    const open = [...this.#pyramids.values()];
    this.#pyramids.clear();
    await Promise.allSettled(open.map(async (p) => (await p).close()));
  }
}

/** Copies a window's samples into the top-left of a tile, clearing `valid` on nodata/NaN. */
function copyIntoTile(
  samples: PixelArray,
  windowWidth: number,
  out: Float32Array | undefined,
  valid: Uint8Array,
  nodata: number | null,
): void {
  if (out === undefined) return;
  for (let i = 0; i < samples.length; i += 1) {
    const value = samples[i] ?? Number.NaN;
    const t = Math.floor(i / windowWidth) * TILE_SIZE_PX + (i % windowWidth);
    out[t] = value;
    if (Number.isNaN(value) || value === nodata) valid[t] = 0;
  }
}

function describeTile(tile: TileAddress): string {
  return `${tile.z}/${tile.x}/${tile.y}`;
}

/** A lon/lat footprint's box in EPSG:3857 metres. */
function mercatorBbox(footprint: NonNullable<ImageRecord['footprint']>): Bbox {
  const [minLon, minLat, maxLon, maxLat] = bboxOfGeometry(footprint);
  const [minX, minY] = lonLatToMercator([minLon, minLat]);
  const [maxX, maxY] = lonLatToMercator([maxLon, maxLat]);
  return [minX, minY, maxX, maxY];
}
