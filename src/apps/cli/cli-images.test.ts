import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, describeShared, sharedData } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';
import { SENTINEL2_BANDS } from '../../testing/sentinel2.ts';

interface ImageJson {
  id: string;
  sha256: string;
  width: number;
  height: number;
  bands: string[];
  dataType: string;
  crs: string | null;
  gsdMeters: number | null;
  footprint: { type: string; coordinates: number[][][] } | null;
  acquiredAt: string;
  sites: string[];
  duplicate: boolean;
  layout: { overviewCount: number; cloudOptimized: boolean };
  acquisition: { sensor: string | null; credit: string | null; sources: Record<string, string> };
}

const sampleDir = join(REPO_ROOT, 'examples/imagery');
let home: string;
const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);

function footprintBounds(image: ImageJson): [number, number, number, number] {
  const ring = image.footprint!.coordinates[0]!;
  const lons = ring.map((p) => p[0]!);
  const lats = ring.map((p) => p[1]!);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'sitewatch-img-'));
});

describe('images ingest of the shipped sample (band sets, STAC items)', () => {
  it('ingests each 13-band acquisition as one image, matched to its site, once', async () => {
    expect((await sw('sites', 'import', join(sampleDir, 'sample-sites.geojson'))).code).toBe(0);
    const first = await sw('images', 'ingest', sampleDir, '--json');
    expect(first.code, first.stderr).toBe(0);
    const images = first.json<ImageJson[]>();
    expect(images).toHaveLength(2);
    for (const image of images) {
      expect(image.bands).toEqual(SENTINEL2_BANDS);
      expect(image).toMatchObject({
        width: 180,
        height: 180,
        dataType: 'uint16',
        crs: 'EPSG:4326',
      });
      expect(image.gsdMeters).toBeGreaterThan(8);
      expect(image.gsdMeters).toBeLessThan(12);
      expect(image.sites).toEqual(['paris-bercy-rail']);
      expect(image.duplicate).toBe(false);
      expect(image.acquisition.sources.acquiredAt).toBe('stac');
      expect(image.acquisition.credit).toMatch(/Copernicus Sentinel/);
    }
    expect(images.map((i) => i.acquiredAt).sort()).toEqual([
      '2016-11-30T00:00:00.000Z',
      '2017-08-29T00:00:00.000Z',
    ]);

    const again = (await sw('images', 'ingest', sampleDir, '--json')).json<ImageJson[]>();
    expect(again.map((i) => i.duplicate)).toEqual([true, true]);
    expect(again.map((i) => i.id).sort()).toEqual(images.map((i) => i.id).sort());

    const listed = (await sw('images', 'list', '--site', 'paris-bercy-rail', '--json')).json<
      ImageJson[]
    >();
    expect(listed.map((i) => i.acquiredAt)).toEqual([
      '2016-11-30T00:00:00.000Z',
      '2017-08-29T00:00:00.000Z',
    ]);
    const since = (await sw('images', 'list', '--since', '2017-01-01', '--json')).json<
      ImageJson[]
    >();
    expect(since).toHaveLength(1);
    const until = (await sw('images', 'list', '--until', '2016-11-30', '--json')).json<
      ImageJson[]
    >();
    expect(until).toHaveLength(1);

    const band02 = join(
      sampleDir,
      'paris-bercy/2016-11-30/S2A_20161130_T31UDQ_paris-bercy_B02.tif',
    );
    const byPath = (await sw('images', 'show', band02, '--json')).json<ImageJson>();
    expect(byPath.acquiredAt).toBe('2016-11-30T00:00:00.000Z');
    const shown = await sw('images', 'show', byPath.id);
    expect(shown.stdout).toContain('EPSG:4326');
  });

  it('indexes images under a site added after them', async () => {
    expect((await sw('images', 'ingest', sampleDir)).code).toBe(0);
    expect((await sw('images', 'list', '--site', 'nowhere')).code).toBe(4);
    await sw('sites', 'import', join(sampleDir, 'sample-sites.geojson'));
    const listed = (await sw('images', 'list', '--site', 'paris-bercy-rail', '--json')).json<
      unknown[]
    >();
    expect(listed).toHaveLength(2);
  });
});

