/**
 * `sitewatch serve`: one process serving the REST API and the workbench over the data home
 * (the embedded default). Binds to localhost unless told otherwise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApiServer, type RouteExtension } from '../../adapters/http/api-server.ts';
import type { ApiRoute } from '../../adapters/http/api-route.ts';
import type { ApiServices } from '../../adapters/http/api-services.ts';
import { readJsonFile } from '../cli/context.ts';
import { SOFTWARE_VERSION } from '../version.ts';
import { jobRoutes } from '../../adapters/http/job-routes.ts';
import { metricsExtension } from '../../adapters/http/metrics-routes.ts';
import { tileRoutes } from '../../adapters/http/tile-routes.ts';
import { publishRoutes, type PublishRouteDeps } from '../../adapters/http/routes/publish-routes.ts';
import { SharpFigureEncoder } from '../../adapters/image-encode/sharp-figure-encoder.ts';
import { figureDepsOf } from '../cli/commands/figure.ts';
import { runDeliverer } from '../../app/alerts/deliver-alerts.ts';
import { createJobRunner, createTileService, type Sitewatch } from '../wiring.ts';

/** The built workbench (`npm run build` in web/ writes it); a placeholder page until then. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

export interface ServeOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Behind a reverse proxy that terminates TLS: trust its X-Forwarded-* headers. */
  readonly trustProxy?: boolean;
  readonly webDir?: string;
  /** Jobs, tiles and other routes plugged in by their own modules. */
  readonly extraRoutes?: readonly ApiRoute[];
  readonly extensions?: readonly RouteExtension[];
  readonly logger?: boolean;
}

export interface RunningServer {
  /** `http://HOST:PORT` as bound (the real port when 0 was asked). */
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** What the routes need, from an opened home. */
export function apiServicesOf(sw: Sitewatch): ApiServices {
  return {
    accounts: sw.accountDeps,
    sites: sw.sites,
    images: sw.images,
    comparisons: sw.comparisons,
    detections: sw.detections,
    observations: sw.observeDeps.observations,
    metrics: sw.observeDeps.metrics,
    review: sw.reviewDeps,
    alerts: sw.alertDeps.alerts,
    annotations: sw.annotationDeps,
    runOutputs: {
      readJson: (path) => Promise.resolve(existsSync(path) ? readJsonFile(path) : undefined),
    },
    softwareVersion: SOFTWARE_VERSION,
    healthChecks: {
      store: async () => {
        await sw.images.get('img_0000000000000000');
      },
      queue: async () => {
        // Redis answers PING; the embedded queue answers a one-row read.
        const jobs: { ping?: () => Promise<void> } & typeof sw.jobs = sw.jobs;
        await (jobs.ping === undefined ? jobs.list({ limit: 1 }) : jobs.ping());
      },
    },
  };
}

/** What the figure and brief downloads need, from an opened home. */
export function publishDepsOf(sw: Sitewatch): PublishRouteDeps {
  return {
    figure: figureDepsOf(sw),
    encoder: new SharpFigureEncoder(),
    brief: {
      ...sw.assessmentDeps,
      images: sw.images,
      comparisons: sw.comparisons,
      detections: sw.detections,
    },
    softwareVersion: SOFTWARE_VERSION,
    nowIso: () => new Date().toISOString(),
  };
}

/** How long `close` waits for requests in flight before it closes their connections. */
const CLOSE_GRACE_MS = 5_000;

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Builds the server over `services` and starts listening. */
export async function startServer(
  services: ApiServices,
  options: ServeOptions,
): Promise<RunningServer> {
  const app = await buildApiServer({
    services,
    webDir: options.webDir ?? DEFAULT_WEB_DIR,
    ...(options.extraRoutes === undefined ? {} : { extraRoutes: options.extraRoutes }),
    ...(options.extensions === undefined ? {} : { extensions: options.extensions }),
    trustProxy: options.trustProxy ?? false,
    logger: options.logger ?? false,
  });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: urlOf(options.host, port),
    app,
    close: async () => {
      // Requests in flight get a grace period; a client that holds its connection open past
      // it (an unread body, a stalled download) is cut off rather than stalling shutdown.
      const cutOff = setTimeout(() => {
        app.server.closeAllConnections();
      }, CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(cutOff);
      }
    },
  };
}

export interface SitewatchServeOptions extends ServeOptions {
  /** Run queued jobs in this process (default true). */
  readonly runJobs?: boolean;
  /** Deliver alerts from the outbox in this process (default true). */
  readonly deliverAlerts?: boolean;
  /** Told when a background loop (jobs, alert delivery) stops on an error. */
  readonly onBackgroundError?: (what: string, error: unknown) => void;
}

/**
 * The whole of `sitewatch serve` over an opened home: the API with the tile and job routes,
 * and, in worker threads and background loops of this one process, the job runner and the
 * alert deliverer. `close` stops accepting requests, lets the loops finish what they hold
 * (a running job is put back in the queue), and releases the tile renderer.
 */
export async function serveSitewatch(
  sw: Sitewatch,
  options: SitewatchServeOptions,
): Promise<RunningServer> {
  const tiles = createTileService(sw);
  const server = await startServer(apiServicesOf(sw), {
    ...options,
    extensions: [
      ...(options.extensions ?? []),
      metricsExtension({ jobs: sw.jobs, token: sw.config.metricsToken }),
    ],
    extraRoutes: [
      ...(options.extraRoutes ?? []),
      ...tileRoutes(tiles.deps),
      ...publishRoutes(publishDepsOf(sw)),
      ...jobRoutes({ queue: sw.jobs, outputRoot: join(sw.config.home, 'job-outputs') }),
    ],
  }).catch(async (error: unknown) => {
    await tiles.close();
    throw error;
  });
  const background = new AbortController();
  const report = (what: string) => (error: unknown) => {
    options.onBackgroundError?.(what, error);
  };
  const loops = [
    options.runJobs === false
      ? Promise.resolve()
      : createJobRunner(sw).run(background.signal).catch(report('jobs')),
    options.deliverAlerts === false
      ? Promise.resolve()
      : runDeliverer(sw.alertDeps, { signal: background.signal })
          .then(() => undefined)
          .catch(report('alert delivery')),
  ];
  return {
    url: server.url,
    app: server.app,
    close: async () => {
      background.abort();
      await server.close();
      await Promise.all(loops);
      await tiles.close();
    },
  };
}
