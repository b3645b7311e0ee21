/**
 * The jobs API: submit compare / detect / assess as jobs, list and read them (state, progress,
 * result, error), and cancel them. Registered through the server's `extensions`, so the auth
 * hook applies: a viewer reads, an analyst submits and cancels. Errors are thrown typed and
 * answered as problem+json by the server's error handler.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { enqueueJob, MAX_JOB_ATTEMPTS } from '../../app/jobs/enqueue-job.ts';
import type { JobQueue } from '../../app/jobs/job-queue.ts';
import { NotFoundError } from '../../core/errors.ts';
import { JOB_STATES } from '../../core/jobs/job.ts';
import { JOB_KINDS } from '../../core/jobs/job-payloads.ts';
import { pageQuery } from './api-schemas.ts';
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

const jobParams = z.object({ id: z.string().min(1).max(200) });

function parse<T extends z.ZodType>(part: string, schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw RequestValidationError.fromZod(part, result.error);
  return result.data;
}

/**
 * `POST /api/jobs` {kind, payload, maxAttempts?} → 202 and the job (a payload's `outDir` is
 * taken inside `deps.outputRoot`); `GET /api/jobs`
 * (`state`, `kind`, `limit`, `cursor`) → `{ items, next }`, newest first; `GET /api/jobs/:id`;
 * `POST /api/jobs/:id/cancel` → the job (cancelled, or running with `cancelRequested`).
 */
export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  const { queue } = deps;
  app.post('/api/jobs', async (request, reply) => {
    const body = parse('body', createJobBody, request.body);
    const payload = confineOutDir(body.payload, deps.outputRoot);
    const job = await enqueueJob(queue, body.kind, payload, {
      ...(body.maxAttempts === undefined ? {} : { maxAttempts: body.maxAttempts }),
    });
    void reply.code(202).header('location', `/api/jobs/${job.id}`);
    return job;
  });
  app.get('/api/jobs', async (request) => {
    const query = parse('query', jobListQuery, request.query);
    const page = await queue.list({
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.state === undefined ? {} : { state: query.state }),
      ...(query.kind === undefined ? {} : { kind: query.kind }),
    });
    return { items: page.jobs, next: page.nextCursor };
  });
  app.get('/api/jobs/:id', async (request) => {
    const { id } = parse('path', jobParams, request.params);
    const job = await queue.get(id);
    if (job === undefined) throw new NotFoundError(`job "${id}" not found`);
    return job;
  });
  app.post('/api/jobs/:id/cancel', async (request) => {
    const { id } = parse('path', jobParams, request.params);
    return queue.cancel(id);
  });
}
