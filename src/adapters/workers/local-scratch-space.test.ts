import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalScratchSpace, OWNER_FILE, type ScratchOwner } from './local-scratch-space.ts';

const root = mkdtempSync(join(tmpdir(), 'sitewatch-scratch-'));
const DAY_MS = 24 * 60 * 60 * 1000;

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid;

function folderWithOwner(tempDir: string, name: string, owner: ScratchOwner | null): string {
  const path = join(tempDir, name);
  mkdirSync(path);
  writeFileSync(join(path, 'strips.bin'), 'x');
  if (owner !== null) writeFileSync(join(path, OWNER_FILE), JSON.stringify(owner));
  return path;
}

describe('LocalScratchSpace', () => {
  it('records its owner in each folder it creates, and removes the folder', async () => {
    const space = new LocalScratchSpace(join(root, 'own', 'tmp'));
    const folder = await space.createFolder(null, 'compare-');
    const owner = JSON.parse(readFileSync(join(folder.path, OWNER_FILE), 'utf8')) as ScratchOwner;
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(Math.abs(owner.createdAtMs - Date.now())).toBeLessThan(DAY_MS);
    await folder.remove();
    await folder.remove();
    expect(existsSync(folder.path)).toBe(false);
  });

  it('sweeps only old folders of the prefix whose owner process is gone on this host', async () => {
    const tempDir = join(root, 'sweep', 'tmp');
    mkdirSync(tempDir, { recursive: true });
    const old = Date.now() - DAY_MS - 60_000;
    const here = hostname();
    const abandoned = folderWithOwner(tempDir, 'compare-dead', {
      pid: deadPid,
      hostname: here,
      createdAtMs: old,
    });
    const legacy = folderWithOwner(tempDir, 'compare-legacy', null);
    utimesSync(legacy, old / 1000, old / 1000);
    const kept = [
      folderWithOwner(tempDir, 'compare-running', {
        pid: process.pid,
        hostname: here,
        createdAtMs: old,
      }),
      folderWithOwner(tempDir, 'compare-young', {
        pid: deadPid,
        hostname: here,
        createdAtMs: Date.now(),
      }),
      folderWithOwner(tempDir, 'compare-elsewhere', {
        pid: deadPid,
        hostname: `not-${here}`,
        createdAtMs: old,
      }),
      folderWithOwner(tempDir, 'detect-dead', { pid: deadPid, hostname: here, createdAtMs: old }),
    ];
    const space = new LocalScratchSpace(tempDir);
    const removed = await space.removeAbandoned('compare-', DAY_MS);
    expect(removed.sort()).toEqual([abandoned, legacy].sort());
    expect(existsSync(abandoned) || existsSync(legacy)).toBe(false);
    for (const path of kept) expect(existsSync(path)).toBe(true);
    expect(await space.removeAbandoned('compare-', DAY_MS)).toEqual([]);
  });

  it('finds nothing to sweep before its temporary folder exists', async () => {
    const space = new LocalScratchSpace(join(root, 'never-created'));
    expect(await space.removeAbandoned('compare-', 0)).toEqual([]);
  });
});
