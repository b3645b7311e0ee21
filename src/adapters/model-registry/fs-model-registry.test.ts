import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { writeTinyModelFolder } from '../onnx/testdata/detect-scenes.ts';
import { FsModelRegistry } from './fs-model-registry.ts';

const root = mkdtempSync(join(tmpdir(), 'sitewatch-models-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('FsModelRegistry', () => {
  const builtIn = join(root, 'repo-models');
  const installDir = join(root, 'home', 'models');
  const shipped = writeTinyModelFolder(builtIn, 'shipped-one');
  const registry = new FsModelRegistry({ installDir, builtInDir: builtIn });

  it('lists the baseline first, then the shipped models, with the sha256 of each file', async () => {
    const list = await registry.list();
    expect(list.map((m) => [m.id, m.origin])).toEqual([
      ['tophat-baseline', 'built-in'],
      ['shipped-one', 'built-in'],
    ]);
    const model = list[1]!;
    expect(model.kind === 'onnx' && model.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resolves an id, a model folder, and an .onnx file with <stem>.json beside it', async () => {
    expect((await registry.resolve('shipped-one')).origin).toBe('built-in');
    expect((await registry.resolve(shipped.dir)).origin).toBe('path');
    const loose = join(root, 'loose');
    const folder = writeTinyModelFolder(loose, 'loose-model');
    copyFileSync(folder.modelPath, join(loose, 'mine.onnx'));
    copyFileSync(folder.descriptorPath, join(loose, 'mine.json'));
    const byFile = await registry.resolve(join(loose, 'mine.onnx'));
    expect(byFile).toMatchObject({
      id: 'loose-model',
      origin: 'path',
      modelPath: join(loose, 'mine.onnx'),
    });
  });

  it('names the reference and the known models when nothing matches', async () => {
    await expect(registry.resolve('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(registry.resolve('nope')).rejects.toThrow(/models: tophat-baseline, shipped-one/);
  });

  it('refuses a model file without a descriptor beside it', async () => {
    const bare = join(root, 'bare.onnx');
    copyFileSync(shipped.modelPath, bare);
    await expect(registry.resolve(bare)).rejects.toBeInstanceOf(ValidationError);
  });

  it('installs a copy under its id, then refuses the same id, a built-in id and the baseline id', async () => {
    const source = writeTinyModelFolder(join(root, 'src'), 'new-one');
    const installed = await registry.install(source.modelPath, source.descriptor, 'new-one');
    expect(installed).toMatchObject({
      id: 'new-one',
      origin: 'installed',
      modelPath: join(installDir, 'new-one', 'model.onnx'),
    });
    expect(readdirSync(installDir)).toEqual(['new-one']);
    for (const id of ['new-one', 'shipped-one', 'tophat-baseline']) {
      await expect(
        registry.install(source.modelPath, source.descriptor, id),
      ).rejects.toBeInstanceOf(ConflictError);
    }
    expect(readdirSync(installDir)).toEqual(['new-one']);
  });

  it('reports an unreadable descriptor as a ValidationError naming the file', async () => {
    const path = join(root, 'broken.json');
    writeFileSync(path, '{');
    await expect(registry.readDescriptor(path)).rejects.toThrow(
      new RegExp(`${path}: not valid JSON`),
    );
    await expect(registry.readDescriptor(join(root, 'missing.json'))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
