/**
 * Analysts' annotations: lon/lat GeoJSON drawings on an image (box, polygon, arrow, text
 * label, measurement). Lists are `{ items, next }` pages of annotations, each a GeoJSON-like
 * object with `geometry` and `properties`; measurements carry `length_m`/`area_m2` computed
 * by the server. Writes need an analyst; edits and deletes the author or an admin.
 */
import { z } from 'zod';
import {
  createAnnotation,
  deleteAnnotation,
  listAnnotations,
  updateAnnotation,
} from '../../../app/annotations/annotations.ts';
import type { User } from '../../../app/accounts/account-ports.ts';
import { ANNOTATION_KINDS } from '../../../core/annotations/annotation.ts';
import { UnauthenticatedError } from '../../../core/auth/auth-errors.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import { idParams, named, pageOf, pageQuery } from '../api-schemas.ts';
import { paginate } from '../pagination.ts';

const TAG = 'annotations';

const annotationGeometry = z
  .object({
    type: z.enum(['Point', 'LineString', 'Polygon']),
    coordinates: z.array(z.unknown()),
  })
  .describe(
    'lon/lat GeoJSON: box and polygon a Polygon (closed rings), arrow a LineString, text a ' +
      'Point, measurement a LineString or Polygon; at most 10,000 vertices.',
  );

const annotationProperties = z.object({
  kind: z.enum(ANNOTATION_KINDS),
  text: z.string().max(2000).optional().describe('Required for `text` labels.'),
  color: z.string().max(9).optional().describe('`#rrggbb` or `#rrggbbaa`.'),
});

const annotationSchema = named(
  'Annotation',
  z
    .object({
      id: z.string(),
      imageId: z.string(),
      siteId: z.string().nullable(),
      geometry: annotationGeometry,
      properties: annotationProperties.extend({
        length_m: z
          .number()
          .optional()
          .describe('Measurements: length of the line, or perimeter of the polygon (metres).'),
        area_m2: z.number().optional().describe('Polygon measurements: area (square metres).'),
      }),
      author: z.string(),
      createdAt: z.string(),
      updatedAt: z.string(),
      deleted: z.boolean(),
    })
    .describe('An annotation on an image (core/annotations/annotation.ts Annotation).'),
);

const newAnnotationBody = z.object({
  imageId: z.string().min(1).max(200).describe('The image drawn on (must exist).'),
  siteId: z.string().min(1).max(200).nullable().optional().describe('The site, if any.'),
  geometry: z.unknown().describe('lon/lat GeoJSON geometry of the kind (see Annotation).'),
  properties: z.unknown().describe('{ kind, text?, color? } (see Annotation).'),
});

const annotationPatchBody = z.object({
  geometry: z.unknown().optional().describe('A new geometry (re-measured for measurements).'),
  properties: z.unknown().optional().describe('New { kind, text?, color? }.'),
});

const annotationQuery = pageQuery.extend({
  imageId: z.string().max(200).optional(),
  siteId: z.string().max(200).optional(),
});

function caller(user: User | undefined): User {
  if (user === undefined) throw new UnauthenticatedError();
  return user;
}

export const ANNOTATION_ROUTES: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/api/annotations',
    operationId: 'listAnnotations',
    summary: 'Live (not deleted) annotations, oldest first, by image and/or site.',
    tag: TAG,
    access: 'viewer',
    query: annotationQuery,
    response: pageOf(annotationSchema),
    handler: async ({ query, services }) => {
      const list = await listAnnotations(services.annotations, {
        imageId: query.imageId,
        siteId: query.siteId,
      });
      return paginate(list, (a) => a.id, query);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/annotations',
    operationId: 'createAnnotation',
    summary:
      'Save a drawing on an image; the caller is the author. A malformed geometry answers 400 naming the field.',
    tag: TAG,
    access: 'analyst',
    body: newAnnotationBody,
    status: 201,
    response: annotationSchema,
    handler: ({ body, user, services }) =>
      createAnnotation(services.annotations, body, caller(user)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/annotations/:id',
    operationId: 'updateAnnotation',
    summary: 'Replace an annotation’s geometry and/or properties (its author or an admin).',
    tag: TAG,
    access: 'analyst',
    params: idParams,
    body: annotationPatchBody,
    response: annotationSchema,
    handler: ({ params, body, user, services }) =>
      updateAnnotation(services.annotations, params.id, body, caller(user)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/annotations/:id',
    operationId: 'deleteAnnotation',
    summary: 'Delete an annotation (soft: kept and audited, gone from lists; author or admin).',
    tag: TAG,
    access: 'analyst',
    params: idParams,
    status: 204,
    response: z.null(),
    handler: async ({ params, user, services }) => {
      await deleteAnnotation(services.annotations, params.id, caller(user));
      return null;
    },
  }),
];
