import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fromFile } from 'geotiff';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

interface CompareJson {
  id: string;
  registration: {
    dx: number;
    dy: number;
    residualMedianPx: number | null;
    residualP90Px: number | null;
    confidence: number;
    reliable: boolean;
  };
  changedFraction: number;
  changedPixels: number;
  validPixels: number;
  polygonCount: number;
  outputs: {
    changeMask: string;
    changeMagnitude: string;
    changes: string;
    registration: string;
  } | null;
}

interface FeatureJson {
  geometry: { type: string; coordinates: unknown } | null;
  properties: { areaM2: number | null; meanMagnitude: number; zone: string | null };
}

const GOLDEN = join(REPO_ROOT, 'src/apps/cli/testdata/compare-paris-golden.json');
const fixture = (name: string) => join(REPO_ROOT, 'fixtures/raster', name);

function ingestedIds(stdout: string): string[] {
  const parsed = JSON.parse(stdout) as { id: string } | { id: string }[];
  return (Array.isArray(parsed) ? parsed : [parsed]).map((image) => image.id);
}

function storedComparisons(home: string): number {
  const db = new Database(join(home, 'sitewatch.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM comparisons').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function ingest(home: string, path: string): Promise<string> {
  const run = await runCliCaptured([
    '--home',
    home,
    'images',
    'ingest',
    path,
    '--acquired-at',
    '2020-01-01',
    '--json',
  ]);
  expect(run.code, run.stderr).toBe(0);
  const [id] = ingestedIds(run.stdout);
  if (id === undefined) throw new Error(`nothing ingested from ${path}`);
  return id;
}

describe('compare of the shipped Paris pair', () => {
  let home: string;
  let ids: string[];
  const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'sitewatch-cmp-'));
    const run = await sw('images', 'ingest', join(REPO_ROOT, 'examples/imagery'), '--json');
    expect(run.code, run.stderr).toBe(0);
    ids = ingestedIds(run.stdout);
    expect(ids).toHaveLength(2);
  });

  it('writes readable outputs consistent with the JSON result, and stores the comparison', async () => {
    const out = join(home, 'out');
    const [a = '', b = ''] = ids;
    const run = await sw('compare', a, b, '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<CompareJson>();
    expect(result.registration.reliable).toBe(true);
    expect(Math.hypot(result.registration.dx, result.registration.dy)).toBeLessThan(2);
    expect(result.registration.residualMedianPx).not.toBeNull();
    expect(result.changedFraction).toBeGreaterThan(0);
    expect(result.changedFraction).toBeLessThan(0.5);
    expect(result.outputs).not.toBeNull();
    const outputs = result.outputs!;

    const maskImage = await (await fromFile(outputs.changeMask)).getImage();
    expect([maskImage.getWidth(), maskImage.getHeight()]).toEqual([180, 180]);
    const [mask] = (await maskImage.readRasters()) as unknown as Uint8Array[];
    let changed = 0;
    let valid = 0;
    for (const v of mask!) {
      expect([0, 1, 255]).toContain(v);
      if (v !== 255) valid += 1;
      if (v === 1) changed += 1;
    }
    expect(valid).toBe(result.validPixels);
    expect(changed).toBe(result.changedPixels);
    expect(maskImage.getGDALNoData()).toBe(255);
    expect(maskImage.getOrigin()[0]).toBeCloseTo(2.3732757568, 8);

    const magnitudeImage = await (await fromFile(outputs.changeMagnitude)).getImage();
    const [magnitude] = (await magnitudeImage.readRasters()) as unknown as Float32Array[];
    expect(magnitude).toBeInstanceOf(Float32Array);
    mask!.forEach((v, p) => {
      if (v === 255) expect(Number.isNaN(magnitude![p])).toBe(true);
    });

    const changes = JSON.parse(readFileSync(outputs.changes, 'utf8')) as {
      features: FeatureJson[];
    };
    expect(changes.features).toHaveLength(result.polygonCount);
    for (const feature of changes.features) {
      expect(feature.geometry?.type).toMatch(/Polygon/);
      expect(feature.properties.areaM2).toBeGreaterThan(300);
      expect(feature.properties.zone).toBeNull();
    }
    const registration = JSON.parse(readFileSync(outputs.registration, 'utf8')) as {
      dx: number;
    };
    expect(registration.dx).toBe(result.registration.dx);
    expect(storedComparisons(home)).toBeGreaterThanOrEqual(1);
  });

  it('matches the golden metrics (REGEN=1 rewrites them)', async () => {
    const [a = '', b = ''] = ids;
    const run = await sw('compare', a, b, '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<CompareJson>();
    const metrics = {
      changedFraction: result.changedFraction,
      polygonCount: result.polygonCount,
      dx: result.registration.dx,
      dy: result.registration.dy,
    };
    if (process.env.REGEN === '1') {
      writeFileSync(GOLDEN, `${JSON.stringify(metrics, null, 2)}\n`);
    }
    expect(existsSync(GOLDEN), `${GOLDEN} is missing: run with REGEN=1`).toBe(true);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as typeof metrics;
    expect(metrics.changedFraction).toBeCloseTo(golden.changedFraction, 2);
    expect(Math.abs(metrics.polygonCount - golden.polygonCount)).toBeLessThanOrEqual(
      Math.max(2, golden.polygonCount * 0.1),
    );
    expect(Math.abs(metrics.dx - golden.dx)).toBeLessThan(0.05);
    expect(Math.abs(metrics.dy - golden.dy)).toBeLessThan(0.05);
  });

  it.each(['combined', 'irmad', 'cva'])(
    'finds no change and no shift comparing an image with itself (%s)',
    async (method) => {
      const [a = ''] = ids;
      const run = await sw('compare', a, a, '--method', method, '--json');
      expect(run.code, run.stderr).toBe(0);
      const result = run.json<CompareJson>();
      expect(result.changedFraction).toBe(0);
      expect(result.polygonCount).toBe(0);
      expect(Math.abs(result.registration.dx)).toBeLessThan(0.01);
      expect(Math.abs(result.registration.dy)).toBeLessThan(0.01);
      expect(result.registration.reliable).toBe(true);
    },
  );

  it('compares over a site on its local UTM grid, reporting each zone', async () => {
    const imported = await sw(
      'sites',
      'import',
      join(REPO_ROOT, 'examples/imagery/sample-sites.geojson'),
    );
    expect(imported.code, imported.stderr).toBe(0);
    const [a = '', b = ''] = ids;
    const out = join(home, 'site-out');
    const run = await sw(
      'compare',
      a,
      b,
      '--site',
      'paris-bercy-rail',
      '--method',
      'cva',
      '--out',
      out,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<
      CompareJson & {
        grid: { crs: string };
        zones: { zoneId: string; validPixels: number; changedFraction: number | null }[];
      }
    >();
    expect(result.grid.crs).toBe('EPSG:32631');
    expect(result.zones.map((z) => z.zoneId)).toEqual(['yards']);
    expect(result.zones[0]?.validPixels).toBeGreaterThan(100);
    expect(result.zones[0]?.changedFraction).toBeGreaterThanOrEqual(0);
    const changes = JSON.parse(readFileSync(join(out, 'changes.geojson'), 'utf8')) as {
      features: FeatureJson[];
    };
    expect(changes.features.some((f) => f.properties.zone === 'yards')).toBe(true);
    const image = await (await fromFile(join(out, 'change-mask.tif'))).getImage();
    expect(image.getResolution()[0]).toBeCloseTo(10.7296, 3);
  });

  it('rejects a bad --method with exit status 3', async () => {
    const [a = '', b = ''] = ids;
    const run = await sw('compare', a, b, '--method', 'magic');
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/--method must be combined, irmad or cva; got "magic"/);
  });

  it('refuses --threshold and --normalise with the default (combined) method, storing nothing', async () => {
    const [a = '', b = ''] = ids;
    const before = storedComparisons(home);
    const threshold = await sw('compare', a, b, '--threshold', '2');
    expect(threshold.code).toBe(3);
    expect(threshold.stderr).toMatch(/threshold \(2\) does not apply to the combined method/);
    const normalise = await sw('compare', a, b, '--normalise', 'histogram');
    expect(normalise.code).toBe(3);
    expect(normalise.stderr).toMatch(/normalise histogram does not apply to the combined method/);
    expect(storedComparisons(home)).toBe(before);
  });
});

