/**
 * GET /api/metrics in the Prometheus text format: HTTP request durations and tile latency
 * (histograms kept by this server process since it started), and, read from the job queue at
 * each scrape (so workers on other hosts count too), the jobs per state (queue depth, and the
 * failed list as failures) and a histogram of the durations of the newest finished jobs.
 *
 * Access: only from this machine (loopback), unless the scraper sends
 * `Authorization: Bearer <SITEWATCH_METRICS_TOKEN>`; everyone else gets 403. Metrics are not
 * an API table route, so they stay out of the OpenAPI document and the session/token auth.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JobQueue } from '../../app/jobs/job-queue.ts';
import { JOB_STATES, type JobState } from '../../core/jobs/job.ts';
import type { RouteExtension } from './api-server.ts';
import { problemOf, sendProblem } from './problem.ts';
import { Histogram, JOB_BUCKETS_S, LATENCY_BUCKETS_S, renderMetrics, Scalar } from './metrics.ts';

/** A queue that can count its jobs per state at once (BullMQ); others are paged through. */
export interface CountingJobQueue extends JobQueue {
  countByState?(): Promise<Record<JobState, number>>;
}

export interface MetricsDeps {
  readonly jobs: CountingJobQueue;
  /** When set, a scraper from another host may send it as a bearer token. */
  readonly token?: string | undefined;
}

/** Finished jobs that feed the duration histogram at each scrape. */
const RECENT_FINISHED = 500;
/** Pages read per state when the queue cannot count (500 jobs each). */
const MAX_COUNT_PAGES = 20;

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

function allowed(request: FastifyRequest, token: string | undefined): boolean {
  if (LOOPBACK.test(request.socket.remoteAddress ?? '') && LOOPBACK.test(request.ip)) return true;
  const header = request.headers.authorization ?? '';
  if (token === undefined || token === '' || !header.startsWith('Bearer ')) return false;
  const sent = Buffer.from(header.slice('Bearer '.length));
  const wanted = Buffer.from(token);
  return sent.length === wanted.length && timingSafeEqual(sent, wanted);
}

async function countJobs(jobs: CountingJobQueue): Promise<Record<JobState, number>> {
  if (jobs.countByState !== undefined) return jobs.countByState();
  const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const state of JOB_STATES) {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_COUNT_PAGES; page += 1) {
      const found = await jobs.list({ state, limit: 500, ...(cursor ? { cursor } : {}) });
      counts[state] += found.jobs.length;
      if (found.nextCursor === null) break;
      cursor = found.nextCursor;
    }
  }
  return counts;
}

async function recentDurations(jobs: JobQueue): Promise<Histogram> {
  const histogram = new Histogram(
    'sitewatch_job_duration_seconds',
    `Durations of the newest ${RECENT_FINISHED} completed and of the newest ${RECENT_FINISHED} failed jobs (last attempt), by kind and state; read from the queue at each scrape.`,
    JOB_BUCKETS_S,
  );
  for (const state of ['completed', 'failed'] as const) {
    const page = await jobs.list({ state, limit: RECENT_FINISHED });
    for (const job of page.jobs) {
      if (job.startedAt === null || job.finishedAt === null) continue;
      const seconds = (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;
      if (Number.isFinite(seconds))
        histogram.observe({ kind: job.kind, state }, Math.max(0, seconds));
    }
  }
  return histogram;
}

/** The metrics route and the hooks that time requests and tiles. */
export function metricsExtension(deps: MetricsDeps): RouteExtension {
  const http = new Histogram(
    'sitewatch_http_request_duration_seconds',
    'HTTP request durations by method, route and status, since this server started.',
    LATENCY_BUCKETS_S,
  );
  const tiles = new Histogram(
    'sitewatch_tile_duration_seconds',
    'Imagery tile latency (rendered or cached) by status, since this server started.',
    LATENCY_BUCKETS_S,
  );
  return (app: FastifyInstance) => {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const seconds = reply.elapsedTime / 1000;
      const status = String(reply.statusCode);
      http.observe({ method: request.method, route, status }, seconds);
      if (/\/(pixel-)?tiles\//.test(route)) tiles.observe({ status }, seconds);
    });
    // Public to the auth hook: the check below is the metrics' own (loopback or token).
    app.get('/api/metrics', { config: { access: 'public' } }, async (request, reply) => {
      if (!allowed(request, deps.token)) {
        return sendProblem(
          reply,
          problemOf(403, 'metrics answer only to this machine or to the metrics bearer token'),
        );
      }
      const counts = await countJobs(deps.jobs);
      const depth = new Scalar(
        'sitewatch_jobs',
        'Jobs in the queue per state (queued is the queue depth; failed is the failed list).',
        'gauge',
      );
      for (const state of JOB_STATES) depth.set({ state }, counts[state]);
      const failures = new Scalar(
        'sitewatch_job_failures',
        'Jobs that failed for good (the failed list), as a gauge read from the queue.',
        'gauge',
      );
      failures.set({}, counts.failed);
      const durations = await recentDurations(deps.jobs);
      return reply
        .type('text/plain; version=0.0.4; charset=utf-8')
        .send(renderMetrics([depth, failures, durations, tiles, http]));
    });
  };
}
