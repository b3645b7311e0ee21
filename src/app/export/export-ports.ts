/** What the export use cases need from the file system. Every write is atomic. */
import type { ExportLayer } from '../../core/export/export-layer.ts';

export interface ExportFiles {
  /** Reads a UTF-8 file (a comparison's changes.geojson). @throws NotFoundError when absent */
  readText(path: string): Promise<string>;
  /** Creates the folder (and parents) if needed; returns its absolute path. */
  ensureDir(path: string): Promise<string>;
  /** Joins path segments the platform's way. */
  join(dir: string, name: string): string;
  /** Writes text to a temporary file, then renames it to `path`. */
  writeText(path: string, text: string): Promise<void>;
  /** Writes the layer as a GeoPackage (temporary file, then rename). */
  writeGeoPackage(path: string, layer: ExportLayer): Promise<void>;
  /** Copies a file (temporary file, then rename). @throws NotFoundError when `from` is absent */
  copyFile(from: string, to: string): Promise<void>;
}
