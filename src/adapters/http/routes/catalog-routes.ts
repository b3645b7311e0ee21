/** Sites (with zones and links) and images. */
import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import {
  dateRangeQuery,
  idParams,
  imageSchema,
  pageOf,
  pageQuery,
  siteSchema,
} from '../api-schemas.ts';
import { paginate } from '../pagination.ts';

const siteListQuery = pageQuery.extend({
  q: z
    .string()
    .max(200)
    .optional()
    .describe('Only sites whose id or name contains this (any case).'),
  tag: z.string().max(100).optional().describe('Only sites with this tag.'),
});

const imageListQuery = pageQuery.extend(dateRangeQuery.shape).extend({
  site: z.string().max(200).optional().describe('Only images filed under this site.'),
});

export const CATALOG_ROUTES: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/api/sites',
    operationId: 'listSites',
    summary: 'Sites by id, with zones and links.',
    tag: 'sites',
    access: 'viewer',
    query: siteListQuery,
    response: pageOf(siteSchema),
    handler: async ({ query, services }) => {
      const needle = query.q?.toLowerCase();
      const sites = (await services.sites.list()).filter(
        (site) =>
          (needle === undefined ||
            site.id.includes(needle) ||
            site.name.toLowerCase().includes(needle)) &&
          (query.tag === undefined || site.tags.includes(query.tag)),
      );
      return paginate(sites, (site) => site.id, query);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/sites/:id',
    operationId: 'getSite',
    summary: 'One site with its zones and links.',
    tag: 'sites',
    access: 'viewer',
    params: idParams,
    response: siteSchema,
    handler: async ({ params, services }) => {
      const site = await services.sites.get(params.id);
      if (site === undefined) throw new NotFoundError(`site "${params.id}" is not in the catalog`);
      return site;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/images',
    operationId: 'listImages',
    summary: 'Images by acquisition time, filtered by site and date.',
    tag: 'images',
    access: 'viewer',
    query: imageListQuery,
    response: pageOf(imageSchema),
    handler: async ({ query, services }) => {
      const images = await services.images.list({
        ...(query.site === undefined ? {} : { siteId: query.site }),
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(query.until === undefined ? {} : { until: query.until }),
      });
      return paginate(images, (image) => image.id, query);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/images/:id',
    operationId: 'getImage',
    summary: 'One image record.',
    tag: 'images',
    access: 'viewer',
    params: idParams,
    response: imageSchema,
    handler: async ({ params, services }) => {
      const image = await services.images.get(params.id);
      if (image === undefined) throw new NotFoundError(`image "${params.id}" does not exist`);
      return image;
    },
  }),
];