describe('bad input leaves the store unchanged', () => {
  function blobCount(): number {
    try {
      return readdirSync(join(home, 'blobs/sha256'), { recursive: true }).length;
    } catch {
      return 0;
    }
  }

  it.each([
    ['zero-length', () => Buffer.alloc(0), /empty|zero|0 bytes/i],
    [
      'random bytes',
      () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)),
      /not a TIFF|magic|first bytes/i,
    ],
    [
      'a truncated real GeoTIFF',
      () => {
        const bytes = readFileSync(
          join(sampleDir, 'paris-bercy/2016-11-30/S2A_20161130_T31UDQ_paris-bercy_B02.tif'),
        );
        return bytes.subarray(0, Math.floor(bytes.length * 0.6));
      },
      /truncat/i,
    ],
  ])('%s: clear error naming the file, non-zero exit', async (_name, bytes, message) => {
    const path = join(home, 'bad.tif');
    writeFileSync(path, bytes());
    const result = await sw('images', 'ingest', path, '--acquired-at', '2020-01-01');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(message);
    expect((await sw('images', 'list', '--json')).json()).toEqual([]);
    expect(blobCount()).toBe(0);
  });

  it('asks for an acquisition time when none is known', async () => {
    const path = join(home, 'b02.tif');
    copyFileSync(
      join(sampleDir, 'paris-bercy/2016-11-30/S2A_20161130_T31UDQ_paris-bercy_B02.tif'),
      path,
    );
    const result = await sw('images', 'ingest', path);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/no acquisition time.*--acquired-at/);
    const ok = await sw('images', 'ingest', path, '--acquired-at', '2016-11-30', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json<ImageJson[]>()[0]!.bands).toHaveLength(1);
  });

  it('refuses a decompression bomb before allocating', async () => {
    const path = join(home, 'b02.tif');
    copyFileSync(
      join(sampleDir, 'paris-bercy/2016-11-30/S2A_20161130_T31UDQ_paris-bercy_B02.tif'),
      path,
    );
    process.env.SITEWATCH_MAX_PIXELS = '1000';
    try {
      const result = await sw('images', 'ingest', path, '--acquired-at', '2016-11-30');
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/180.*180.*1000|limit/i);
    } finally {
      delete process.env.SITEWATCH_MAX_PIXELS;
    }
  });

  it('names a path that does not exist', async () => {
    const result = await sw(
      'images',
      'ingest',
      join(home, 'nope.tif'),
      '--acquired-at',
      '2020-01-01',
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/nope\.tif: no such file/);
  });
});

describeShared('images ingest of real GeoTIFFs in ../shared/data', () => {
  it('RGB.byte.tif: EPSG:32618, 791×718, 3 bands uint8, footprint in the Bahamas', async () => {
    const result = await sw(
      'images',
      'ingest',
      sharedData('geotiff-rasterio/RGB.byte.tif'),
      '--acquired-at',
      '2000-01-01',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const [image] = result.json<ImageJson[]>();
    expect(image).toMatchObject({
      crs: 'EPSG:32618',
      width: 791,
      height: 718,
      dataType: 'uint8',
      acquiredAt: '2000-01-01T00:00:00.000Z',
    });
    expect(image!.bands).toHaveLength(3);
    const [w, s, e, n] = footprintBounds(image!);
    expect(w).toBeCloseTo(-78.96, 1);
    expect(e).toBeCloseTo(-76.57, 1);
    expect(s).toBeCloseTo(23.6, 1);
    expect(n).toBeCloseTo(25.55, 1);
    expect(image!.gsdMeters).toBeGreaterThan(295);
    expect(image!.gsdMeters).toBeLessThan(305);
  });

  it('cogeo.tif: EPSG:3857 COG, 0.597 m map pixels = 0.47 m on the ground at 37.7°N', async () => {
    const [image] = (
      await sw(
        'images',
        'ingest',
        sharedData('geotiff-rasterio/cogeo.tif'),
        '--acquired-at',
        '2018-01-01',
        '--json',
      )
    ).json<ImageJson[]>();
    expect(image!.crs).toBe('EPSG:3857');
    expect(image!.layout.overviewCount).toBe(6);
    expect(image!.layout.cloudOptimized).toBe(true);
    expect(image!.gsdMeters).toBeCloseTo(0.597 * Math.cos((37.669 * Math.PI) / 180), 2);
  });

  it('the 13 OSCD band files of one date ingest as one 13-band image', async () => {
    const result = await sw(
      'images',
      'ingest',
      sharedData('oscd/images/bercy/imgs_1'),
      '--acquired-at',
      '2016-11-30',
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const images = result.json<ImageJson[]>();
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ width: 360, height: 395, crs: 'EPSG:4326' });
    expect(images[0]!.bands).toHaveLength(13);
  });

  it('a truncated copy of RGB.byte.tif fails and leaves the list unchanged', async () => {
    await sw(
      'images',
      'ingest',
      sharedData('geotiff-rasterio/rgb1.tif'),
      '--acquired-at',
      '2000-01-01',
    );
    const before = (await sw('images', 'list', '--json')).stdout;
    const bytes = readFileSync(sharedData('geotiff-rasterio/RGB.byte.tif'));
    const path = join(home, 'RGB.truncated.tif');
    writeFileSync(path, bytes.subarray(0, 700_000));
    const result = await sw('images', 'ingest', path, '--acquired-at', '2000-01-01');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/RGB\.truncated\.tif.*truncat/i);
    expect((await sw('images', 'list', '--json')).stdout).toBe(before);
  });

  it('Puerto Rico (UTM 19N) and Open Cities (EPSG:4326, 4 bands) ingest', async () => {
    const pr = (
      await sw(
        'images',
        'ingest',
        sharedData('puerto-rico-maria/Pre_Event_Grids_In_TIFF/tile_0_107.tif'),
        '--acquired-at',
        '2017-09-01',
        '--json',
      )
    ).json<ImageJson[]>();
    expect(pr[0]!.crs).toBe('EPSG:32619');
    expect(pr[0]!.gsdMeters).toBeCloseTo(0.305, 2);
    const oc = (
      await sw(
        'images',
        'ingest',
        sharedData('open-cities-ai/images/665946_tile_920.tif'),
        '--acquired-at',
        '2018-01-01',
        '--json',
      )
    ).json<ImageJson[]>();
    expect(oc[0]!.crs).toBe('EPSG:4326');
    expect(oc[0]!.bands).toHaveLength(4);
  });
});
