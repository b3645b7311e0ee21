/**
 * RasterOpener that picks the format adapter for a RasterInput: GeoTIFF/COG, PNG/JPEG with a
 * world file, or a set of single-band GeoTIFFs.
 */
import type { CrsRegistry, RasterInput, RasterOpenLimits, RasterOpener } from '../app/ports.ts';
import type { RasterSource } from '../core/raster/raster.ts';
import type { ResampleMethod } from '../core/raster/resample.ts';
import { openBandSet } from './band-set/band-set-raster-source.ts';
import { openGeoTiff } from './geotiff/geotiff-raster-source.ts';
import { openWorldFileImage } from './world-file/world-file-raster-source.ts';

export interface FileRasterOpenerOptions {
  /** How coarser bands of a band set are resampled onto the finest grid; default `bilinear`. */
  readonly bandSetResampling?: ResampleMethod;
}

/** Opens local raster files; every method reads through the adapters' own limit checks. */
export class FileRasterOpener implements RasterOpener {
  constructor(
    private readonly crs: CrsRegistry,
    private readonly options: FileRasterOpenerOptions = {},
  ) {}

  /**
   * @throws CorruptFileError, TooLargeError, UnknownCrsError, UnsupportedError, ValidationError,
   *   NotFoundError (see each adapter).
   */
  open(input: RasterInput, limits: RasterOpenLimits): Promise<RasterSource> {
    switch (input.kind) {
      case 'geotiff':
        return openGeoTiff(
          input.path,
          limits,
          this.crs,
          input.crs === undefined ? {} : { crsFallback: input.crs },
        );
      case 'world-file-image':
        return openWorldFileImage(input, limits, this.crs);
      case 'band-set': {
        const { bandSetResampling } = this.options;
        return openBandSet(
          input.bands,
          limits,
          this.crs,
          bandSetResampling === undefined ? {} : { resampling: bandSetResampling },
        );
      }
    }
  }
}
