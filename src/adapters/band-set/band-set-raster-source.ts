/**
 * RasterSource over a set of single-band GeoTIFFs of one acquisition (e.g. Sentinel-2 `_B01` …
 * `_B12`) at different native resolutions. The set uses the finest band's grid; coarser bands are
 * resampled onto it window by window, reading only the source pixels each window needs.
 */
import type { CrsRegistry, RasterOpenLimits } from '../../app/ports.ts';
import { CancelledError, SitewatchError, ValidationError } from '../../core/errors.ts';
import type { GeoTransform } from '../../core/geo/types.ts';
import type {
  PixelArray,
  PixelWindow,
  RasterDescription,
  RasterSource,
} from '../../core/raster/raster.ts';
import {
  mappingBetweenGrids,
  resampleWindow,
  sourceWindowFor,
  type GridMapping,
  type ResampleMethod,
} from '../../core/raster/resample.ts';
import { crsUnitsAreDegrees } from '../crs/epsg-crs-registry.ts';
import { openGeoTiff } from '../geotiff/geotiff-raster-source.ts';
import { checkBandIndexes, checkWindow } from '../geotiff/pixel-window.ts';
import { checkBandGrids, nativeGsdMeters } from './band-set-grid.ts';

export interface BandSetOptions {
  /** How coarser bands are resampled onto the finest grid; default `bilinear`. */
  readonly resampling?: ResampleMethod;
}

interface OpenBand {
  readonly name: string;
  readonly path: string;
  readonly source: RasterSource;
  /** Null when the band is already on the set's grid. */
  readonly mapping: GridMapping | null;
}

function isIdentity(
  mapping: GridMapping,
  band: RasterDescription,
  grid: RasterDescription,
): boolean {
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9;
  return (
    near(mapping.scaleX, 1) &&
    near(mapping.scaleY, 1) &&
    near(mapping.offsetX, 0) &&
    near(mapping.offsetY, 0) &&
    band.width === grid.width &&
    band.height === grid.height
  );
}

class BandSetRasterSource implements RasterSource {
  constructor(
    readonly description: RasterDescription,
    private readonly bands: readonly OpenBand[],
    private readonly method: ResampleMethod,
  ) {}

  async readWindow(
    window: PixelWindow,
    options: { readonly bands?: readonly number[]; readonly signal?: AbortSignal } = {},
  ): Promise<PixelArray[]> {
    const label = this.bands[0]?.path ?? 'band set';
    checkWindow(window, this.description, label);
    const indexes = checkBandIndexes(options.bands, this.bands.length, label);
    const result: PixelArray[] = [];
    for (const index of indexes) {
      if (options.signal?.aborted === true)
        throw new CancelledError(`reading the band set ${label} was cancelled`);
      const band = this.bands[index];
      if (band === undefined)
        throw new ValidationError(`band index ${index} is outside the band set`);
      result.push(await this.#readBand(band, window, options.signal));
    }
    return result;
  }

  async #readBand(
    band: OpenBand,
    window: PixelWindow,
    signal: AbortSignal | undefined,
  ): Promise<PixelArray> {
    const read = async (w: PixelWindow): Promise<PixelArray> => {
      const [array] = await band.source.readWindow(w, {
        bands: [0],
        ...(signal === undefined ? {} : { signal }),
      });
      if (array === undefined) throw new SitewatchError('IO', `${band.path}: no data returned`);
      return array;
    };
    if (band.mapping === null) return read(window);
    const { width, height } = band.source.description;
    const srcWindow = sourceWindowFor(band.mapping, window, width, height, this.method);
    return resampleWindow({
      src: await read(srcWindow),
      srcWindow,
      mapping: band.mapping,
      dstWindow: window,
      method: this.method,
      nodata: band.source.description.nodata,
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.bands.map((band) => band.source.close()));
  }
}

function describeSet(
  bands: readonly { name: string; description: RasterDescription }[],
  grid: RasterDescription,
  crs: string,
): RasterDescription {
  const descriptions = bands.map((b) => b.description);
  const degrees = crsUnitsAreDegrees(crs);
  const compressions = new Set(descriptions.map((d) => d.layout.compression));
  const tags: Record<string, string> = {};
  for (const description of [...descriptions].reverse()) Object.assign(tags, description.tags);
  return {
    width: grid.width,
    height: grid.height,
    bandNames: bands.map((b) => b.name),
    bandNativeGsdMeters: descriptions.map((d) =>
      nativeGsdMeters(d, d.geoTransform as GeoTransform, degrees),
    ),
    dataType: grid.dataType,
    nodata: grid.nodata,
    crs,
    geoTransform: grid.geoTransform,
    layout: {
      ...grid.layout,
      compression: compressions.size === 1 ? grid.layout.compression : 'mixed',
      overviewCount: Math.min(...descriptions.map((d) => d.layout.overviewCount)),
      cloudOptimized: descriptions.every((d) => d.layout.cloudOptimized),
    },
    tags,
  };
}

/**
 * Opens single-band GeoTIFFs as one multi-band raster on the finest band's grid.
 * @throws ValidationError (naming the two files and their CRSs or extents) when the files are
 *   not single-band, differ in CRS, data type or nodata, or do not cover the same extent within
 *   half the coarser pixel; plus anything {@link openGeoTiff} throws.
 */
export async function openBandSet(
  bands: readonly { readonly name: string; readonly path: string }[],
  limits: RasterOpenLimits,
  crs: CrsRegistry,
  options: BandSetOptions = {},
): Promise<RasterSource> {
  if (bands.length === 0) throw new ValidationError('a band set needs at least one band file');
  const names = new Set(bands.map((b) => b.name));
  if (names.size !== bands.length) {
    throw new ValidationError(
      `band names must be unique, got ${bands.map((b) => b.name).join(', ')}`,
    );
  }
  const sources: RasterSource[] = [];
  try {
    for (const band of bands) sources.push(await openGeoTiff(band.path, limits, crs));
    const grids = bands.map((band, i) => ({
      ...band,
      description: (sources[i] as RasterSource).description,
    }));
    const finest = grids[checkBandGrids(grids)];
    if (finest === undefined) throw new ValidationError('a band set needs at least one band file');
    const gridTransform = finest.description.geoTransform as GeoTransform;
    const open: OpenBand[] = grids.map((band, i) => {
      const mapping = mappingBetweenGrids(
        gridTransform,
        band.description.geoTransform as GeoTransform,
      );
      return {
        name: band.name,
        path: band.path,
        source: sources[i] as RasterSource,
        mapping: isIdentity(mapping, band.description, finest.description) ? null : mapping,
      };
    });
    const description = describeSet(grids, finest.description, finest.description.crs ?? '');
    return new BandSetRasterSource(description, open, options.resampling ?? 'bilinear');
  } catch (error) {
    await Promise.all(sources.map((source) => source.close()));
    throw error;
  }
}
