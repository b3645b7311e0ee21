/**
 * Downloads of what `sitewatch figure` and `sitewatch report` write: an annotated figure of a
 * site on one image (PNG) and a site's brief (PDF), as attachments. Self-contained routes like
 * the tile routes: `sitewatch serve` passes their dependencies; without them (documentation
 * only) they answer 503.
 *
 *   GET /api/sites/:id/figure?image=img_…&size=1600x1200&with=detections,changes
 *   GET /api/sites/:id/brief
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { createBriefPictures } from '../../../app/publish/brief-pictures.ts';
import { publishBrief, type BriefDeps } from '../../../app/publish/brief.ts';
import {
  encodeFigure,
  FIGURE_LAYERS,
  renderFigure,
  type FigureDeps,
  type FigureEncoder,
  type FigureLayer,
} from '../../../app/publish/figure.ts';
import { SitewatchError } from '../../../core/errors.ts';
import { renderBriefPdf } from '../../pdf/pdf-brief-writer.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { idParams } from '../api-schemas.ts';

export interface PublishRouteDeps {
  readonly figure: FigureDeps;
  readonly encoder: FigureEncoder;
  /** The brief use case's stores (its pictures are made per request from `figure`). */
  readonly brief: Omit<BriefDeps, 'pictures'>;
  readonly softwareVersion: string;
  /** ISO 8601 UTC: the time a brief states and is made as of. */
  readonly nowIso: () => string;
}

const figureQuery = z.object({
  image: z.string().min(1).max(200).describe('The image the figure shows (e.g. date B).'),
  size: z
    .string()
    .regex(/^\d{2,4}x\d{2,4}$/, 'must be WIDTHxHEIGHT in pixels, e.g. 1600x1200')
    .default('1600x1200'),
  with: z
    .string()
    .max(100)
    .optional()
    .describe(`Layers drawn, comma-separated: ${FIGURE_LAYERS.join(', ')} (default all).`),
});

function layersOf(text: string | undefined): FigureLayer[] | undefined {
  if (text === undefined) return undefined;
  return text.split(',').map((name) => {
    const layer = FIGURE_LAYERS.find((known) => known === name.trim());
    if (layer === undefined) {
      throw new SitewatchError(
        'INVALID_INPUT',
        `with: "${name}" is not a layer; expected ${FIGURE_LAYERS.join(', ')}`,
      );
    }
    return layer;
  });
}

function depsOf(deps: PublishRouteDeps | undefined): PublishRouteDeps {
  if (deps === undefined)
    throw new SitewatchError('IO', 'this server renders no figures or briefs');
  return deps;
}

function attachment(
  reply: FastifyReply,
  type: string,
  name: string,
  bytes: Uint8Array,
): FastifyReply {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return reply
    .code(200)
    .type(type)
    .header('content-disposition', `attachment; filename="${safe}"`)
    .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const fileResponse = z.string().describe('The file (binary), as a download.');

/** The figure and brief routes; without `deps` (documentation only) they answer 503. */
export function publishRoutes(deps?: PublishRouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/sites/:id/figure',
      operationId: 'getSiteFigure',
      summary:
        'An annotated figure of the site on one image (PNG): the file `sitewatch figure --site ID ' +
        '--image IMG --format png` writes, as a download.',
      tag: 'export',
      access: 'viewer',
      params: idParams,
      query: figureQuery,
      response: fileResponse,
      contentType: 'image/png',
      sendsReply: true,
      handler: async ({ params, query, reply }) => {
        const { figure: figureDeps, encoder } = depsOf(deps);
        const [width = 0, height = 0] = query.size.split('x').map(Number);
        const figure = await renderFigure(figureDeps, {
          siteId: params.id,
          imageId: query.image,
          layers: layersOf(query.with),
          widthPx: width,
          heightPx: height,
        });
        const png = await encodeFigure(
          encoder,
          { width, height, title: figure.title, figures: [{ figure, left: 0, top: 0 }] },
          'png',
        );
        return attachment(reply, 'image/png', `${params.id}-${query.image}-figure.png`, png);
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/sites/:id/brief',
      operationId: 'getSiteBrief',
      summary:
        'A brief on the site and its linked sites (PDF), as of now: the file `sitewatch report ' +
        '--site ID --format pdf` writes, as a download.',
      tag: 'export',
      access: 'viewer',
      params: idParams,
      response: fileResponse,
      contentType: 'application/pdf',
      sendsReply: true,
      handler: async ({ params, reply }) => {
        const publish = depsOf(deps);
        const pictures = createBriefPictures(publish.figure, publish.encoder);
        try {
          const now = publish.nowIso();
          const brief = await publishBrief(
            { ...publish.brief, pictures },
            {
              subject: { kind: 'site', siteId: params.id },
              asOf: now,
              generatedAt: now,
              softwareVersion: publish.softwareVersion,
            },
          );
          const pdf = await renderBriefPdf(brief);
          return await attachment(reply, 'application/pdf', `${params.id}-brief.pdf`, pdf);
        } finally {
          await pictures.close();
        }
      },
    }),
  ];
}
