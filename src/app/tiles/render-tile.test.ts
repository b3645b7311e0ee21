/**
 * Rendering real tiles of ingested images (real SQLite store, GeoTIFF/PNG/band-set readers,
 * proj4, sharp): a golden tile of the Paris sample, a UTM landmark that must land on its
 * Web-Mercator pixel, nodata and the outside as transparency, and the errors.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpsgCrsRegistry } from '../../adapters/crs/epsg-crs-registry.ts';
import { SharpTileEncoder } from '../../adapters/image-encode/sharp-tile-encoder.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Position } from '../../core/geo/types.ts';
import { bboxOfGeometry } from '../../core/geo/bbox.ts';
import { DEFAULT_STRETCH } from '../../core/tiles/tile-options.ts';
import { tileAtLonLat, TILE_SIZE_PX } from '../../core/tiles/web-mercator.ts';
import { createTileHome, type TileHome, type TileServices } from '../../testing/tile-home.ts';
import { serveTile } from './serve-tile.ts';

const repo = resolve(import.meta.dirname, '../../..');
const PARIS = join(repo, 'examples/imagery/paris-bercy/2016-11-30');
const NODATA_TIFF = join(repo, 'fixtures/raster/int16-packbits-nodata-3857.tif');
const PIXEL_ONLY = join(repo, 'fixtures/raster/pixel-only.tif');
const GOLDEN = join(import.meta.dirname, 'testdata/paris-bercy-z15.png');

/** The UTM landmark scene: 64 × 64 grey pixels of 10 m, one bright pixel. */
const UTM = { crs: 'EPSG:32631', x0: 448_000, y0: 5_412_000, pixelMeters: 10, size: 64 };
const LANDMARK_ZOOM = 16;

function alphaAt(rgba: Uint8Array, col: number, row: number): number {
  return rgba[4 * (row * TILE_SIZE_PX + col) + 3] ?? -1;
}

/** Picks a landmark pixel whose Web-Mercator position lies well inside its tile at z16. */
function chooseLandmark(): { col: number; row: number; lonLat: Position } {
  const toLonLat = new EpsgCrsRegistry().toLonLat(UTM.crs);
  for (let col = 20; col < 44; col += 1) {
    const row = 30;
    const lonLat = toLonLat([
      UTM.x0 + (col + 0.5) * UTM.pixelMeters,
      UTM.y0 - (row + 0.5) * UTM.pixelMeters,
    ]);
    const at = tileAtLonLat(lonLat, LANDMARK_ZOOM);
    const inside = (v: number): boolean => v > 24 && v < TILE_SIZE_PX - 24;
    if (inside(at.col) && inside(at.row)) return { col, row, lonLat };
  }
  throw new Error('no landmark pixel lands inside a tile');
}

async function writeLandmarkPng(dir: string, col: number, row: number): Promise<string> {
  const pixels = new Uint8Array(UTM.size * UTM.size).fill(20);
  pixels[row * UTM.size + col] = 250;
  const path = join(dir, 'landmark.png');
  await sharp(pixels, { raw: { width: UTM.size, height: UTM.size, channels: 1 } })
    .png()
    .toFile(path);
  const half = UTM.pixelMeters / 2;
  writeFileSync(
    join(dir, 'landmark.pgw'),
    `${UTM.pixelMeters}\n0\n0\n${-UTM.pixelMeters}\n${UTM.x0 + half}\n${UTM.y0 - half}\n`,
  );
  return path;
}

/** A 600 × 520 RGB PNG without georeferencing, a smooth pattern (levels 1 and 2 below it). */
async function writeTexturePng(dir: string): Promise<string> {
  const width = 600;
  const height = 520;
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i += 1) {
    const col = i % width;
    const row = Math.floor(i / width);
    pixels[3 * i] = (col * 3 + row) % 256;
    pixels[3 * i + 1] = (row * 5) % 256;
    pixels[3 * i + 2] = 128 + Math.round(100 * Math.sin(col / 17) * Math.cos(row / 23));
  }
  const path = join(dir, 'texture.png');
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(path);
  return path;
}

