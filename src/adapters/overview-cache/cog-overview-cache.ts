/**
 * OverviewCache as Cloud-Optimized GeoTIFFs under `<home>/cache/overviews/<sha256>.tif`, written
 * by the project's COG writer (temporary spool files beside the target, fsync, rename: the path
 * never holds a partial file) and read back through the raster opener. A file whose size, band
 * count or data type does not match its image, or that the opener refuses (truncated, corrupt
 * structure), is removed so the next open rebuilds it.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OverviewCache, OverviewCacheWriter } from '../../app/tiles/tile-ports.ts';
import type { RasterOpenLimits, RasterOpener } from '../../app/ports.ts';
import type { ImageRecord } from '../../core/imagery/image.ts';
import type { PixelArray, RasterSource } from '../../core/raster/raster.ts';
import { levelGeoTransform, levelSize } from '../../core/tiles/overview-level.ts';
import { createCogWriter, type CogWriter } from '../cog-writer/cog-writer.ts';

/** Why a cache file was refused, or null when it fits its image. */
function mismatch(source: RasterSource, image: ImageRecord): string | null {
  const expected = levelSize(image.width, image.height, 1);
  const d = source.description;
  if (d.width !== expected.width || d.height !== expected.height) {
    return `size ${d.width} × ${d.height}, expected ${expected.width} × ${expected.height}`;
  }
  if (d.bandNames.length !== image.bands.length) {
    return `${d.bandNames.length} bands, expected ${image.bands.length}`;
  }
  if (d.dataType !== image.dataType) return `data type ${d.dataType}, expected ${image.dataType}`;
  return null;
}

class CogOverviewCacheWriter implements OverviewCacheWriter {
  #failed = false;
  constructor(private readonly writer: CogWriter) {}

  async writeRows(row0: number, bands: readonly PixelArray[]): Promise<void> {
    if (this.#failed) return;
    try {
      await this.writer.writeRows(row0, bands);
    } catch {
      // A cache that cannot be written is no reason to fail the tile: drop it.
      this.#failed = true;
      await this.writer.abort();
    }
  }

  async finish(): Promise<boolean> {
    if (this.#failed) return false;
    try {
      await this.writer.finish();
      return true;
    } catch {
      await this.writer.abort();
      return false;
    }
  }

  abort(): Promise<void> {
    this.#failed = true;
    return this.writer.abort();
  }
}

export class CogOverviewCache implements OverviewCache {
  /**
   * @param dir the cache folder, e.g. `<home>/cache/overviews` (created when first written).
   * @param opener opens the cache files (GeoTIFF).
   */
  constructor(
    readonly dir: string,
    private readonly opener: RasterOpener,
    private readonly limits: RasterOpenLimits,
  ) {}

  /** Path of the cache file of `image`. */
  pathOf(image: ImageRecord): string {
    return join(this.dir, `${image.sha256}.tif`);
  }

  async open(image: ImageRecord): Promise<RasterSource | undefined> {
    const path = this.pathOf(image);
    try {
      await stat(path);
    } catch {
      return undefined;
    }
    let source: RasterSource;
    try {
      source = await this.opener.open({ kind: 'geotiff', path }, this.limits);
    } catch {
      await this.remove(image);
      return undefined;
    }
    if (mismatch(source, image) !== null) {
      await source.close();
      await this.remove(image);
      return undefined;
    }
    return source;
  }

  async create(image: ImageRecord): Promise<OverviewCacheWriter | undefined> {
    const size = levelSize(image.width, image.height, 1);
    const georeferenced = image.crs !== null && image.geoTransform !== null;
    try {
      await mkdir(this.dir, { recursive: true });
      const writer = await createCogWriter(this.pathOf(image), {
        ...size,
        bandCount: image.bands.length,
        dataType: image.dataType,
        nodata: image.nodata,
        crs: georeferenced ? image.crs : null,
        geoTransform: georeferenced ? levelGeoTransform(image.geoTransform, 1) : null,
        // Levels 2, 3, … are reduced from level 1 exactly as the tile pyramid reduces them.
        overviewResampling: 'average',
        // Tile-sized blocks: a tile's window touches at most four, a quarter of 512² blocks.
        tileSize: 256,
        predictor: true,
        deflateLevel: 1,
        bandDescriptions: image.bands.map((band) => band.name),
        metadata: { SITEWATCH_OVERVIEW_CACHE_OF: image.sha256 },
      });
      return new CogOverviewCacheWriter(writer);
    } catch {
      return undefined;
    }
  }

  async remove(image: ImageRecord): Promise<void> {
    await rm(this.pathOf(image), { force: true });
  }
}
