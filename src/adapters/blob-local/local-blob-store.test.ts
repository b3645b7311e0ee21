import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CancelledError,
  NotFoundError,
  SitewatchError,
  ValidationError,
} from '../../core/errors.ts';

import { LocalBlobStore } from './local-blob-store.ts';
import { seededRandom } from '../../core/random.ts';

const CHUNK = 4096;

function seededBytes(seed: number, length: number): Buffer {
  const random = seededRandom(seed);
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < length; index += 1) bytes[index] = Math.floor(random() * 256);
  return bytes;
}

function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file below `dir`, relative, sorted; [] when `dir` does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('LocalBlobStore', () => {
  let dir: string;
  let root: string;
  let store: LocalBlobStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sitewatch-blobs-'));
    root = join(dir, 'home', 'blobs');
    store = new LocalBlobStore(root, { chunkSizeBytes: CHUNK });
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function source(name: string, bytes: Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  }

  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 5])(
    'stores %i bytes under sha256/<2 hex>/<sha256>, read-only, with nothing left in tmp',
    async (length) => {
      const bytes = seededBytes(length + 1, length);
      const blob = await store.put(source('scene.tif', bytes));
      const sha256 = sha256Of(bytes);
      expect(blob).toEqual({
        sha256,
        sizeBytes: length,
        path: join(root, 'sha256', sha256.slice(0, 2), sha256),
      });
      expect(readFileSync(blob.path).equals(bytes)).toBe(true);
      expect(statSync(blob.path).mode & 0o222).toBe(0);
      expect(filesUnder(root)).toEqual([join('sha256', sha256.slice(0, 2), sha256)]);
    },
  );

  it('is idempotent for identical content from different paths', async () => {
    const bytes = seededBytes(2, 10_000);
    const first = await store.put(source('a.tif', bytes));
    const second = await store.put(source('b.tif', bytes));
    expect(second).toEqual(first);
    expect(filesUnder(root)).toHaveLength(1);
  });

  it('replaces a damaged stored copy whose size is wrong', async () => {
    const bytes = seededBytes(3, 9_000);
    const path = source('scene.tif', bytes);
    const blob = await store.put(path);
    chmodSync(blob.path, 0o644);
    truncateSync(blob.path, 100);
    await store.put(path);
    expect(readFileSync(blob.path).equals(bytes)).toBe(true);
  });

  it('hashes in place without writing to the store', async () => {
    const bytes = seededBytes(4, 12_345);
    const path = source('linked.tif', bytes);
    expect(await store.hash(path)).toEqual({ sha256: sha256Of(bytes), sizeBytes: 12_345, path });
    expect(existsSync(root)).toBe(false);
  });

  it('follows a symbolic link to a regular file', async () => {
    const bytes = seededBytes(5, 100);
    const link = join(dir, 'link.tif');
    symlinkSync(source('target.tif', bytes), link);
    expect((await store.put(link)).sha256).toBe(sha256Of(bytes));
  });

  it('refuses a missing source with NotFoundError naming the path', async () => {
    const missing = join(dir, 'nope.tif');
    await expect(store.put(missing)).rejects.toThrow(NotFoundError);
    await expect(store.hash(missing)).rejects.toThrow(missing);
  });

  it('refuses a folder and a named pipe (without blocking) with ValidationError', async () => {
    const folder = join(dir, 'folder.tif');
    mkdirSync(folder);
    await expect(store.put(folder)).rejects.toThrow(ValidationError);
    const fifo = join(dir, 'pipe.tif');
    execFileSync('mkfifo', [fifo]);
    await expect(store.hash(fifo)).rejects.toThrow(`${fifo} is not a regular file`);
    expect(filesUnder(root)).toEqual([]);
  });

  it('honours an already aborted signal before reading', async () => {
    const controller = new AbortController();
    controller.abort();
    const path = source('scene.tif', seededBytes(6, 100));
    await expect(store.put(path, { signal: controller.signal })).rejects.toThrow(CancelledError);
    await expect(store.hash(path, { signal: controller.signal })).rejects.toThrow(CancelledError);
    expect(filesUnder(root)).toEqual([]);
  });

  it('leaves no file under sha256/ or tmp/ when aborted mid-copy', async () => {
    const path = source('big.tif', seededBytes(7, 1024 * CHUNK));
    const controller = new AbortController();
    const tmp = join(root, 'tmp');
    let sizeAtAbort = 0;
    // Abort once the temp file holds some, but not all, of the bytes.
    const timer = setInterval(() => {
      const [part] = existsSync(tmp) ? readdirSync(tmp) : [];
      const size = part === undefined ? 0 : statSync(join(tmp, part)).size;
      if (size > 0) {
        sizeAtAbort = size;
        controller.abort();
        clearInterval(timer);
      }
    }, 0);
    const outcome: unknown = await store
      .put(path, { signal: controller.signal })
      .catch((error: unknown) => error)
      .finally(() => {
        clearInterval(timer);
      });
    expect(outcome).toBeInstanceOf(CancelledError);
    expect(sizeAtAbort).toBeGreaterThan(0);
    expect(sizeAtAbort).toBeLessThan(1024 * CHUNK);
    expect(filesUnder(root)).toEqual([]);
  });

  it('cleans up the temp file when the final folder cannot be made', async () => {
    const bytes = seededBytes(8, 5_000);
    const sha256 = sha256Of(bytes);
    mkdirSync(join(root, 'sha256'), { recursive: true });
    writeFileSync(join(root, 'sha256', sha256.slice(0, 2)), 'in the way');
    const error: unknown = await store.put(source('scene.tif', bytes)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SitewatchError);
    expect((error as SitewatchError).code).toBe('IO');
    expect(filesUnder(join(root, 'tmp'))).toEqual([]);
    expect(existsSync(store.pathFor(sha256))).toBe(false);
  });

  it('sweeps temp leftovers older than an hour, keeping recent ones', async () => {
    expect(await store.sweepTemp()).toBe(0);
    const tmp = join(root, 'tmp');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'old.part'), 'x');
    writeFileSync(join(tmp, 'fresh.part'), 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(join(tmp, 'old.part'), twoHoursAgo, twoHoursAgo);
    expect(await store.sweepTemp()).toBe(1);
    expect(readdirSync(tmp)).toEqual(['fresh.part']);
    expect(await store.sweepTemp({ olderThanMs: 0 })).toBe(1);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
