/**
 * {@link ModelRegistry} on the file system. A model is a folder `<id>/` holding `model.onnx`
 * and `descriptor.json`; installed models live in `<home>/models/`, the models shipped with
 * sitewatch in the repository's `models/` folder (read-only), and the model-free
 * `tophat-baseline` is always there. Installing copies both files into a temporary folder
 * beside the target and renames it into place, so a crash leaves the whole model or nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { InstalledModel, ModelRegistry } from '../../app/ports.ts';
import { parseModelDescriptor } from '../../core/detect/descriptor.ts';
import { TOPHAT_BASELINE_DESCRIPTOR, TOPHAT_BASELINE_ID } from '../../core/detect/tophat.ts';
import {
  ConflictError,
  NotFoundError,
  SitewatchError,
  ValidationError,
} from '../../core/errors.ts';

export const MODEL_FILE = 'model.onnx';
export const DESCRIPTOR_FILE = 'descriptor.json';

export interface FsModelRegistryOptions {
  /** `<home>/models`: where `models add` installs. */
  readonly installDir: string;
  /** The repository's `models/` folder of shipped models, or null. */
  readonly builtInDir: string | null;
}

const TOPHAT_ENTRY: InstalledModel = {
  kind: 'tophat',
  id: TOPHAT_BASELINE_ID,
  version: TOPHAT_BASELINE_DESCRIPTOR.version,
  description: TOPHAT_BASELINE_DESCRIPTOR.description,
  classes: TOPHAT_BASELINE_DESCRIPTOR.classes,
  origin: 'built-in',
};

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function hashFile(path: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    sizeBytes += bytes.length;
    hash.update(bytes);
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

export class FsModelRegistry implements ModelRegistry {
  readonly #installDir: string;
  readonly #builtInDir: string | null;
  /** sha256 by path + size + mtime, so listing does not rehash unchanged files. */
  readonly #hashes = new Map<string, { sha256: string; sizeBytes: number }>();

  constructor(options: FsModelRegistryOptions) {
    this.#installDir = resolve(options.installDir);
    this.#builtInDir = options.builtInDir === null ? null : resolve(options.builtInDir);
  }

  async readDescriptor(path: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ValidationError(
        `model descriptor ${path}: cannot read the file (${(error as Error).message})`,
        { cause: error },
      );
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ValidationError(
        `model descriptor ${path}: not valid JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
  }

  async descriptorBeside(modelPath: string): Promise<string | undefined> {
    const dir = dirname(resolve(modelPath));
    const stem = basename(modelPath, extname(modelPath));
    for (const name of [`${stem}.json`, DESCRIPTOR_FILE]) {
      const candidate = join(dir, name);
      if (await isFile(candidate)) return candidate;
    }
    return undefined;
  }

  async #hash(path: string): Promise<{ sha256: string; sizeBytes: number }> {
    const info = await stat(path);
    const key = `${path}\n${info.size}\n${info.mtimeMs}`;
    const cached = this.#hashes.get(key);
    if (cached !== undefined) return cached;
    const hashed = await hashFile(path);
    this.#hashes.set(key, hashed);
    return hashed;
  }

  async #load(
    modelPath: string,
    descriptorPath: string,
    origin: 'built-in' | 'installed' | 'path',
  ): Promise<InstalledModel> {
    const descriptor = parseModelDescriptor(
      await this.readDescriptor(descriptorPath),
      descriptorPath,
    );
    const { sha256, sizeBytes } = await this.#hash(modelPath);
    return {
      kind: 'onnx',
      id: descriptor.id,
      version: descriptor.version,
      descriptor,
      modelPath,
      descriptorPath,
      sha256,
      sizeBytes,
      origin,
    };
  }

  /** Folders of `dir` holding both files, by name. */
  async #folders(dir: string | null): Promise<string[]> {
    if (dir === null || !(await isDirectory(dir))) return [];
    const entries = await readdir(dir, { withFileTypes: true });
    const names: string[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const folder = join(dir, entry.name);
      if (
        (await isFile(join(folder, MODEL_FILE))) &&
        (await isFile(join(folder, DESCRIPTOR_FILE)))
      ) {
        names.push(entry.name);
      }
    }
    return names.sort();
  }

  async list(): Promise<InstalledModel[]> {
    const out: InstalledModel[] = [TOPHAT_ENTRY];
    for (const [dir, origin] of [
      [this.#builtInDir, 'built-in'],
      [this.#installDir, 'installed'],
    ] as const) {
      if (dir === null) continue;
      for (const name of await this.#folders(dir)) {
        const folder = join(dir, name);
        const model = await this.#load(
          join(folder, MODEL_FILE),
          join(folder, DESCRIPTOR_FILE),
          origin,
        );
        if (!out.some((m) => m.id === model.id)) out.push(model);
      }
    }
    return out;
  }

  async #byId(id: string): Promise<InstalledModel | undefined> {
    if (id === TOPHAT_BASELINE_ID) return TOPHAT_ENTRY;
    for (const [dir, origin] of [
      [this.#installDir, 'installed'],
      [this.#builtInDir, 'built-in'],
    ] as const) {
      if (dir === null) continue;
      const folder = join(dir, id);
      if (
        (await isFile(join(folder, MODEL_FILE))) &&
        (await isFile(join(folder, DESCRIPTOR_FILE)))
      ) {
        return this.#load(join(folder, MODEL_FILE), join(folder, DESCRIPTOR_FILE), origin);
      }
    }
    return undefined;
  }

  async resolve(ref: string): Promise<InstalledModel> {
    const byId = /^[a-z0-9-]+$/.test(ref) ? await this.#byId(ref) : undefined;
    if (byId !== undefined) return byId;
    const path = resolve(ref);
    if (await isDirectory(path)) {
      const model = join(path, MODEL_FILE);
      const descriptor = join(path, DESCRIPTOR_FILE);
      if (!(await isFile(model)) || !(await isFile(descriptor))) {
        throw new NotFoundError(
          `model folder ${path} must hold ${MODEL_FILE} and ${DESCRIPTOR_FILE}`,
        );
      }
      return this.#load(model, descriptor, 'path');
    }
    if (await isFile(path)) {
      const descriptor = await this.descriptorBeside(path);
      if (descriptor === undefined) {
        throw new ValidationError(
          `model ${path}: no descriptor beside it (${basename(path, extname(path))}.json or ${DESCRIPTOR_FILE}); install it with: sitewatch models add ${path} --descriptor FILE`,
        );
      }
      return this.#load(path, descriptor, 'path');
    }
    const known = (await this.list()).map((m) => m.id).join(', ');
    throw new NotFoundError(
      `model "${ref}": no model with this id and no such file or folder (models: ${known}); add one with: sitewatch models add MODEL.onnx --descriptor FILE`,
    );
  }

  async install(modelPath: string, descriptorJson: unknown, id: string): Promise<InstalledModel> {
    if (id === TOPHAT_BASELINE_ID || (await this.#byId(id)) !== undefined) {
      throw new ConflictError(
        `model "${id}" already exists; give the descriptor another id (or remove ${join(this.#installDir, id)})`,
      );
    }
    if (!(await isFile(modelPath))) {
      throw new NotFoundError(`model file ${modelPath} not found`);
    }
    const target = join(this.#installDir, id);
    const temporary = join(this.#installDir, `.tmp-${id}-${process.pid}`);
    try {
      await mkdir(temporary, { recursive: true });
      await copyFile(modelPath, join(temporary, MODEL_FILE));
      const descriptorPath = join(temporary, DESCRIPTOR_FILE);
      const handle = await open(descriptorPath, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(descriptorJson, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      const modelHandle = await open(join(temporary, MODEL_FILE), 'r');
      try {
        await modelHandle.sync();
      } finally {
        await modelHandle.close();
      }
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      if (error instanceof SitewatchError) throw error;
      throw new SitewatchError(
        'IO',
        `cannot install model ${modelPath} into ${target}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return this.#load(join(target, MODEL_FILE), join(target, DESCRIPTOR_FILE), 'installed');
  }
}
