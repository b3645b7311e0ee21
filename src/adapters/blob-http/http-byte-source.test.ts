import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, SitewatchError, UnsupportedError } from '../../core/errors.ts';
import type { PixelWindow } from '../../core/raster/raster.ts';
import { testBands, writeTestCog } from '../cog-writer/cog-test-support.ts';
import type { CogSpec } from '../cog-writer/cog-writer.ts';
import { EpsgCrsRegistry } from '../crs/epsg-crs-registry.ts';
import { openGeoTiff } from '../geotiff/geotiff-raster-source.ts';
import { FileRasterOpener } from '../raster-opener.ts';
import { HttpByteSource } from './http-byte-source.ts';
import { startTestFileServer, type TestFileServer } from './http-test-server.ts';

const crs = new EpsgCrsRegistry();
const LIMITS = { maxPixels: 10_000_000 };
const FAST_RETRY = { retryDelayMs: 1 };
const FIXTURE = join(
  import.meta.dirname,
  '../../../fixtures/raster/rgb-uint8-deflate-tiled-32618.tif',
);

const SPEC: CogSpec = {
  width: 1024,
  height: 1024,
  bandCount: 1,
  dataType: 'uint16',
  nodata: 0,
  crs: 'EPSG:32631',
  geoTransform: [500000, 10, 0, 5000000, 0, -10],
  tileSize: 256,
  overviewResampling: 'average',
  predictor: true,
  maxTilesInFlight: 0,
};

let root: string;
let server: TestFileServer;
let cogBytes: number;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sitewatch-http-byte-source-'));
  await writeTestCog(join(root, 'big.tif'), SPEC, testBands(SPEC, 11));
  cogBytes = statSync(join(root, 'big.tif')).size;
  copyFileSync(FIXTURE, join(root, 'rgb.tif'));
  server = await startTestFileServer(root);
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  server.mode = 'range';
  server.failuresLeft = 0;
  server.served.requests = 0;
  server.served.bytes = 0;
  server.served.ranges = [];
});

async function readBoth(name: string, window: PixelWindow): Promise<[Buffer[], Buffer[]]> {
  const local = await openGeoTiff(join(root, name), LIMITS, crs);
  const remote = await new FileRasterOpener(crs).open(
    { kind: 'geotiff', path: `${server.baseUrl}/${name}` },
    LIMITS,
  );
  try {
    expect(remote.description).toEqual(local.description);
    const a = await local.readWindow(window);
    const b = await remote.readWindow(window);
    const bytes = (arrays: typeof a): Buffer[] =>
      arrays.map((x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    return [bytes(a), bytes(b)];
  } finally {
    await local.close();
    await remote.close();
  }
}

describe('HttpByteSource', () => {
  it('reads a small window of a COG over HTTP pixel for pixel, fetching only a few ranges', async () => {
    const [local, remote] = await readBoth('big.tif', {
      col0: 300,
      row0: 300,
      width: 40,
      height: 40,
    });
    expect(remote).toEqual(local);
    // Header + one 256² uint16 tile (≈ 128 KiB) of a ≈ 2 MiB file.
    expect(cogBytes).toBeGreaterThan(1_500_000);
    expect(server.served.bytes).toBeLessThan(cogBytes / 4);
    expect(server.served.requests).toBeLessThanOrEqual(6);
  });

  it('reads a whole repository fixture equal to the local read', async () => {
    const [local, remote] = await readBoth('rgb.tif', { col0: 0, row0: 0, width: 64, height: 64 });
    expect(remote).toEqual(local);
  });

  it('coalesces adjacent blocks into one request and caches them', async () => {
    const source = await HttpByteSource.open(`${server.baseUrl}/big.tif`, { blockSizeBytes: 1024 });
    const file = readFileSync(join(root, 'big.tif'));
    const got = await source.read(5000, 10_000);
    expect(Buffer.from(got).equals(file.subarray(5000, 15_000))).toBe(true);
    expect(server.served.ranges).toEqual(['0-1023', '4096-15359']);
    const again = await source.fetch([
      { offset: 6000, length: 100 },
      { offset: 14_000, length: 10 },
    ]);
    expect(Buffer.from(again[1] ?? new ArrayBuffer(0)).equals(file.subarray(14_000, 14_010))).toBe(
      true,
    );
    expect(server.served.requests).toBe(2);
    await source.close();
  });

  it('keeps the cache bounded and still reads calls larger than the cache', async () => {
    const source = await HttpByteSource.open(`${server.baseUrl}/big.tif`, {
      blockSizeBytes: 1024,
      cacheBytes: 4096,
    });
    const file = readFileSync(join(root, 'big.tif'));
    const got = await source.read(100_000, 50_000);
    expect(Buffer.from(got).equals(file.subarray(100_000, 150_000))).toBe(true);
    await source.close();
  });

  it('refuses a server that ignores Range, naming the URL and the status', async () => {
    server.mode = 'ignore-range';
    const url = `${server.baseUrl}/big.tif`;
    const error = await HttpByteSource.open(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain('HTTP 200');
  });

  it('answers 404 with NotFoundError naming the URL', async () => {
    const url = `${server.baseUrl}/missing.tif`;
    await expect(HttpByteSource.open(url)).rejects.toThrow(NotFoundError);
    await expect(HttpByteSource.open(url)).rejects.toThrow(url);
  });

  it('retries a connection dropped mid-body and 5xx answers, then reads the right bytes', async () => {
    const source = await HttpByteSource.open(`${server.baseUrl}/big.tif`, FAST_RETRY);
    const file = readFileSync(join(root, 'big.tif'));
    server.mode = 'drop-mid-body';
    server.failuresLeft = 1;
    const first = await source.read(200_000, 1000);
    expect(Buffer.from(first).equals(file.subarray(200_000, 201_000))).toBe(true);
    server.mode = 'fail-5xx';
    server.failuresLeft = 2;
    const second = await source.read(400_000, 1000);
    expect(Buffer.from(second).equals(file.subarray(400_000, 401_000))).toBe(true);
    await source.close();
  });

  it('gives up after the retries with an error naming the URL, and no raster opens', async () => {
    server.mode = 'drop-mid-body';
    server.failuresLeft = 100;
    const url = `${server.baseUrl}/big.tif`;
    const error = await new FileRasterOpener(crs, {
      openRemote: (u) => HttpByteSource.open(u, { ...FAST_RETRY, retries: 2 }),
    })
      .open({ kind: 'geotiff', path: url }, LIMITS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SitewatchError);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain('gave up after 3 attempts');
    expect(server.served.requests).toBe(3);
  });

  it('refuses reads past the end', async () => {
    const source = await HttpByteSource.open(`${server.baseUrl}/rgb.tif`);
    await expect(source.read(source.sizeBytes - 10, 20)).rejects.toThrow(/has \d+ bytes/);
    await source.close();
  });
});
