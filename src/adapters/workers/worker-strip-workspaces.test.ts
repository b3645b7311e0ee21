import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeChangeField } from '../../app/compare/change-field.ts';
import { combinedChangeMap } from '../../app/compare/combined-map.ts';
import { inThreadStripWorkspaces } from '../../app/compare/in-thread-strips.ts';
import type { NormaliseMethod } from '../../app/compare/normalise-pair.ts';
import type { WarpInput } from '../../app/compare/strip-kernels.ts';
import {
  fillStripCache,
  syntheticStrips,
  type SyntheticStrips,
} from '../../app/compare/synthetic-strips.ts';
import type { StripWorkspaceFactory } from '../../app/ports.ts';
import { DEFAULT_CHANGE_CONFIG } from '../../core/change/defaults.ts';
import { ValidationError } from '../../core/errors.ts';
import { LocalScratchSpace, OWNER_FILE } from './local-scratch-space.ts';
import { WorkerStripWorkspaces } from './worker-strip-workspaces.ts';

const strips: SyntheticStrips = syntheticStrips({
  width: 70,
  height: 90,
  bandCount: 3,
  seed: 11,
  stripRows: 16,
  gain: [1.1, 0.9, 1.05],
  offset: [50, -20, 10],
  changes: [{ col0: 20, row0: 30, width: 25, height: 20 }],
});

const inMemory = new WorkerStripWorkspaces({ threads: 2, minPixelsForThreads: 0 });
const spilled = new WorkerStripWorkspaces({
  threads: 2,
  minPixelsForThreads: 0,
  memoryBudgetBytes: 0,
});
const scratch = new LocalScratchSpace(mkdtempSync(join(tmpdir(), 'sitewatch-strips-')));

afterAll(async () => {
  await Promise.all([inMemory.close(), spilled.close()]);
});

async function changeField(
  factory: StripWorkspaceFactory,
  method: 'combined' | 'irmad' | 'cva',
  normalise: NormaliseMethod,
) {
  const folder = await scratch.createFolder(null, 'compare-');
  const workspace = await factory.open(strips.layout, folder.path);
  try {
    await fillStripCache(workspace, strips);
    const result = await computeChangeField(strips.pair, strips.layout, workspace, {
      method,
      normalise,
    });
    return { ...result, storage: workspace.cache.storage, threads: workspace.runner.concurrency };
  } finally {
    await workspace.close();
    await folder.remove();
  }
}

describe('strip workspaces on worker threads', () => {
  it.each([
    ['irmad', 'irmad'],
    ['cva', 'irmad'],
    ['cva', 'histogram'],
    ['cva', 'none'],
    ['combined', 'none'],
  ] as const)(
    'give the same %s field (normalise %s) as one thread, in memory and spilled to a file',
    async (method, normalise) => {
      const reference = await changeField(inThreadStripWorkspaces, method, normalise);
      const memory = await changeField(inMemory, method, normalise);
      const file = await changeField(spilled, method, normalise);
      expect([memory.storage, memory.threads]).toEqual(['memory', 2]);
      expect([file.storage, file.threads]).toEqual(['file', 2]);
      expect(reference.field.validPixels).toBe(70 * 90);
      for (const other of [memory, file]) {
        expect(Buffer.from(other.field.magnitude.buffer)).toEqual(
          Buffer.from(reference.field.magnitude.buffer),
        );
        expect(other.field.valid).toEqual(reference.field.valid);
        expect(other.field.chiSquare === null).toBe(method !== 'combined');
        if (other.field.chiSquare !== null && reference.field.chiSquare !== null) {
          expect(Buffer.from(other.field.chiSquare.buffer)).toEqual(
            Buffer.from(reference.field.chiSquare.buffer),
          );
          const mask = (field: typeof reference.field) =>
            combinedChangeMap(
              {
                cvaMagnitude: field.magnitude.slice(),
                chiSquare: field.chiSquare!.slice(),
                valid: field.valid,
                width: 70,
                height: 90,
                bandCount: 3,
                gsdMeters: null,
              },
              DEFAULT_CHANGE_CONFIG,
              4,
            ).mask;
          const expected = mask(reference.field);
          expect(expected.some((v) => v === 1)).toBe(true);
          expect(mask(other.field)).toEqual(expected);
        }
        expect(other.normalisation).toEqual(reference.normalisation);
      }
    },
  );

  it('warps a strip as in one thread', async () => {
    const folder = await scratch.createFolder(null, 'warp-');
    const workspace = await inMemory.open(strips.layout, folder.path);
    const source = Float32Array.from({ length: 12 * 10 }, (_, i) => (i * 37) % 101);
    const input = (): WarpInput => ({
      window: { col0: 0, row0: 2, width: 9, height: 5 },
      sources: [source],
      sourceWindow: { col0: 0, row0: 0, width: 12, height: 10 },
      sourceRasterWidth: 12,
      sourceRasterHeight: 10,
      nodata: null,
      bandCount: 1,
      positions: { kind: 'affine', affine: [1, 0, 0.3, 0, 1, -0.6] },
    });
    const pooled = await workspace.runner.run('warp', input());
    const local = await (
      await inThreadStripWorkspaces.open(strips.layout, '')
    ).runner.run('warp', input());
    expect(pooled).toEqual(local);
    expect(pooled.valid.some((v) => v === 1)).toBe(true);
    await workspace.close();
    await folder.remove();
  });

  it('passes a kernel error back as its class, naming the problem', async () => {
    const folder = await scratch.createFolder(null, 'error-');
    const workspace = await inMemory.open(strips.layout, folder.path);
    const run = workspace.runner.run('irmadMoments', {
      strip: { row0: 0, height: 1, bandsA: [], bandsB: [], valid: new Uint8Array(1) },
      previous: null,
      normalisation: { kind: 'none' },
    });
    await expect(run).rejects.toBeInstanceOf(ValidationError);
    await expect(run).rejects.toThrow(/bandCount must be an integer/);
    await workspace.close();
    await folder.remove();
  });

  it('spills to a file in the scratch folder, removed with it', async () => {
    const folder = await scratch.createFolder(null, 'spill-');
    const workspace = await spilled.open(strips.layout, folder.path);
    await fillStripCache(workspace, strips);
    expect(readdirSync(folder.path).sort()).toEqual([OWNER_FILE, 'strips.bin']);
    const strip = await workspace.cache.get(2);
    expect(strip.row0).toBe(32);
    expect(strip.bandsB[1]).toEqual(strips.b[2]?.bands[1]);
    await expect(workspace.cache.get(99)).rejects.toBeInstanceOf(ValidationError);
    // A released strip's memory serves the next read of the same size.
    workspace.cache.release(strip);
    const next = await workspace.cache.get(3);
    expect(next.valid.buffer).toBe(strip.valid.buffer);
    expect(next.bandsA[0]).toEqual(strips.a[3]?.bands[0]);
    expect(next.valid).toEqual(strips.a[3]?.valid);
    await workspace.close();
    await folder.remove();
    expect(existsSync(folder.path)).toBe(false);
  });
});
