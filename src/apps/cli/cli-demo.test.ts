/**
 * The quick start's main command: a fresh home gets the catalog, the sample imagery, a
 * comparison with its output files, and the seed case's observations and assessment; a second
 * run recognises what is already held.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './run-cli-for-test.ts';

describe('sitewatch demo', () => {
  it('sets up a home with sites, images, a comparison and the seed assessment, and runs again', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-demo-'));
    const first = await runCliCaptured(['--home', home, 'demo']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/catalog catalog\.geojson: 3 added, 0 already held/);
    expect(first.stdout).toMatch(/image img_[0-9a-f]{16} ingested/);
    expect(first.stdout).toMatch(
      /compare 2016-11-30 → 2017-08-29 over paris-bercy-rail: [\d.]+ % changed/,
    );
    const outputs = join(home, 'demo-outputs', 'compare-paris-bercy-rail');
    for (const file of [
      'change-mask.tif',
      'change-magnitude.tif',
      'changes.geojson',
      'registration.json',
    ]) {
      expect(existsSync(join(outputs, file)), file).toBe(true);
    }
    expect(first.stdout).toMatch(/observations .*: 31 added, 0 already held/);
    expect(first.stdout).toMatch(
      /assess space-launch-preparation as of 2019-03-08: prior 10\.0 % → 86\.0 % from 6 indicators/,
    );

    const again = await runCliCaptured(['--home', home, 'demo']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/catalog catalog\.geojson: 0 added, 3 already held/);
    expect(again.stdout).toMatch(/image img_[0-9a-f]{16} already held/);
    expect(again.stdout).toMatch(/observations .*: 0 added, 31 already held/);
    const images = await runCliCaptured(['--home', home, 'images', 'list', '--json']);
    expect(images.json<unknown[]>()).toHaveLength(2);
  }, 120_000);
});
