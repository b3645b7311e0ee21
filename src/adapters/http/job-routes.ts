/**
 * The jobs API: submit compare / detect / assess as jobs, list and read them (state, progress,
 * result, error), and cancel them. Table routes (api-route.ts), so they are in the OpenAPI
 * document and the auth hook applies: a viewer reads, an analyst submits and cancels.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { enqueueJob, MAX_JOB_ATTEMPTS } from '../../app/jobs/enqueue-job.ts';
import type { JobQueue } from '../../app/jobs/job-queue.ts';
import { NotFoundError, SitewatchError } from '../../core/errors.ts';
import { JOB_STATES } from '../../core/jobs/job.ts';
import { JOB_KINDS } from '../../core/jobs/job-payloads.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import { idParams, named, pageOf, pageQuery } from './api-schemas.ts';
import { registerSelfContainedRoutes } from './register-routes.ts';
import { RequestValidationError } from './problem.ts';

export interface JobRouteDeps {
  readonly queue: JobQueue;
  /**
   * Folder under which API jobs write their outputs: a payload's `outDir` must be a relative
   * path inside it. Without it, `outDir` is refused, so that callers cannot write elsewhere
   * on the server.
   */
  readonly outputRoot?: string;
}

/**
 * The payload with `outDir` resolved under `outputRoot`.
 * @throws RequestValidationError naming `body.payload.outDir` when it is absolute, leaves the
 *   root, or no root is configured.
 */
function confineOutDir(payload: unknown, outputRoot: string | undefined): unknown {
  if (typeof payload !== 'object' || payload === null || !('outDir' in payload)) return payload;
  const { outDir } = payload;
  if (typeof outDir !== 'string') return payload; // the kind's schema names the problem
  const refuse = (reason: string) =>
    new RequestValidationError([{ name: 'body.payload.outDir', reason }]);
  if (outputRoot === undefined) throw refuse('this server takes no outDir for API jobs');
  const root = resolve(outputRoot);
  const target = resolve(root, outDir);
  if (isAbsolute(outDir) || (target !== root && !target.startsWith(root + sep))) {
    throw refuse(`"${outDir}" must be a relative folder inside the server's output folder`);
  }
  return { ...payload, outDir: target };
}

export const createJobBody = z.strictObject({
  kind: z.enum(JOB_KINDS).describe('compare, detect or assess.'),
  payload: z.unknown().describe('The use case’s options; validated per kind.'),
  maxAttempts: z
    .number()
    .int()
    .min(1)
    .max(MAX_JOB_ATTEMPTS)
    .optional()
    .describe('Attempts in all (default 3).'),
});

export const jobListQuery = pageQuery.extend({
  state: z.enum(JOB_STATES).optional(),
  kind: z.enum(JOB_KINDS).optional(),
});

const jobSchema = named(
  'Job',
  z
    .looseObject({
      id: z.string(),
      kind: z.enum(JOB_KINDS),
      state: z.enum(JOB_STATES),
      payload: z.unknown(),
      attempt: z.number().int(),
      maxAttempts: z.number().int(),
      createdAt: z.string(),
      updatedAt: z.string(),
      cancelRequested: z.boolean(),
      progress: z
        .looseObject({ stage: z.string(), done: z.number(), total: z.number() })
        .nullable(),
      result: z.unknown(),
      error: z.string().nullable(),
    })
    .describe('A queued, running or finished job (core/jobs/job.ts Job).'),
);

/** The job queue, or a 503 when this server runs none. */
function queueOf(deps: JobRouteDeps | undefined): JobQueue {
  if (deps === undefined) throw new SitewatchError('IO', 'this server runs no job queue');
  return deps.queue;
}

const TAG = 'jobs';

/**
 * The jobs API as table routes: `POST /api/jobs` {kind, payload, maxAttempts?} → 202 and the
 * job (a payload's `outDir` is taken inside `deps.outputRoot`); `GET /api/jobs` (`state`,
 * `kind`, `limit`, `cursor`) → `{ items, next }`, newest first; `GET /api/jobs/:id`;
 * `POST /api/jobs/:id/cancel` → the job (cancelled, or running with `cancelRequested`).
 * Without `deps` (documentation only) every handler answers 503.
 */
export function jobRoutes(deps?: JobRouteDeps): ApiRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/jobs',
      operationId: 'createJob',
      summary: 'Queue a compare, detect or assess job; answers 202 with the job and a Location.',
      tag: TAG,
      access: 'analyst',
      body: createJobBody,
      status: 202,
      response: jobSchema,
      handler: async ({ body, reply }) => {
        const queue = queueOf(deps);
        const payload = confineOutDir(body.payload, deps?.outputRoot);
        const job = await enqueueJob(queue, body.kind, payload, {
          ...(body.maxAttempts === undefined ? {} : { maxAttempts: body.maxAttempts }),
        });
        void reply.header('location', `/api/jobs/${job.id}`);
        return job;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/jobs',
      operationId: 'listJobs',
      summary: 'Jobs, newest first, by state and kind.',
      tag: TAG,
      access: 'viewer',
      query: jobListQuery,
      response: pageOf(jobSchema),
      handler: async ({ query }) => {
        const page = await queueOf(deps).list({
          limit: query.limit,
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
          ...(query.state === undefined ? {} : { state: query.state }),
          ...(query.kind === undefined ? {} : { kind: query.kind }),
        });
        return { items: page.jobs, next: page.nextCursor };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/jobs/:id',
      operationId: 'getJob',
      summary: 'One job: state, progress, result or error.',
      tag: TAG,
      access: 'viewer',
      params: idParams,
      response: jobSchema,
      handler: async ({ params }) => {
        const job = await queueOf(deps).get(params.id);
        if (job === undefined) throw new NotFoundError(`job "${params.id}" not found`);
        return job;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/jobs/:id/cancel',
      operationId: 'cancelJob',
      summary: 'Cancel a job: a queued one at once, a running one at its next checkpoint.',
      tag: TAG,
      access: 'analyst',
      params: idParams,
      response: jobSchema,
      handler: ({ params }) => queueOf(deps).cancel(params.id),
    }),
  ];
}

/** Registers {@link jobRoutes} on a bare fastify instance (the server uses its route table). */
export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  registerSelfContainedRoutes(app, jobRoutes(deps));
}
