/**
 * RasterOpener that picks the format adapter for a RasterInput: GeoTIFF/COG, PNG/JPEG with a
 * world file, or a set of single-band GeoTIFFs.
 */
import type { CrsRegistry, RasterInput, RasterOpenLimits, RasterOpener } from '../app/ports.ts';
import type { RasterSource } from '../core/raster/raster.ts';
import type { ResampleMethod } from '../core/raster/resample.ts';
import { openBandSet } from './band-set/band-set-raster-source.ts';
import type { ByteSource } from './geotiff/file-byte-source.ts';
import { openGeoTiff } from './geotiff/geotiff-raster-source.ts';
import { HttpByteSource, isRemoteRasterPath } from './blob-http/http-byte-source.ts';
import { openWorldFileImage } from './world-file/world-file-raster-source.ts';

export interface FileRasterOpenerOptions {
  /** How coarser bands of a band set are resampled onto the finest grid; default `bilinear`. */
  readonly bandSetResampling?: ResampleMethod;
  /**
   * Opens `http://` / `https://` GeoTIFF/COG paths (range reads); default an unsigned
   * {@link HttpByteSource}. The S3 blob store passes one that signs its own bucket's URLs.
   */
  readonly openRemote?: (url: string) => Promise<ByteSource>;
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
  async open(input: RasterInput, limits: RasterOpenLimits): Promise<RasterSource> {
    switch (input.kind) {
      case 'geotiff': {
        const remote = isRemoteRasterPath(input.path)
          ? await (this.options.openRemote ?? ((url: string) => HttpByteSource.open(url)))(
              input.path,
            )
          : undefined;
        return openGeoTiff(input.path, limits, this.crs, {
          ...(input.crs === undefined ? {} : { crsFallback: input.crs }),
          ...(remote === undefined ? {} : { byteSource: remote }),
        });
      }
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
