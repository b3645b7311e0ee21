/**
 * {@link ScratchSpace} on the local disk: private folders (mode 700) under the data home's
 * `tmp/` or inside a given folder, removed with everything in them.
 */
import { copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
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

export class LocalScratchSpace implements ScratchSpace {
  /** @param tempDir the data home's temporary folder (created when first needed). */
  constructor(readonly tempDir: string) {}

  async createFolder(parent: string | null, prefix: string): Promise<ScratchFolder> {
    const base = parent ?? this.tempDir;
    try {
      await mkdir(base, { recursive: true });
      return new LocalScratchFolder(await mkdtemp(join(base, prefix)));
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
}
