/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as is). Committed as docs/openapi.json; a test fails when
 * the committed file drifts (REGEN=1 rewrites it).
 */
import { z } from 'zod';
import type { ApiRoute } from './api-route.ts';
import { apiSchemaNames } from './api-schemas.ts';

/** The API's own version: bump it when a route or schema changes incompatibly. */
export const API_VERSION = '0.1.0';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const COMPONENT_PREFIX = '#/components/schemas/';

/** Drops `$schema`/`$id`/`$defs` and points `#/$defs/X` at the shared components. */
function tidy(value: Json): Json {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '$schema' || key === '$id' || key === '$defs') continue;
    out[key] =
      key === '$ref' && typeof item === 'string'
        ? item.replace('#/$defs/', COMPONENT_PREFIX)
        : tidy(item);
  }
  return out;
}

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const id = apiSchemaNames.get(schema)?.id;
  if (id !== undefined) return { $ref: `${COMPONENT_PREFIX}${id}` };
  return tidy(
    z.toJSONSchema(schema, { io, metadata: apiSchemaNames, unrepresentable: 'any' }) as Json,
  );
}

function componentSchemas(): Json {
  const { schemas } = z.toJSONSchema(apiSchemaNames, {
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
    unrepresentable: 'any',
  });
  const out: { [key: string]: Json } = {};
  for (const name of Object.keys(schemas).sort()) {
    out[name] = tidy((schemas[name] ?? {}) as Json);
  }
  return out;
}

function parametersOf(route: ApiRoute): Json[] {
  const list: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (schema === undefined) continue;
    const shape: Record<string, z.ZodType> = schema.shape;
    for (const [name, field] of Object.entries(shape)) {
      const description = field.description;
      list.push({
        name,
        in: where,
        required: where === 'path' || !field.safeParse(undefined).success,
        ...(description === undefined ? {} : { description }),
        schema: jsonSchemaOf(field, 'input'),
      });
    }
  }
  return list;
}

const problemResponse = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: `${COMPONENT_PREFIX}Problem` } } },
});

function responsesOf(route: ApiRoute): Json {
  const responses: { [status: string]: Json } = {
    [String(route.status ?? 200)]: {
      description: route.summary,
      content: {
        [route.contentType ?? 'application/json']: {
          schema: jsonSchemaOf(route.response, 'output'),
        },
      },
    },
  };
  if (route.params !== undefined || route.query !== undefined || route.body !== undefined) {
    responses['400'] = problemResponse('A bad parameter or body; `invalidParams` names it.');
  }
  if (route.access !== 'public') {
    responses['401'] = problemResponse('Not authenticated.');
    responses['403'] = problemResponse(`Authenticated, but the role is below ${route.access}.`);
  }
  if (route.params !== undefined) responses['404'] = problemResponse('No such resource.');
  if (route.method === 'GET') responses['304'] = { description: 'Not modified (If-None-Match).' };
  return responses;
}

function pathOf(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: readonly ApiRoute[]): Json {
  const paths: { [path: string]: { [method: string]: Json } } = {};
  const sorted = [...routes].sort(
    (a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method),
  );
  for (const route of sorted) {
    const item = (paths[pathOf(route.url)] ??= {});
    item[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      'x-sitewatch-access': route.access,
      ...(route.access === 'public' ? { security: [] } : {}),
      parameters: parametersOf(route),
      ...(route.body === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input') } },
            },
          }),
      responses: responsesOf(route),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sitewatch API',
      version: API_VERSION,
      description:
        'Sites, imagery, comparisons, detections, observations, series, assessments and alerts. ' +
        'Authenticate with the session cookie from POST /api/session or `Authorization: Bearer <token>` ' +
        '(`sitewatch tokens create --user NAME`). Lists are paginated with `limit` and the opaque `cursor` from `next`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sitewatch_session' },
      },
      schemas: componentSchemas(),
    },
  };
}
