/**
 * The HTTP server: fastify with the route table of routes/, authentication on every `/api/`
 * request (auth-hook.ts), problem+json errors, weak ETags, the workbench at `/` with its
 * Content-Security-Policy, more table routes from their own modules (jobs, tiles) and
 * extension points for raw fastify routes. Writes are audited by their use cases, each in
 * the transaction of the change it records (not by an HTTP hook, which could not be).
 */
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { defineRoute, type ApiRoute } from './api-route.ts';
import type { ApiServices } from './api-services.ts';
import { installAuthHook } from './auth-hook.ts';
import { installEtags } from './etag.ts';
import { jobRoutes } from './job-routes.ts';
import { tileRoutes } from './tile-routes.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { problemForError, problemOf, sendProblem } from './problem.ts';
import { registerApiRoutes } from './register-routes.ts';
import { ACCOUNT_ROUTES } from './routes/account-routes.ts';
import { ANALYSIS_ROUTES } from './routes/analysis-routes.ts';
import { ANNOTATION_ROUTES } from './routes/annotation-routes.ts';
import { CATALOG_ROUTES } from './routes/catalog-routes.ts';
import { EXPORT_ROUTES } from './routes/export-routes.ts';
import { publishRoutes } from './routes/publish-routes.ts';
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

/**
 * For the workbench and its assets: scripts only from this origin (no inline script), images
 * also from data:/blob: URLs (canvas exports), inline styles because OpenLayers' controls and
 * Vite's CSS injection set them.
 */
export const WORKBENCH_CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

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
    ...ANNOTATION_ROUTES,
    ...EXPORT_ROUTES,
    ...extraRoutes,
  ];
}

/**
 * Every route `sitewatch serve` answers, the job and tile routes included (their handlers
 * here answer 503: for documentation, e.g. docs/openapi.json).
 */
export function documentedApiRoutes(): ApiRoute[] {
  return apiRoutes([...tileRoutes(), ...jobRoutes(), ...publishRoutes()]);
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
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('x-frame-options', 'DENY');
    if (request.url.startsWith('/api/')) {
      void reply.header('cache-control', 'private, no-cache');
    } else {
      void reply.header('content-security-policy', WORKBENCH_CSP);
    }
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
  registerApiRoutes(app, routes, options.services);
  for (const extension of options.extensions ?? []) await extension(app);
  installWebStatic(app, options.webDir);
  return app;
}
