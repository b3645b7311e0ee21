/**
 * Content-addressed file storage on the local disk. Files are streamed into `tmp/` while
 * hashed, fsynced, renamed to `sha256/<first 2 hex>/<sha256>` and the folder fsynced, so a
 * crash leaves either the whole blob under `sha256/` or nothing there (a leftover in `tmp/`
 * at most, swept at start-up).
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CancelledError,
  NotFoundError,
  SitewatchError,
  ValidationError,
} from '../../core/errors.ts';
import type { BlobStore, StoredBlob } from '../../app/ports.ts';

export interface LocalBlobStoreOptions {
  /** Bytes read per step; also how often an abort is noticed. Default 1 MiB. */
  readonly chunkSizeBytes?: number;
}

interface BlobOptions {
  readonly signal?: AbortSignal;
}

const ONE_HOUR_MS = 3_600_000;

/** {@link BlobStore} under one folder, conventionally `<home>/blobs`. */
export class LocalBlobStore implements BlobStore {
  /** Absolute path of the store's root folder. */
  readonly rootDir: string;
  readonly #chunkSizeBytes: number;

  /** @param rootDir the store's folder, e.g. `<home>/blobs`; created on first put. */
  constructor(rootDir: string, options: LocalBlobStoreOptions = {}) {
    this.rootDir = resolve(rootDir);
    this.#chunkSizeBytes = Math.max(1, Math.trunc(options.chunkSizeBytes ?? 1024 * 1024));
  }

  /** Where a blob with this sha256 lives (whether or not it is stored). */
  pathFor(sha256: string): string {
    return join(this.rootDir, 'sha256', sha256.slice(0, 2), sha256);
  }

  /**
   * Copies `sourcePath` into the store under its sha256, durably; idempotent.
   * @throws NotFoundError when the source does not exist.
   * @throws ValidationError when it is not a regular file (a folder, a device, a pipe).
   * @throws CancelledError when `signal` aborts; nothing is left under `sha256/` then.
   * @throws SitewatchError with code `IO` when it cannot be read or the store written.
   */
  async put(sourcePath: string, options: BlobOptions = {}): Promise<StoredBlob> {
    const source = await openRegularFile(sourcePath, options.signal);
    const tmpDir = join(this.rootDir, 'tmp');
    const tmpPath = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    let target: FileHandle | undefined;
    try {
      await mkdir(tmpDir, { recursive: true });
      target = await open(tmpPath, 'wx', 0o444);
      const digest = await this.#copy(source, sourcePath, target, options.signal);
      await target.sync();
      await target.close();
      target = undefined;
      throwIfAborted(options.signal, sourcePath);
      await this.#moveIntoPlace(tmpPath, digest);
      return { ...digest, path: this.pathFor(digest.sha256) };
    } catch (error) {
      await target?.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
      throw asSitewatchError(error, `cannot store ${sourcePath} in ${this.rootDir}`);
    } finally {
      await source.close().catch(() => undefined);
    }
  }

  /**
   * Hashes `sourcePath` in place without storing it (for `--link`).
   * @returns the sha256, the size and the source's absolute path.
   * @throws NotFoundError, ValidationError, CancelledError, SitewatchError as {@link put} does.
   */
  async hash(sourcePath: string, options: BlobOptions = {}): Promise<StoredBlob> {
    const source = await openRegularFile(sourcePath, options.signal);
    try {
      const digest = await this.#copy(source, sourcePath, undefined, options.signal);
      return { ...digest, path: resolve(sourcePath) };
    } catch (error) {
      throw asSitewatchError(error, `cannot read ${sourcePath}`);
    } finally {
      await source.close().catch(() => undefined);
    }
  }

  /**
   * Removes leftovers of interrupted puts from `tmp/` older than `olderThanMs` (default one
   * hour, so a put running in another process is left alone). Call at start-up.
   * @returns how many files were removed.
   */
  async sweepTemp(options: { readonly olderThanMs?: number } = {}): Promise<number> {
    const tmpDir = join(this.rootDir, 'tmp');
    const cutoffMs = Date.now() - (options.olderThanMs ?? ONE_HOUR_MS);
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 0;
      throw asSitewatchError(error, `cannot list ${tmpDir}`);
    }
    let removed = 0;
    for (const name of names) {
      const path = join(tmpDir, name);
      const info = await stat(path).catch(() => undefined);
      if (info === undefined || info.mtimeMs > cutoffMs) continue;
      await rm(path, { recursive: true, force: true });
      removed += 1;
    }
    return removed;
  }

  /** Streams `source` through sha256, writing to `target` when given. */
  async #copy(
    source: FileHandle,
    sourcePath: string,
    target: FileHandle | undefined,
    signal: AbortSignal | undefined,
  ): Promise<{ sha256: string; sizeBytes: number }> {
    const hasher = createHash('sha256');
    const buffer = Buffer.allocUnsafe(this.#chunkSizeBytes);
    let sizeBytes = 0;
    for (;;) {
      throwIfAborted(signal, sourcePath);
      const { bytesRead } = await source.read(buffer, 0, buffer.length, sizeBytes);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hasher.update(chunk);
      if (target !== undefined) await writeAll(target, chunk);
      sizeBytes += bytesRead;
    }
    return { sha256: hasher.digest('hex'), sizeBytes };
  }

  /** Renames the synced temp file to its content address and syncs the folders. */
  async #moveIntoPlace(tmpPath: string, digest: { sha256: string; sizeBytes: number }) {
    const shardDir = join(this.rootDir, 'sha256', digest.sha256.slice(0, 2));
    const created = await mkdir(shardDir, { recursive: true });
    const finalPath = this.pathFor(digest.sha256);
    const existing = await stat(finalPath).catch(() => undefined);
    if (existing?.isFile() === true && existing.size === digest.sizeBytes) {
      // Same name is same content; keep the stored copy.
      await unlink(tmpPath);
      return;
    }
    // Absent, or a damaged copy of the wrong size: the rename replaces it atomically.
    await rename(tmpPath, finalPath);
    await syncDirectory(shardDir);
    if (created !== undefined) {
      await syncDirectory(join(this.rootDir, 'sha256'));
      await syncDirectory(this.rootDir);
    }
  }
}

/**
 * Opens a path for reading and checks that it is a regular file. O_NONBLOCK keeps a named
 * pipe from blocking the open; it changes nothing for regular files.
 */
async function openRegularFile(path: string, signal: AbortSignal | undefined): Promise<FileHandle> {
  throwIfAborted(signal, path);
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(
    (error: unknown) => {
      throw sourceError(error, path);
    },
  );
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    const kind = info.isDirectory() ? 'a folder' : 'not a regular file';
    throw new ValidationError(`${path} is ${kind}; expected a regular file`);
  }
  return handle;
}

/** Writes all of `chunk`, looping over short writes. */
async function writeAll(target: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await target.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function throwIfAborted(signal: AbortSignal | undefined, path: string): void {
  if (signal?.aborted === true) {
    throw new CancelledError(`reading ${path} was cancelled`, { cause: signal.reason });
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}

function sourceError(error: unknown, path: string): SitewatchError {
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new NotFoundError(`${path} does not exist`, { cause: error });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new SitewatchError('IO', `${path} cannot be read: permission denied`, { cause: error });
  }
  return asSitewatchError(error, `cannot read ${path}`);
}

function asSitewatchError(error: unknown, context: string): SitewatchError {
  if (error instanceof SitewatchError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new SitewatchError('IO', `${context}: ${detail}`, { cause: error });
}
