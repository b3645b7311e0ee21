/**
 * The tile use case as the HTTP routes see it: parse the display options, derive the ETag
 * before rendering (so a client's revalidation and a cache hit cost no pixels), render, encode,
 * and keep the encoded tile in an LRU cache.
 */
import { selectBands } from '../../core/tiles/band-selection.ts';
import { parseStretch, tileOptionsKey, type TileFormat } from '../../core/tiles/tile-options.ts';
import type { TileAddress } from '../../core/tiles/web-mercator.ts';
import { TILE_SIZE_PX } from '../../core/tiles/web-mercator.ts';
import type { CachedTile, LruTileCache } from './lru-tile-cache.ts';
import type { TileRenderer } from './render-tile.ts';
import type { TileEncoder } from './tile-ports.ts';

/** Bumped whenever rendering changes what a tile looks like, so old ETags stop matching. */
export const TILE_RENDERER_VERSION = '1';

export type TileScheme = 'mercator' | 'pixel';

export interface TileServiceDeps {
  readonly renderer: TileRenderer;
  readonly encoder: TileEncoder;
  readonly cache: LruTileCache;
  /** SHA-256 of bytes, lower-case hex. */
  readonly sha256Hex: (bytes: Uint8Array) => string;
}

export interface TileRequest {
  readonly imageId: string;
  readonly scheme: TileScheme;
  readonly tile: TileAddress;
  readonly format: TileFormat;
  /** Comma-separated band names or 1-based indexes (1 or 3); absent for the default. */
  readonly bands?: string | undefined;
  /** `pLOW,pHIGH`; absent for p2,p98. */
  readonly stretch?: string | undefined;
  /** Whether the client holds this ETag already (its If-None-Match names it); absent: no. */
  readonly clientHas?: ((etag: string) => boolean) | undefined;
}

export type TileResponse =
  | { readonly status: 'not-modified'; readonly etag: string }
  | { readonly status: 'ok'; readonly tile: CachedTile; readonly fromCache: boolean };

const CONTENT_TYPES: Record<TileFormat, string> = { png: 'image/png', webp: 'image/webp' };

/**
 * One tile, encoded, or "not modified".
 * @throws NotFoundError for an unknown image or a tile outside it; ValidationError for a bad
 *   address, band list or stretch.
 */
export async function serveTile(
  deps: TileServiceDeps,
  request: TileRequest,
): Promise<TileResponse> {
  const image = await deps.renderer.image(request.imageId);
  const options = {
    bands: selectBands(
      request.bands,
      image.bands.map((band) => band.name),
      image.acquisition.sensor,
    ),
    stretch: parseStretch(request.stretch),
  };
  const { z, x, y } = request.tile;
  const key = [
    TILE_RENDERER_VERSION,
    image.sha256,
    request.scheme,
    `${z}/${x}/${y}`,
    tileOptionsKey(options),
    request.format,
  ].join('|');
  const etag = `"${deps.sha256Hex(new TextEncoder().encode(key)).slice(0, 32)}"`;
  if (request.clientHas?.(etag) === true) return { status: 'not-modified', etag };
  const cached = deps.cache.get(etag);
  if (cached !== undefined) return { status: 'ok', tile: cached, fromCache: true };
  const rgba =
    request.scheme === 'mercator'
      ? await deps.renderer.renderMercatorTile(image, request.tile, options)
      : await deps.renderer.renderPixelTile(image, request.tile, options);
  const bytes = await deps.encoder.encode(rgba, TILE_SIZE_PX, TILE_SIZE_PX, request.format);
  const tile: CachedTile = { etag, bytes, contentType: CONTENT_TYPES[request.format] };
  deps.cache.set(tile);
  return { status: 'ok', tile, fromCache: false };
}
