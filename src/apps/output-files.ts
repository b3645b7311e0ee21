/**
 * {@link OutputFiles} on the local file system: folders, atomic text files, and rasters
 * through the streaming COG writer.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { OutputFiles, RasterFileSpec, RasterFileWriter } from '../app/ports.ts';
import { SitewatchError } from '../core/errors.ts';
import { createCogWriter } from '../adapters/cog-writer/cog-writer.ts';

export class LocalOutputFiles implements OutputFiles {
  async ensureDir(path: string): Promise<string> {
    const absolute = resolve(path);
    try {
      await mkdir(absolute, { recursive: true });
    } catch (error) {
      throw new SitewatchError('IO', `cannot create output folder ${absolute}: ${String(error)}`, {
        cause: error,
      });
    }
    return absolute;
  }

  join(dir: string, name: string): string {
    return join(dir, name);
  }

  async writeText(path: string, text: string): Promise<void> {
    const temporary = `${path}.tmp-${process.pid}`;
    try {
      await writeFile(temporary, text, 'utf8');
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new SitewatchError('IO', `cannot write ${path}: ${String(error)}`, { cause: error });
    }
  }

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
