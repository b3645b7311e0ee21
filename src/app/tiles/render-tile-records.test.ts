/**
 * The renderer reuses an image record for `imageRecordTtlMs` (a cached tile then costs no
 * repository read), reads it again afterwards, and never remembers an unknown id.
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.ts';
import { createTileHome, type TileHome } from '../../testing/tile-home.ts';
import { loadConfig } from '../../apps/config.ts';
import { openSitewatch, type Sitewatch } from '../../apps/wiring.ts';
import type { ImageRepository } from '../ports.ts';
import { TileRenderer } from './render-tile.ts';

const PIXEL_ONLY = join(resolve(import.meta.dirname, '../../..'), 'fixtures/raster/pixel-only.tif');

describe('TileRenderer image records', () => {
  let home: TileHome;
  let sw: Sitewatch;
  let id = '';

  beforeAll(async () => {
    home = createTileHome('sitewatch-tile-records-');
    id = await home.ingest(PIXEL_ONLY);
    sw = await openSitewatch(loadConfig({}, { home: home.home }));
  }, 60_000);
  afterAll(async () => {
    await sw.close();
    home.remove();
  });

  /** The real repository, counting `get` calls. */
  function counting(): { images: ImageRepository; gets: () => number } {
    let gets = 0;
    const images = new Proxy(sw.images, {
      get(target, key, receiver) {
        if (key === 'get') {
          return (imageId: string) => {
            gets += 1;
            return target.get(imageId);
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return { images, gets: () => gets };
  }

  function renderer(images: ImageRepository, ttlMs: number, now: () => number): TileRenderer {
    return new TileRenderer(
      { images, opener: sw.ingestDeps.opener, crs: sw.crs, limits: sw.ingestDeps.limits },
      { imageRecordTtlMs: ttlMs, nowMs: now },
    );
  }

  it('reads a record once per TTL', async () => {
    const repo = counting();
    let now = 0;
    const tiles = renderer(repo.images, 1000, () => now);
    const first = await tiles.image(id);
    now = 999;
    expect(await tiles.image(id)).toBe(first);
    expect(repo.gets()).toBe(1);
    now = 1000;
    expect((await tiles.image(id)).sha256).toBe(first.sha256);
    expect(repo.gets()).toBe(2);
    await tiles.close();
  });

  it('reads every time with a TTL of 0, and does not remember unknown ids', async () => {
    const repo = counting();
    const tiles = renderer(repo.images, 0, () => 0);
    await tiles.image(id);
    await tiles.image(id);
    expect(repo.gets()).toBe(2);
    const remembering = renderer(repo.images, 1000, () => 0);
    await expect(remembering.image('img_0000000000000000')).rejects.toThrow(NotFoundError);
    await expect(remembering.image('img_0000000000000000')).rejects.toThrow(
      'image img_0000000000000000 not found',
    );
    expect(repo.gets()).toBe(4);
    await tiles.close();
    await remembering.close();
  });
});
