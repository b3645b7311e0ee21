/**
 * HTTP routes for imagery tiles (fastify), registered through the server's `extensions` so
 * its authentication hook applies; errors are answered here as problem+json with the server's
 * table (problem.ts), so the routes behave the same on a bare fastify instance.
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
import { ValidationError } from '../../core/errors.ts';
import { TILE_FORMATS, type TileFormat } from '../../core/tiles/tile-options.ts';
import { etagMatches } from './etag.ts';
import { problemForError, RequestValidationError, sendProblem } from './problem.ts';

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
  bands: z.string().max(200).optional(),
  stretch: z.string().max(50).optional(),
});

function parsePart<T extends z.ZodType>(part: string, schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw RequestValidationError.fromZod(part, result.error);
  return result.data;
}

function formatOf(file: string, formats: readonly TileFormat[]): TileFormat {
  const text = file.slice(file.indexOf('.') + 1);
  const format = formats.find((f) => f === text);
  if (format === undefined) {
    throw new ValidationError(`tile format '${text}' must be one of ${formats.join(', ')}`);
  }
  return format;
}

async function answerTile(
  deps: TileRouteDeps,
  scheme: TileScheme,
  formats: readonly TileFormat[],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  try {
    const params = parsePart('path', tileParams, request.params);
    const query = parsePart('query', tileQuery, request.query);
    const ifNoneMatch = request.headers['if-none-match'];
    const result = await serveTile(deps, {
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

/** Registers the tile routes on `app` (the server applies authentication before them). */
export function registerTileRoutes(app: FastifyInstance, deps: TileRouteDeps): void {
  app.get('/api/images/:id/tiles/:z/:x/:file', (request, reply) =>
    answerTile(deps, 'mercator', TILE_FORMATS, request, reply),
  );
  app.get('/api/images/:id/pixel-tiles/:z/:x/:file', (request, reply) =>
    answerTile(deps, 'pixel', ['png'], request, reply),
  );
}