describe('compare of incompatible images', () => {
  it('refuses pixel-only images of different sizes, naming both, and stores nothing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-cmp-'));
    const loose = mkdtempSync(join(tmpdir(), 'sitewatch-jpg-'));
    copyFileSync(fixture('rgb.jpg'), join(loose, 'rgb.jpg'));
    const a = await ingest(home, fixture('pixel-only.tif'));
    const b = await ingest(home, join(loose, 'rgb.jpg'));
    const run = await runCliCaptured(['--home', home, 'compare', a, b]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(a);
    expect(run.stderr).toContain(b);
    expect(run.stderr).toMatch(/16 × 16 px.*32 × 24 px.*same size/);
    expect(storedComparisons(home)).toBe(0);
  });

  it('refuses images without a common band, naming both', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-cmp-'));
    const a = await ingest(home, fixture('rgb-uint8-deflate-tiled-32618.tif'));
    const b = await ingest(home, fixture('rotated-32618.tif'));
    const run = await runCliCaptured(['--home', home, 'compare', a, b]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/no common bands/);
    expect(run.stderr).toContain(a);
    expect(storedComparisons(home)).toBe(0);
  });

  it('refuses images of different places, naming both', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-cmp-'));
    const a = await ingest(home, fixture('cog-jpeg-3857.tif'));
    const b = await ingest(home, fixture('rgb-32618.png'));
    const run = await runCliCaptured(['--home', home, 'compare', a, b]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/do not overlap/);
    expect(run.stderr).toContain(a);
    expect(run.stderr).toContain(b);
    expect(storedComparisons(home)).toBe(0);
  });
});
