/**
 * {@link ExportFiles} for the export routes: the same atomic writes as the CLI's (temporary
 * file, then rename; the GeoPackage writer), into the scratch folder a download is built in.
 */
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ExportFiles } from '../../../app/export/export-ports.ts';
import { NotFoundError, SitewatchError } from '../../../core/errors.ts';
import type { ExportLayer } from '../../../core/export/export-layer.ts';
import { writeGeoPackage } from '../../gpkg/gpkg-writer.ts';

export class ScratchExportFiles implements ExportFiles {
  async readText(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new NotFoundError(`${path}: cannot read the file (${String(error)})`, { cause: error });
    }
  }

  async ensureDir(path: string): Promise<string> {
    const absolute = resolve(path);
    await mkdir(absolute, { recursive: true });
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
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new NotFoundError(`cannot copy ${from}: the file is gone (${String(error)})`);
      }
      throw new SitewatchError('IO', `cannot copy ${from} to ${to}: ${String(error)}`, {
        cause: error,
      });
    }
  }
}
