/**
 * {@link ScratchSpace} on the local disk: private folders (mode 700) under the data home's
 * `tmp/` or inside a given folder, removed with everything in them. Each folder holds
 * {@link OWNER_FILE} (the creating process's pid and host, and when), so that the leftovers of a
 * crashed or killed run can be told from a running one's and swept.
 */
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ScratchFolder, ScratchSpace } from '../../app/ports.ts';
import { SitewatchError } from '../../core/errors.ts';

class LocalScratchFolder implements ScratchFolder {
  constructor(readonly path: string) {}

  async move(from: string, to: string): Promise<void> {
    try {
      await rename(from, to);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') {
        throw new SitewatchError('IO', `cannot move ${from} to ${to}: ${String(error)}`, {
          cause: error,
        });
      }
      await copyFile(from, to);
      await rm(from, { force: true });
    }
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}

/** Name of the file recording a scratch folder's owner: JSON {@link ScratchOwner}. */
export const OWNER_FILE = 'owner.json';

/** Who created a scratch folder. */
export interface ScratchOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly createdAtMs: number;
}

async function readOwner(folder: string): Promise<ScratchOwner | null> {
  try {
    const owner = JSON.parse(await readFile(join(folder, OWNER_FILE), 'utf8')) as ScratchOwner;
    return Number.isInteger(owner.pid) && typeof owner.hostname === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** Whether process `pid` exists on this host (EPERM: it does, owned by another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the scratch folder `path` is abandoned: older than maxAgeMs (by its owner file, else
 * its modification time) and, when it names its owner, created on this host by a process that
 * is gone. A folder owned on another host is never judged abandoned (its pid means nothing here).
 */
async function isAbandoned(path: string, maxAgeMs: number, nowMs: number): Promise<boolean> {
  const owner = await readOwner(path);
  const createdAtMs = owner?.createdAtMs ?? (await stat(path)).mtimeMs;
  if (!(nowMs - createdAtMs > maxAgeMs)) return false;
  if (owner === null) return true;
  return owner.hostname === hostname() && !processAlive(owner.pid);
}

export class LocalScratchSpace implements ScratchSpace {
  /** @param tempDir the data home's temporary folder (created when first needed). */
  constructor(readonly tempDir: string) {}

  async createFolder(parent: string | null, prefix: string): Promise<ScratchFolder> {
    const base = parent ?? this.tempDir;
    try {
      await mkdir(base, { recursive: true });
      const path = await mkdtemp(join(base, prefix));
      const owner: ScratchOwner = {
        pid: process.pid,
        hostname: hostname(),
        createdAtMs: Date.now(),
      };
      await writeFile(join(path, OWNER_FILE), JSON.stringify(owner));
      return new LocalScratchFolder(path);
    } catch (error) {
      throw new SitewatchError(
        'IO',
        `cannot create a temporary folder in ${base}: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  async removeAbandoned(prefix: string, maxAgeMs: number): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.tempDir);
    } catch {
      return []; // no temporary folder yet: nothing to sweep
    }
    const removed: string[] = [];
    const nowMs = Date.now();
    for (const name of names.filter((n) => n.startsWith(prefix))) {
      const path = join(this.tempDir, name);
      try {
        if (!(await stat(path)).isDirectory() || !(await isAbandoned(path, maxAgeMs, nowMs))) {
          continue;
        }
        await rm(path, { recursive: true, force: true });
        removed.push(path);
      } catch {
        // Gone meanwhile (another run swept it) or not ours to remove: leave it.
      }
    }
    return removed;
  }
}
