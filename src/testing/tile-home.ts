/**
 * A sitewatch home in a temporary folder with images ingested through the CLI, and the tile
 * service over it (renderer, sharp encoder, LRU cache): the real components, for the tile tests
 * and the tile benchmark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CogOverviewCache } from '../adapters/overview-cache/cog-overview-cache.ts';
import { SharpTileEncoder } from '../adapters/image-encode/sharp-tile-encoder.ts';
import { sha256Hex } from '../adapters/system/node-sha256.ts';
import { LruTileCache } from '../app/tiles/lru-tile-cache.ts';
import { TileRenderer, type TileRendererOptions } from '../app/tiles/render-tile.ts';
import type { TileServiceDeps } from '../app/tiles/serve-tile.ts';
import { runCliCaptured } from '../apps/cli/run-cli-for-test.ts';
import { loadConfig } from '../apps/config.ts';
import { openSitewatch, type Sitewatch } from '../apps/wiring.ts';

export interface TileHome {
  readonly root: string;
  readonly home: string;
  /** Ingests a file or folder (extra CLI flags allowed); returns the image id. */
  ingest(path: string, extra?: readonly string[]): Promise<string>;
  /** Opens the store and the tile service (after the ingests). */
  open(
    options?: TileRendererOptions & {
      readonly cacheBytes?: number;
      /** Use the on-disk overview cache under `<home>/cache/overviews` (default false). */
      readonly overviewCache?: boolean;
    },
  ): Promise<TileServices>;
  /** Removes the temporary folder. */
  remove(): void;
}

export interface TileServices {
  readonly sw: Sitewatch;
  readonly renderer: TileRenderer;
  readonly deps: TileServiceDeps;
  close(): Promise<void>;
}

export function createTileHome(prefix = 'sitewatch-tiles-'): TileHome {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const home = join(root, 'home');
  return {
    root,
    home,
    async ingest(path, extra = []) {
      const run = await runCliCaptured([
        '--home',
        home,
        'images',
        'ingest',
        path,
        '--acquired-at',
        '2024-05-01',
        ...extra,
        '--json',
      ]);
      if (run.code !== 0) throw new Error(`ingest ${path} failed: ${run.stderr}`);
      const [image] = run.json<{ id: string }[]>();
      if (image === undefined) throw new Error(`nothing ingested from ${path}`);
      return image.id;
    },
    async open(options = {}) {
      const sw = await openSitewatch(loadConfig({}, { home }));
      const renderer = new TileRenderer(
        {
          images: sw.images,
          opener: sw.ingestDeps.opener,
          crs: sw.crs,
          limits: sw.ingestDeps.limits,
          ...(options.overviewCache === true
            ? {
                overviewCache: new CogOverviewCache(
                  join(home, 'cache', 'overviews'),
                  sw.ingestDeps.opener,
                  sw.ingestDeps.limits,
                ),
              }
            : {}),
        },
        options,
      );
      const deps: TileServiceDeps = {
        renderer,
        encoder: new SharpTileEncoder(),
        cache: new LruTileCache(options.cacheBytes ?? 64 * 2 ** 20),
        sha256Hex,
      };
      return {
        sw,
        renderer,
        deps,
        close: async () => {
          await renderer.close();
          await sw.close();
        },
      };
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
