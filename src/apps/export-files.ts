/**
 * {@link ExportFiles} on the local file system: atomic text writes and copies (temporary file
 * beside the target, then rename) and the GeoPackage writer.
 */
import { copyFile, readFile, rename, rm } from 'node:fs/promises';
import type { ExportFiles } from '../app/export/export-ports.ts';
import { NotFoundError, SitewatchError } from '../core/errors.ts';
import type { ExportLayer } from '../core/export/export-layer.ts';
import { LocalOutputFiles } from './output-files.ts';
import { writeGeoPackage } from '../adapters/gpkg/gpkg-writer.ts';

export class LocalExportFiles implements ExportFiles {
  private readonly output = new LocalOutputFiles();

  async readText(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new NotFoundError(`${path}: cannot read the file (${String(error)})`, { cause: error });
    }
  }

  ensureDir(path: string): Promise<string> {
    return this.output.ensureDir(path);
  }

  join(dir: string, name: string): string {
    return this.output.join(dir, name);
  }

  writeText(path: string, text: string): Promise<void> {
    return this.output.writeText(path, text);
  }

  writeGeoPackage(path: string, layer: ExportLayer): Promise<void> {
    writeGeoPackage(path, layer);
    return Promise.resolve();
  }

  async copyFile(from: string, to: string): Promise<void> {
    const temporary = `${to}.tmp-${process.pid}`;
    try {
      await copyFile(from, temporary);
      await rename(temporary, to);
    } catch (error) {
      await rm(temporary, { force: true });
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing) throw new NotFoundError(`cannot copy ${from} to ${to}: ${String(error)}`);
      throw new SitewatchError('IO', `cannot copy ${from} to ${to}: ${String(error)}`, {
        cause: error,
      });
    }
  }
}
