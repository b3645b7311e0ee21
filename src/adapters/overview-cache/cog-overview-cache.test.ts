/**
 * The on-disk overview cache with the real components (CLI ingest, SQLite store, GeoTIFF reader,
 * COG writer, TileRenderer): built on the first open of an image without overviews, reused by
 * later opens, a truncated or corrupt file removed and rebuilt, and tiles equal with and without
 * the cache (within one grey level).
 */
import {
  existsSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageRecord } from '../../core/imagery/image.ts';
import { DEFAULT_STRETCH } from '../../core/tiles/tile-options.ts';
import { tileAtLonLat } from '../../core/tiles/web-mercator.ts';
import { bboxOfGeometry } from '../../core/geo/bbox.ts';
import { createTileHome, type TileHome, type TileServices } from '../../testing/tile-home.ts';
import { createCogWriter } from '../cog-writer/cog-writer.ts';
import { syntheticBands } from '../cog-writer/synthetic-bands.ts';

const WIDTH = 1024;
const HEIGHT = 768;
/** Small enough that levels 0 and 1 of the test image are read from the file, not held. */
const MAX_KEPT = 128 * 128;
const OPTIONS = { bands: [0, 1, 2], stretch: DEFAULT_STRETCH };

/** A 1024 × 768, 3-band uint16 UTM GeoTIFF without overviews (tiled 128², deflate). */
async function writeImage(path: string): Promise<void> {
  const writer = await createCogWriter(path, {
    width: WIDTH,
    height: HEIGHT,
    bandCount: 3,
    dataType: 'uint16',
    nodata: null,
    crs: 'EPSG:32631',
    geoTransform: [448_000, 10, 0, 5_412_000, 0, -10],
    tileSize: 128,
    overviews: 0,
  });
  await writer.writeRows(
    0,
    syntheticBands({ width: WIDTH, height: HEIGHT, bandCount: 3, dataType: 'uint16', seed: 7 }),
  );
  await writer.finish();
}

