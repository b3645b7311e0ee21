/**
 * HTTP routes for imagery tiles as table routes (api-route.ts: documented, authenticated);
 * the handler answers errors itself as problem+json with the server's table (problem.ts),
 * so the routes behave the same on a bare fastify instance.
 *
 *   GET /api/images/:id/tiles/:z/:x/:y.(png|webp)?bands=B04,B03,B02&stretch=p2,p98
 *   GET /api/images/:id/pixel-tiles/:z/:x/:y.png?bands=…&stretch=…
 *
 * 200 with the tile, a strong ETag (image sha256, address, options, renderer version) and
 * `Cache-Control: private, max-age=3600`; 304 when If-None-Match names the ETag; 404 for an
 * unknown image or a tile outside it; 400 for a bad address, band list or stretch.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { serveTile, type TileScheme, type TileServiceDeps } from '../../app/tiles/serve-tile.ts';
import { SitewatchError, ValidationError } from '../../core/errors.ts';
import { TILE_FORMATS, type TileFormat } from '../../core/tiles/tile-options.ts';
import { etagMatches } from './etag.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { problemForError, sendProblem } from './problem.ts';
import { registerSelfContainedRoutes } from './register-routes.ts';

export type TileRouteDeps = TileServiceDeps;

/** How long a browser may reuse a tile without asking (a stored image's tiles never change). */
const MAX_AGE_SECONDS = 3600;

const digits = (what: string): z.ZodString =>
  z.string().regex(/^\d+$/, `${what} must be a non-negative integer`);

const tileParams = z.object({
  id: z.string().min(1).max(200),
  z: digits('zoom'),
  x: digits('x'),
  file: z.string().regex(/^\d+\.[a-z]+$/, 'must be <y>.<format>, e.g. 12.png'),
});

const tileQuery = z.object({
  bands: z
    .string()
    .max(200)
    .optional()
    .describe('One or three bands by name or 1-based index, e.g. `B04,B03,B02`.'),
  stretch: z
    .string()
    .max(50)
    .optional()
    .describe('Contrast stretch percentiles per band, e.g. `p2,p98`.'),
});

function formatOf(file: string, formats: readonly TileFormat[]): TileFormat {
  const text = file.slice(file.indexOf('.') + 1);
  const format = formats.find((f) => f === text);
  if (format === undefined) {
    throw new ValidationError(`tile format '${text}' must be one of ${formats.join(', ')}`);
  }
  return format;
}

/** The tile service, or a 503 when this server renders none. */
function tileDepsOf(deps: TileRouteDeps | undefined): TileRouteDeps {
  if (deps === undefined) throw new SitewatchError('IO', 'this server renders no tiles');
  return deps;
}

async function answerTile(
  deps: TileRouteDeps | undefined,
  scheme: TileScheme,
  formats: readonly TileFormat[],
  input: {
    params: z.output<typeof tileParams>;
    query: z.output<typeof tileQuery>;
    request: FastifyRequest;
    reply: FastifyReply;
  },
): Promise<FastifyReply> {
  const { params, query, request, reply } = input;
  try {
    const ifNoneMatch = request.headers['if-none-match'];
    const result = await serveTile(tileDepsOf(deps), {
      imageId: params.id,
      scheme,
      tile: { z: Number(params.z), x: Number(params.x), y: Number.parseInt(params.file, 10) },
      format: formatOf(params.file, formats),
      bands: query.bands,
      stretch: query.stretch,
      clientHas: (etag) => etagMatches(ifNoneMatch, etag),
    });
    void reply.header('cache-control', `private, max-age=${MAX_AGE_SECONDS}`);
    if (result.status === 'not-modified') {
      return await reply.code(304).header('etag', result.etag).send();
    }
    const { etag, bytes, contentType } = result.tile;
    return await reply
      .code(200)
      .header('etag', etag)
      .header('x-tile-cache', result.fromCache ? 'hit' : 'miss')
      .type(contentType)
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    return sendProblem(reply, problemForError(error));
  }
}

const tileResponse = z.string().describe('The tile image (binary).');

/**
 * The tile routes as table routes (documented; the auth hook applies). Without `deps`
 * (documentation only) they answer 503.
 */
export function tileRoutes(deps?: TileRouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/images/:id/tiles/:z/:x/:file',
      operationId: 'getTile',
      summary:
        'A Web-Mercator XYZ tile of a georeferenced image; `file` is `<y>.png` or `<y>.webp`. ' +
        'Strong ETag, 304 on If-None-Match, `Cache-Control: private, max-age=3600`.',
      tag: 'tiles',
      access: 'viewer',
      params: tileParams,
      query: tileQuery,
      response: tileResponse,
      contentType: 'image/png',
      sendsReply: true,
      handler: ({ params, query, request, reply }) =>
        answerTile(deps, 'mercator', TILE_FORMATS, { params, query, request, reply }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/images/:id/pixel-tiles/:z/:x/:file',
      operationId: 'getPixelTile',
      summary:
        'A pixel-space tile (images without georeferencing; zoom 0 is the whole image); ' +
        '`file` is `<y>.png`.',
      tag: 'tiles',
      access: 'viewer',
      params: tileParams,
      query: tileQuery,
      response: tileResponse,
      contentType: 'image/png',
      sendsReply: true,
      handler: ({ params, query, request, reply }) =>
        answerTile(deps, 'pixel', ['png'], { params, query, request, reply }),
    }),
  ];
}

/** Registers {@link tileRoutes} on `app` (the server applies authentication before them). */
export function registerTileRoutes(app: FastifyInstance, deps: TileRouteDeps): void {
  registerSelfContainedRoutes(app, tileRoutes(deps));
}
