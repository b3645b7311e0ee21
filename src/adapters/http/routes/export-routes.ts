/**
 * Downloads of what `sitewatch export` writes: a site's layer as GeoJSON, GeoPackage, KML or
 * CSV, and a comparison's change mask or magnitude as a Cloud-Optimized GeoTIFF. Each answer is
 * the file the CLI would write (the same use cases write it into a scratch folder, which is
 * removed once the bytes are read), with `Content-Disposition: attachment`.
 *
 *   GET /api/sites/:id/export?what=detections&format=gpkg
 *   GET /api/comparisons/:id/export?what=change-mask
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { COMPARISON_RASTERS, exportComparisonRaster } from '../../../app/export/export-products.ts';
import { exportSiteLayer, VECTOR_FORMATS } from '../../../app/export/export-site-layer.ts';
import { EXPORT_WHATS } from '../../../core/export/export-layer.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { idParams } from '../api-schemas.ts';
import { LocalExportFiles } from '../../fs/local-export-files.ts';

const TAG = 'export';

/** Media type and file extension of each download. */
const MEDIA: Readonly<Record<string, { type: string; extension: string }>> = {
  geojson: { type: 'application/geo+json', extension: 'geojson' },
  gpkg: { type: 'application/geopackage+sqlite3', extension: 'gpkg' },
  kml: { type: 'application/vnd.google-earth.kml+xml', extension: 'kml' },
  csv: { type: 'text/csv; charset=utf-8', extension: 'csv' },
  cog: { type: 'image/tiff; application=geotiff; profile=cloud-optimized', extension: 'tif' },
};

const siteExportQuery = z.object({
  what: z.enum(EXPORT_WHATS).describe('The layer, as `sitewatch export --what`.'),
  format: z.enum(VECTOR_FORMATS).default('geojson').describe('As `sitewatch export --format`.'),
});

const comparisonExportQuery = z.object({
  what: z.enum(COMPARISON_RASTERS).describe('The raster, as `sitewatch export --what`.'),
});

const fileResponse = z.string().describe('The exported file (binary), as a download.');

/** A file name safe in a header: ids are `[a-z0-9_-]`, anything else becomes `_`. */
function fileNameOf(...parts: string[]): string {
  return parts.join('-').replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * Runs `write(path)` against a scratch folder, then answers with the file it wrote (and removes
 * the folder, whatever happens): a failed export leaves nothing behind.
 */
async function download(
  reply: FastifyReply,
  fileName: string,
  format: string,
  write: (files: LocalExportFiles, path: string) => Promise<Record<string, string>>,
): Promise<FastifyReply> {
  const media = MEDIA[format] ?? { type: 'application/octet-stream', extension: 'bin' };
  const name = `${fileName}.${media.extension}`;
  const dir = await mkdtemp(join(tmpdir(), 'sitewatch-download-'));
  let bytes: Buffer;
  let headers: Record<string, string>;
  try {
    const path = join(dir, name);
    headers = await write(new LocalExportFiles(), path);
    bytes = await readFile(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  for (const [header, value] of Object.entries(headers)) void reply.header(header, value);
  return reply
    .code(200)
    .type(media.type)
    .header('content-disposition', `attachment; filename="${name}"`)
    .send(bytes);
}

export const EXPORT_ROUTES: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/api/sites/:id/export',
    operationId: 'exportSite',
    summary:
      'One layer of a site (`what`) as GeoJSON, GeoPackage, KML or CSV in lon/lat: the file ' +
      '`sitewatch export --site ID --what … --format …` writes, as a download; ' +
      '`X-Sitewatch-Feature-Count` gives its feature count.',
    tag: TAG,
    access: 'viewer',
    params: idParams,
    query: siteExportQuery,
    response: fileResponse,
    contentType: 'application/octet-stream',
    sendsReply: true,
    handler: ({ params, query, services, reply }) =>
      download(reply, fileNameOf(params.id, query.what), query.format, async (files, path) => {
        const result = await exportSiteLayer(
          {
            sites: services.sites,
            images: services.images,
            comparisons: services.comparisons,
            detections: services.detections,
            observations: services.observations,
            annotations: services.annotations.annotations,
            files,
          },
          { siteId: params.id, what: query.what, format: query.format, outPath: path },
        );
        return { 'x-sitewatch-feature-count': String(result.featureCount) };
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/comparisons/:id/export',
    operationId: 'exportComparison',
    summary:
      'A comparison’s change mask or magnitude as a Cloud-Optimized GeoTIFF: the file ' +
      '`sitewatch export --comparison ID --what … --format cog` writes, as a download; 404 ' +
      'when it was compared without an output folder.',
    tag: TAG,
    access: 'viewer',
    params: idParams,
    query: comparisonExportQuery,
    response: fileResponse,
    contentType: 'image/tiff',
    sendsReply: true,
    handler: ({ params, query, services, reply }) =>
      download(reply, fileNameOf(params.id, query.what), 'cog', async (files, path) => {
        await exportComparisonRaster(
          { comparisons: services.comparisons, files },
          params.id,
          query.what,
          path,
        );
        return {};
      }),
  }),
];
