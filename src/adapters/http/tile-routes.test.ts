/**
 * The tile routes on a bare fastify instance (no auth hook) over a real store: PNG and WebP
 * tiles, ETag revalidation, the cache, and problem+json for the errors.
 */
import { join, resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileAtLonLat } from '../../core/tiles/web-mercator.ts';
import { createTileHome, type TileHome, type TileServices } from '../../testing/tile-home.ts';
import { registerTileRoutes } from './tile-routes.ts';

const repo = resolve(import.meta.dirname, '../../..');
const PARIS = join(repo, 'examples/imagery/paris-bercy/2016-11-30');
/** Gare de Lyon, inside the Paris sample. */
const GARE_DE_LYON = [2.3733, 48.8443] as const;

describe('registerTileRoutes', () => {
  let home: TileHome;
  let services: TileServices;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    home = createTileHome();
    const id = await home.ingest(PARIS);
    services = await home.open();
    app = Fastify();
    registerTileRoutes(app, services.deps);
    await app.ready();
    const { tile } = tileAtLonLat(GARE_DE_LYON, 15);
    base = `/api/images/${id}/tiles/${tile.z}/${tile.x}/${tile.y}`;
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await services.close();
    home.remove();
  });

  it('answers a PNG with an ETag, then 304 for it, then the same bytes from the cache', async () => {
    const first = await app.inject({ method: 'GET', url: `${base}.png?bands=B04,B03,B02` });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('image/png');
    expect(first.headers['x-tile-cache']).toBe('miss');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const meta = await sharp(first.rawPayload).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([256, 256, 4]);

    const again = await app.inject({
      method: 'GET',
      url: `${base}.png?bands=B04,B03,B02`,
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.headers.etag).toBe(etag);

    const cached = await app.inject({ method: 'GET', url: `${base}.png?bands=4,3,2` });
    expect(cached.statusCode).toBe(200);
    expect(cached.headers['x-tile-cache']).toBe('hit');
    expect(cached.headers.etag).toBe(etag);
    expect(cached.rawPayload.equals(first.rawPayload)).toBe(true);
  });

  it('gives other options another ETag, and serves WebP', async () => {
    const png = await app.inject({ method: 'GET', url: `${base}.png?stretch=p5,p95` });
    const webp = await app.inject({ method: 'GET', url: `${base}.webp?bands=B08` });
    expect(webp.statusCode).toBe(200);
    expect(webp.headers['content-type']).toBe('image/webp');
    expect((await sharp(webp.rawPayload).metadata()).format).toBe('webp');
    expect(new Set([png.headers.etag, webp.headers.etag]).size).toBe(2);
  });

  it('answers problem+json: 404 for an unknown image and a tile outside, 400 for bad input', async () => {
    const cases = [
      ['/api/images/img_0000000000000000/tiles/3/1/1.png', 404, 'img_0000000000000000'],
      [`${base.replace(/\/\d+\/\d+\/\d+$/, '/15/0/0')}.png`, 404, 'outside'],
      [`${base.replace(/\/\d+\/\d+\/\d+$/, '/30/0/0')}.png`, 400, 'zoom 30'],
      [`${base}.gif`, 400, "'gif'"],
      [`${base}.png?stretch=p98,p2`, 400, 'p98,p2'],
      [`${base}.png?bands=B04,B03`, 400, 'got 2'],
      [`${base.replace('/tiles/', '/pixel-tiles/')}.png`, 400, 'zoom'],
    ] as const;
    for (const [url, status, detail] of cases) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json<{ detail: string }>().detail).toContain(detail);
    }
  });

  it('serves pixel tiles', async () => {
    const id = base.split('/')[3] ?? '';
    const response = await app.inject({
      method: 'GET',
      url: `/api/images/${id}/pixel-tiles/0/0/0.png`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
  });
});
