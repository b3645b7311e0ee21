/** Comparisons, detections, observations, series, assessments and alerts. */
import { z } from 'zod';
import { querySeries } from '../../../app/activity/series-query.ts';
import { assessFromPlaybook } from '../../../app/assess/assess-playbook.ts';
import { detectionsGeoJson } from '../../../app/detect/detections-geojson.ts';
import { CorruptFileError, NotFoundError } from '../../../core/errors.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import type { ApiServices } from '../api-services.ts';
import {
  alertSchema,
  assessmentBody,
  assessmentSchema,
  comparisonSchema,
  dateRangeQuery,
  detectionRunSchema,
  detectionsGeoJsonSchema,
  idParams,
  isoDateText,
  named,
  observationSchema,
  pageOf,
  pageQuery,
  seriesSchema,
} from '../api-schemas.ts';
import { paginate } from '../pagination.ts';

async function requireImage(services: ApiServices, id: string): Promise<void> {
  if ((await services.images.get(id)) === undefined) {
    throw new NotFoundError(`image "${id}" does not exist`);
  }
}

const observationQuery = pageQuery.extend(dateRangeQuery.shape).extend({
  site: z.string().max(200).optional(),
  zone: z.string().max(200).optional().describe('A zone id; `-` for site-level observations only.'),
  metric: z.string().max(200).optional(),
});

const seriesQuery = z.object({
  zone: z.string().max(200).optional(),
  metric: z.string().max(200).optional(),
  seasonal: z
    .enum(['true', 'false'])
    .optional()
    .describe('Seasonal (same time last years) baseline instead of the trailing one.'),
});

const alertQuery = pageQuery.extend({
  rule: z.string().max(200).optional(),
  since: isoDateText.optional().describe('Only alerts decided at or after this time.'),
});

/** What compare writes as changes.geojson (app/compare/write-outputs.ts changesGeoJson). */
const storedChanges = z.looseObject({
  type: z.literal('FeatureCollection'),
  features: z.array(z.looseObject({ type: z.literal('Feature') })),
});

const changesSchema = named(
  'ComparisonChanges',
  z
    .looseObject({
      type: z.literal('FeatureCollection'),
      comparisonId: z.string(),
      registration: comparisonSchema.shape.registration,
      features: z.array(
        z.looseObject({
          type: z.literal('Feature'),
          geometry: z
            .looseObject({ type: z.string(), coordinates: z.unknown() })
            .nullable()
            .describe('lon/lat Polygon or MultiPolygon; null for images without georeferencing.'),
          properties: z.looseObject({
            areaM2: z.number().nullable(),
            meanMagnitude: z.number(),
            zone: z.string().nullable(),
            pixelCount: z.number().int(),
          }),
        }),
      ),
    })
    .describe('Change polygons of a comparison with its registration report.'),
);