describe('TileRenderer on ingested images', () => {
  let home: TileHome;
  let services: TileServices;
  const ids = { paris: '', landmark: '', nodata: '', pixelOnly: '', texture: '' };
  const landmark = chooseLandmark();

  beforeAll(async () => {
    home = createTileHome();
    ids.paris = await home.ingest(PARIS);
    ids.landmark = await home.ingest(
      await writeLandmarkPng(home.root, landmark.col, landmark.row),
      ['--crs', UTM.crs],
    );
    ids.nodata = await home.ingest(NODATA_TIFF);
    ids.pixelOnly = await home.ingest(PIXEL_ONLY);
    ids.texture = await home.ingest(await writeTexturePng(home.root));
    services = await home.open();
  }, 60_000);
  afterAll(async () => {
    await services.close();
    home.remove();
  });

  it('renders the Paris sample at z15 like the golden PNG (REGEN=1 rewrites it)', async () => {
    const image = await services.renderer.image(ids.paris);
    const [minLon, minLat, maxLon, maxLat] = bboxOfGeometry(
      image.footprint ?? { type: 'Polygon', coordinates: [] },
    );
    const { tile } = tileAtLonLat([(minLon + maxLon) / 2, (minLat + maxLat) / 2], 15);
    const rgba = await services.renderer.renderMercatorTile(image, tile, {
      bands: [3, 2, 1],
      stretch: DEFAULT_STRETCH,
    });
    if (process.env.REGEN === '1' || !existsSync(GOLDEN)) {
      writeFileSync(GOLDEN, await new SharpTileEncoder().encode(rgba, 256, 256, 'png'));
    }
    const golden = await sharp(readFileSync(GOLDEN)).ensureAlpha().raw().toBuffer();
    let off = 0;
    for (let i = 0; i < rgba.length; i += 1) {
      if (Math.abs((rgba[i] ?? 0) - (golden[i] ?? 0)) > 2) off += 1;
    }
    // Tolerance: a few samples may round differently (proj4 or libvips versions).
    expect(off / rgba.length).toBeLessThan(0.005);
    // The image covers part of the tile: both opaque and transparent pixels are present.
    const alphas = new Set(Array.from({ length: 256 * 256 }, (_, i) => rgba[4 * i + 3]));
    expect([...alphas].sort()).toEqual([0, 255]);
  });

  it('puts a UTM landmark pixel on its Web-Mercator pixel within 1 px', async () => {
    const image = await services.renderer.image(ids.landmark);
    const at = tileAtLonLat(landmark.lonLat, LANDMARK_ZOOM);
    const rgba = await services.renderer.renderMercatorTile(image, at.tile, {
      bands: [0],
      stretch: { lowPercent: 0, highPercent: 100 },
    });
    let sum = 0;
    let sumCol = 0;
    let sumRow = 0;
    for (let row = 0; row < TILE_SIZE_PX; row += 1) {
      for (let col = 0; col < TILE_SIZE_PX; col += 1) {
        const v = rgba[4 * (row * TILE_SIZE_PX + col)] ?? 0;
        if (alphaAt(rgba, col, row) === 0 || v < 16) continue;
        sum += v;
        sumCol += v * (col + 0.5);
        sumRow += v * (row + 0.5);
      }
    }
    expect(sum).toBeGreaterThan(0);
    expect(Math.abs(sumCol / sum - at.col)).toBeLessThan(1);
    expect(Math.abs(sumRow / sum - at.row)).toBeLessThan(1);
  });

  it('makes nodata and the outside of the image transparent', async () => {
    const image = await services.renderer.image(ids.nodata);
    const options = { bands: [0], stretch: DEFAULT_STRETCH };
    const rgba = await services.renderer.renderPixelTile(image, { z: 0, x: 0, y: 0 }, options);
    expect(alphaAt(rgba, 1, 1)).toBe(0); // nodata (top-left 4 × 4)
    expect(alphaAt(rgba, 10, 10)).toBe(255);
    expect(alphaAt(rgba, 100, 10)).toBe(0); // beyond the 40 × 32 image
  });

  it('reads levels it does not hold in memory the same as levels it holds', async () => {
    const image = await services.renderer.image(ids.texture);
    const lean = await home.open({ maxKeptLevelPixels: 100 });
    try {
      const full = await services.renderer.pyramid(image);
      const streamed = await lean.renderer.pyramid(image);
      expect([full.firstKeptLevel, streamed.firstKeptLevel, streamed.levelCount]).toEqual([
        0, 2, 2,
      ]);
      const window = { col0: 3, row0: 5, width: 297, height: 40 };
      expect(await streamed.readLevelWindow(1, window, [2, 0])).toEqual(
        await full.readLevelWindow(1, window, [2, 0]),
      );
    } finally {
      await lean.close();
    }
  });

  it('serves pixel tiles of an image without georeferencing, and refuses its XYZ tiles', async () => {
    const image = await services.renderer.image(ids.pixelOnly);
    const options = { bands: [0], stretch: DEFAULT_STRETCH };
    const rgba = await services.renderer.renderPixelTile(image, { z: 0, x: 0, y: 0 }, options);
    expect(alphaAt(rgba, 15, 15)).toBe(255);
    expect(alphaAt(rgba, 16, 0)).toBe(0);
    await expect(
      services.renderer.renderMercatorTile(image, { z: 3, x: 1, y: 1 }, options),
    ).rejects.toThrow(NotFoundError);
  });

  it('names a huge zoom, a tile outside the image and an unknown image', async () => {
    const request = { imageId: ids.paris, scheme: 'mercator', format: 'png' } as const;
    await expect(
      serveTile(services.deps, { ...request, tile: { z: 40, x: 0, y: 0 } }),
    ).rejects.toThrow(new ValidationError('tile zoom 40 must be an integer in [0, 24]'));
    await expect(
      serveTile(services.deps, { ...request, tile: { z: 15, x: 0, y: 0 } }),
    ).rejects.toThrow(NotFoundError);
    await expect(
      serveTile(services.deps, {
        ...request,
        imageId: 'img_0000000000000000',
        tile: { z: 1, x: 0, y: 0 },
      }),
    ).rejects.toThrow(new NotFoundError('image img_0000000000000000 not found'));
    await expect(
      serveTile(services.deps, { ...request, scheme: 'pixel', tile: { z: 9, x: 0, y: 0 } }),
    ).rejects.toThrow(ValidationError);
  });
});
