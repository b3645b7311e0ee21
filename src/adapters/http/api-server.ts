/**
 * The HTTP server: fastify with the route table of routes/, authentication on every `/api/`
 * request (auth-hook.ts), problem+json errors, weak ETags, the workbench at `/`, and
 * extension points for routes built elsewhere (jobs, tiles).
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defineRoute, type ApiRoute } from './api-route.ts';
import type { ApiServices } from './api-services.ts';
import { installAuthHook } from './auth-hook.ts';
import { installEtags } from './etag.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { problemForError, problemOf, RequestValidationError, sendProblem } from './problem.ts';
import { ACCOUNT_ROUTES } from './routes/account-routes.ts';
import { ANALYSIS_ROUTES } from './routes/analysis-routes.ts';
import { CATALOG_ROUTES } from './routes/catalog-routes.ts';
import { REVIEW_ROUTES } from './routes/review-routes.ts';
import { installWebStatic } from './web-static.ts';

/**
 * Registers routes that are not in the table (e.g. binary tiles). They pass the same auth
 * hook: without `config.access` they need a viewer to read and an analyst to write.
 */
export type RouteExtension = (app: FastifyInstance) => void | Promise<void>;

export interface ApiServerOptions {
  readonly services: ApiServices;
  /** Folder of the built workbench (served at `/` when it holds index.html). */
  readonly webDir: string;
  /** More table routes (documented in the OpenAPI document), e.g. the jobs API. */
  readonly extraRoutes?: readonly ApiRoute[];
  readonly extensions?: readonly RouteExtension[];
  /**
   * Trust `X-Forwarded-*` from a reverse proxy: the client address for rate limiting and
   * `https` (so the session cookie is `Secure`) come from the proxy's headers.
   */
  readonly trustProxy?: boolean;
  readonly logger?: boolean;
}

const openApiDocuments = new WeakMap<FastifyInstance, unknown>();
const registeredRoutes = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/**
 * Every route the server registered (table routes, extensions, the workbench, fastify's
 * automatic HEAD routes), so tests can prove that none answers an anonymous request.
 */
export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return registeredRoutes.get(app) ?? [];
}

const OPENAPI_ROUTE = defineRoute({
  method: 'GET',
  url: '/api/openapi.json',
  operationId: 'getOpenApi',
  summary: 'This OpenAPI 3.1 document (no authentication).',
  tag: 'system',
  access: 'public',
  response: z.looseObject({ openapi: z.string() }),
  handler: ({ request }) => Promise.resolve(openApiDocuments.get(request.server)),
});

/** Every table route of the API, in registration order. */
export function apiRoutes(extraRoutes: readonly ApiRoute[] = []): ApiRoute[] {
  return [
    ...ACCOUNT_ROUTES,
    OPENAPI_ROUTE,
    ...CATALOG_ROUTES,
    ...ANALYSIS_ROUTES,
    ...REVIEW_ROUTES,
    ...extraRoutes,
  ];
}

function parsePart(
  part: string,
  schema: z.ZodType | undefined,
  value: unknown,
  status = 400,
): unknown {
  if (schema === undefined) return undefined;
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (!result.success) throw RequestValidationError.fromZod(part, result.error, status);
  return result.data;
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
      void reply.code(route.status ?? 200);
      return route.status === 204 ? reply.send() : result;
    },
  });
}

function installAudit(app: FastifyInstance, services: ApiServices): void {
  const audit = services.audit;
  if (audit === undefined) return;
  app.addHook('onResponse', async (request, reply) => {
    const user = request.sitewatchUser;
    if (user === undefined || ['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    await audit({
      atIso: services.accounts.clock.nowIso(),
      actor: user.name,
      role: user.role,
      method: request.method,
      route: request.routeOptions.url ?? request.url,
      status: reply.statusCode,
    });
  });
}

/** Builds (does not start) the server; call `listen` on the result. */
export async function buildApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 4 * 1024 * 1024,
  });
  const seen: { method: string; url: string }[] = [];
  registeredRoutes.set(app, seen);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) seen.push({ method, url: route.url });
  });
  await app.register(cookie);
  installAuthHook(app, options.services.accounts);
  installEtags(app);
  installAudit(app, options.services);
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('x-frame-options', 'DENY');
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'private, no-cache');
    return payload;
  });
  app.setErrorHandler(async (error, _request, reply) => {
    const problem = problemForError(error);
    if (problem.status === 429 && error instanceof Error && 'retryAfterSeconds' in error) {
      void reply.header('retry-after', String(error.retryAfterSeconds));
    }
    if (problem.status >= 500) app.log.error(error);
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(reply, problemOf(404, `no route ${request.method} ${request.url}`)),
  );
  const routes = apiRoutes(options.extraRoutes);
  openApiDocuments.set(app, buildOpenApiDocument(routes));
  for (const route of routes) registerRoute(app, route, options.services);
  for (const extension of options.extensions ?? []) await extension(app);
  installWebStatic(app, options.webDir);
  return app;
}