/** Pixel tiles at levels 0–3 and a Web-Mercator tile at two zooms, as RGBA. */
async function renderSample(services: TileServices, image: ImageRecord): Promise<Uint8Array[]> {
  const [minLon, minLat, maxLon, maxLat] = bboxOfGeometry(
    image.footprint ?? { type: 'Polygon', coordinates: [] },
  );
  const centre: [number, number] = [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
  const out: Uint8Array[] = [];
  // Pixel tiles: zoom z is level 2 - z here (see core/tiles/pixel-tiles.ts); level 2 is held.
  for (const tile of [
    { z: 0, x: 0, y: 0 },
    { z: 1, x: 1, y: 0 },
    { z: 1, x: 1, y: 1 },
    { z: 2, x: 2, y: 1 },
  ]) {
    out.push(await services.renderer.renderPixelTile(image, tile, OPTIONS));
  }
  for (const zoom of [13, 15]) {
    const { tile } = tileAtLonLat(centre, zoom);
    out.push(await services.renderer.renderMercatorTile(image, tile, OPTIONS));
  }
  return out;
}

function maxDifference(a: readonly Uint8Array[], b: readonly Uint8Array[]): number {
  let max = 0;
  a.forEach((tile, t) => {
    const other = b[t] ?? new Uint8Array(0);
    expect(other.length).toBe(tile.length);
    for (let i = 0; i < tile.length; i += 1) {
      max = Math.max(max, Math.abs((tile[i] ?? 0) - (other[i] ?? 0)));
    }
  });
  return max;
}

describe('CogOverviewCache with the tile renderer', () => {
  let home: TileHome;
  let id = '';
  let cachePath = '';
  let reference: Uint8Array[] = [];

  beforeAll(async () => {
    home = createTileHome('sitewatch-overview-cache-');
    const path = join(home.root, 'no-overviews.tif');
    await writeImage(path);
    id = await home.ingest(path);
    const plain = await home.open({ maxKeptLevelPixels: MAX_KEPT });
    const image = await plain.renderer.image(id);
    cachePath = join(home.home, 'cache', 'overviews', `${image.sha256}.tif`);
    reference = await renderSample(plain, image);
    expect((await plain.renderer.pyramid(image)).usesOverviewCache).toBe(false);
    await plain.close();
    expect(existsSync(cachePath)).toBe(false);
  }, 60_000);
  afterAll(() => {
    home.remove();
  });

  /** Opens the service with the cache, renders the sample, and says whether the cache served it. */
  async function renderWithCache(): Promise<{ tiles: Uint8Array[]; usedCache: boolean }> {
    const services = await home.open({ maxKeptLevelPixels: MAX_KEPT, overviewCache: true });
    try {
      const image = await services.renderer.image(id);
      const tiles = await renderSample(services, image);
      const usedCache = (await services.renderer.pyramid(image)).usesOverviewCache;
      return { tiles, usedCache };
    } finally {
      await services.close();
    }
  }

  it('builds the cache on the first open and renders the same tiles', async () => {
    const { tiles, usedCache } = await renderWithCache();
    expect(existsSync(cachePath)).toBe(true);
    expect(usedCache).toBe(true);
    // Nothing half-written is left beside it (the COG writer's spool folder is gone).
    const leftovers = readFileSync(cachePath).subarray(0, 4);
    expect([...leftovers]).toEqual([0x49, 0x49, 0x2a, 0x00]);
    // The cache reduces exactly as the in-memory pyramid does; allow one grey level.
    expect(maxDifference(tiles, reference)).toBeLessThanOrEqual(1);
  }, 30_000);

  it('reuses the cache file on later opens without rewriting it', async () => {
    const before = statSync(cachePath);
    const { tiles, usedCache } = await renderWithCache();
    const after = statSync(cachePath);
    expect(usedCache).toBe(true);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect(maxDifference(tiles, reference)).toBeLessThanOrEqual(1);
  }, 30_000);

  it('removes a truncated cache file and rebuilds it', async () => {
    const whole = readFileSync(cachePath);
    writeFileSync(cachePath, whole.subarray(0, Math.floor(whole.length / 2)));
    const { tiles, usedCache } = await renderWithCache();
    expect(usedCache).toBe(true);
    expect(statSync(cachePath).size).toBe(whole.length);
    expect(maxDifference(tiles, reference)).toBeLessThanOrEqual(1);
  }, 30_000);

  it('drops a cache whose tile bytes are corrupt, still renders the same tiles, and rebuilds it next time', async () => {
    const size = statSync(cachePath).size;
    // Overwrite the tail (full-resolution tiles of the cache, written last) with garbage.
    const fd = openSync(cachePath, 'r+');
    writeSync(
      fd,
      Buffer.alloc(Math.floor(size / 3), 0x5a),
      0,
      Math.floor(size / 3),
      size - Math.floor(size / 3),
    );
    closeSync(fd);
    const first = await renderWithCache();
    expect(maxDifference(first.tiles, reference)).toBeLessThanOrEqual(1);
    expect(first.usedCache).toBe(false);
    expect(existsSync(cachePath)).toBe(false);
    const second = await renderWithCache();
    expect(second.usedCache).toBe(true);
    expect(existsSync(cachePath)).toBe(true);
    expect(maxDifference(second.tiles, reference)).toBeLessThanOrEqual(1);
  }, 30_000);

  it('removes a cache file that does not fit its image (wrong size) and rebuilds it', async () => {
    const other = join(home.root, 'small.tif');
    const writer = await createCogWriter(other, {
      width: 64,
      height: 64,
      bandCount: 3,
      dataType: 'uint16',
      nodata: null,
      crs: null,
      geoTransform: null,
    });
    await writer.writeRows(
      0,
      syntheticBands({ width: 64, height: 64, bandCount: 3, dataType: 'uint16', seed: 1 }),
    );
    await writer.finish();
    writeFileSync(cachePath, readFileSync(other));
    const { usedCache } = await renderWithCache();
    expect(usedCache).toBe(true);
    expect(statSync(cachePath).size).toBeGreaterThan(statSync(other).size);
  }, 30_000);
});
