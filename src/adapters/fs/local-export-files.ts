/**
 * {@link ExportFiles} on the local file system, for the CLI and for the export routes' scratch
 * folder alike: atomic text writes and copies (temporary file beside the target, then rename)
 * and the GeoPackage writer.
 */
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ExportFiles } from '../../app/export/export-ports.ts';
import { NotFoundError, SitewatchError } from '../../core/errors.ts';
import type { ExportLayer } from '../../core/export/export-layer.ts';
import { writeGeoPackage } from '../gpkg/gpkg-writer.ts';

/** Creates `path` (and its parents); answers its absolute form. */
export async function ensureLocalDir(path: string): Promise<string> {
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

/** Writes `text` to a temporary file beside `path`, then renames it: never a half-written file. */
export async function writeTextAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new SitewatchError('IO', `cannot write ${path}: ${String(error)}`, { cause: error });
  }
}

/** Folders and atomic text files on the local file system: what export and output files share. */
export class LocalTextFiles {
  ensureDir(path: string): Promise<string> {
    return ensureLocalDir(path);
  }

  join(dir: string, name: string): string {
    return join(dir, name);
  }

  writeText(path: string, text: string): Promise<void> {
    return writeTextAtomically(path, text);
  }
}

export class LocalExportFiles extends LocalTextFiles implements ExportFiles {
  async readText(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new NotFoundError(`${path}: cannot read the file (${String(error)})`, { cause: error });
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
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing) throw new NotFoundError(`cannot copy ${from} to ${to}: ${String(error)}`);
      throw new SitewatchError('IO', `cannot copy ${from} to ${to}: ${String(error)}`, {
        cause: error,
      });
    }
  }
}