export const ANALYSIS_ROUTES: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/api/images/:id/comparisons',
    operationId: 'listImageComparisons',
    summary: 'Comparisons involving the image (as A or B), newest first.',
    tag: 'comparisons',
    access: 'viewer',
    params: idParams,
    query: pageQuery,
    response: pageOf(comparisonSchema),
    handler: async ({ params, query, services }) => {
      await requireImage(services, params.id);
      const list = await services.comparisons.listForImage(params.id);
      return paginate(list, (c) => c.id, query);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/comparisons/:id',
    operationId: 'getComparison',
    summary: 'One comparison with its registration report and zone changes.',
    tag: 'comparisons',
    access: 'viewer',
    params: idParams,
    response: comparisonSchema,
    handler: async ({ params, services }) => {
      const comparison = await services.comparisons.get(params.id);
      if (comparison === undefined) {
        throw new NotFoundError(`comparison "${params.id}" does not exist`);
      }
      return comparison;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/comparisons/:id/changes',
    operationId: 'getComparisonChanges',
    summary:
      'The comparison’s change polygons (lon/lat GeoJSON, from the changes.geojson of its output folder) ' +
      'with its registration report; 404 when it was compared without an output folder or the file is gone.',
    tag: 'comparisons',
    access: 'viewer',
    params: idParams,
    response: changesSchema,
    handler: async ({ params, services }) => {
      const comparison = await services.comparisons.get(params.id);
      if (comparison === undefined) {
        throw new NotFoundError(`comparison "${params.id}" does not exist`);
      }
      const path = comparison.outputs?.changes;
      const json = path === undefined ? undefined : await services.runOutputs.readJson(path);
      if (json === undefined) {
        throw new NotFoundError(
          `comparison "${params.id}" has no change polygons: it was run without an output folder or its changes.geojson is gone`,
        );
      }
      const collection = storedChanges.safeParse(json);
      if (!collection.success) {
        throw new CorruptFileError(`${path ?? ''}: not a GeoJSON FeatureCollection`);
      }
      return {
        ...collection.data,
        comparisonId: comparison.id,
        registration: comparison.registration,
      };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/images/:id/detection-runs',
    operationId: 'listImageDetectionRuns',
    summary: 'Detection runs on the image, newest first, with counts per zone.',
    tag: 'detections',
    access: 'viewer',
    params: idParams,
    query: pageQuery,
    response: pageOf(detectionRunSchema),
    handler: async ({ params, query, services }) => {
      await requireImage(services, params.id);
      const runs = await services.detections.listRunsForImage(params.id);
      return paginate(runs, (run) => run.id, query);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/detection-runs/:id/detections',
    operationId: 'getRunDetections',
    summary: 'The detections of a run as a GeoJSON FeatureCollection.',
    tag: 'detections',
    access: 'viewer',
    params: idParams,
    response: detectionsGeoJsonSchema,
    contentType: 'application/geo+json',
    handler: async ({ params, services, reply }) => {
      const run = await services.detections.getRun(params.id);
      if (run === undefined) throw new NotFoundError(`detection run "${params.id}" does not exist`);
      void reply.type('application/geo+json');
      return detectionsGeoJson({
        runId: run.id,
        imageId: run.imageId,
        model: run.model,
        detections: await services.detections.listDetections(run.id),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/observations',
    operationId: 'listObservations',
    summary: 'Observations by time, filtered by site, zone, metric and date.',
    tag: 'observations',
    access: 'viewer',
    query: observationQuery,
    response: pageOf(observationSchema),
    handler: async ({ query, services }) => {
      const list = await services.observations.list({
        ...(query.site === undefined ? {} : { siteId: query.site }),
        ...(query.zone === undefined ? {} : { zoneId: query.zone === '-' ? null : query.zone }),
        ...(query.metric === undefined ? {} : { metric: query.metric }),
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(query.until === undefined ? {} : { until: query.until }),
      });
      return paginate(list, (o) => o.id, query);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/sites/:id/series',
    operationId: 'getSiteSeries',
    summary: 'Each metric over time at the site and its zones, with baselines and anomaly scores.',
    tag: 'observations',
    access: 'viewer',
    params: idParams,
    query: seriesQuery,
    response: z.object({ items: z.array(seriesSchema) }),
    handler: async ({ params, query, services }) => ({
      items: await querySeries(services, {
        siteId: params.id,
        ...(query.zone === undefined ? {} : { zoneId: query.zone }),
        ...(query.metric === undefined ? {} : { metric: query.metric }),
        seasonal: query.seasonal === 'true',
      }),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/assessments',
    operationId: 'assess',
    summary: 'Assess a playbook (given in the body) against the stored observations.',
    tag: 'assessments',
    access: 'analyst',
    body: assessmentBody,
    response: assessmentSchema,
    handler: ({ body, services }) =>
      assessFromPlaybook(
        { ...services, reviews: services.review.reviews },
        body.playbook,
        'body.playbook',
        body.asOf ?? services.accounts.clock.nowIso(),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/alerts',
    operationId: 'listAlerts',
    summary: 'Alerts, newest first, with each channel’s delivery state.',
    tag: 'alerts',
    access: 'viewer',
    query: alertQuery,
    response: pageOf(alertSchema),
    handler: async ({ query, services }) => {
      const list = await services.alerts.listAlerts({
        ...(query.rule === undefined ? {} : { ruleId: query.rule }),
        ...(query.since === undefined ? {} : { since: query.since }),
      });
      return paginate(list, (a) => a.alert.id, query);
    },
  }),
];
