/**
 * {@link OutputFiles} on the local file system: folders, atomic text files, and rasters
 * through the streaming COG writer.
 */
import type { OutputFiles, RasterFileSpec, RasterFileWriter } from '../app/ports.ts';
import { createCogWriter } from '../adapters/cog-writer/cog-writer.ts';
import { LocalTextFiles } from '../adapters/fs/local-export-files.ts';

export class LocalOutputFiles extends LocalTextFiles implements OutputFiles {
  createRaster(path: string, spec: RasterFileSpec): Promise<RasterFileWriter> {
    return createCogWriter(path, {
      width: spec.width,
      height: spec.height,
      bandCount: spec.bandCount,
      dataType: spec.dataType,
      nodata: spec.nodata,
      crs: spec.crs,
      geoTransform: spec.geoTransform,
      overviewResampling: spec.overviewResampling,
      predictor: true,
    });
  }
}
