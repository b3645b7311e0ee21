/**
 * Access to the real imagery in ../shared/data for tests. Tests that need it use
 * `describeShared`, which skips (with the reason in the test name) when the folder is absent,
 * so the rest of the suite never depends on it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of ../shared/data (override with SITEWATCH_SHARED_DATA). */
export const sharedDataDir: string =
  process.env.SITEWATCH_SHARED_DATA ?? resolve(repoRoot, '../shared/data');

export const hasSharedData: boolean = existsSync(sharedDataDir);

/** Path of a file under ../shared/data. */
export function sharedData(...parts: string[]): string {
  return join(sharedDataDir, ...parts);
}

/** `describe` that skips with a clear message when ../shared/data is absent. */
export function describeShared(name: string, body: () => void): void {
  if (hasSharedData) {
    describe(name, body);
  } else {
    describe.skip(
      `${name} (skipped: ${sharedDataDir} is absent; real-data tests need ../shared)`,
      body,
    );
  }
}

export const REPO_ROOT = repoRoot;
