/**
 * Puts table routes (api-route.ts) on a fastify instance: each request's path, query and
 * body parsed with the route's schemas (400 naming the bad field), then the handler.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ApiRoute } from './api-route.ts';
import type { ApiServices } from './api-services.ts';
import { parseRequestPart } from './problem.ts';

function parsePart(
  part: 'path' | 'query' | 'body',
  schema: z.ZodType | undefined,
  value: unknown,
  status?: number,
): unknown {
  return schema === undefined ? undefined : parseRequestPart(part, schema, value, status);
}

/**
 * Registers table routes on `app`: each request's path, query and body parsed with the
 * route's schemas (400 naming the bad field), the handler called with them.
 */
export function registerApiRoutes(
  app: FastifyInstance,
  routes: readonly ApiRoute[],
  services: ApiServices,
): void {
  for (const route of routes) registerRoute(app, route, services);
}

function registerRoute(app: FastifyInstance, route: ApiRoute, services: ApiServices): void {
  app.route({
    method: route.method,
    url: route.url,
    config: { access: route.access },
    handler: async (request, reply) => {
      const input = {
        params: parsePart('path', route.params, request.params),
        query: parsePart('query', route.query, request.query),
        body: parsePart('body', route.body, request.body, route.invalidBodyStatus),
        user: request.sitewatchUser,
        request,
        reply,
        services,
      };
      const result = await route.handler(input);
      if (route.sendsReply === true) return result;
      void reply.code(route.status ?? 200);
      return route.status === 204 ? reply.send() : result;
    },
  });
}

/**
 * Registers routes that use no {@link ApiServices} (their dependencies are closed over, as
 * the job and tile routes' are) on a bare fastify instance, e.g. in their own tests.
 */
export function registerSelfContainedRoutes(
  app: FastifyInstance,
  routes: readonly ApiRoute[],
): void {
  const noServices = new Proxy({} as ApiServices, {
    get: (_target, key) => {
      throw new Error(`a self-contained route read ApiServices.${String(key)}`);
    },
  });
  registerApiRoutes(app, routes, noServices);
}
