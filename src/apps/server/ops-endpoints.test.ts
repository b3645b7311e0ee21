/**
 * The operations endpoints of `sitewatch serve` over a real SQLite home: GET /api/health with
 * its store and queue checks (503 naming a failed one), and GET /api/metrics in the Prometheus
 * text format (queue depth per state, job durations, tile latency, HTTP durations), answered
 * only to loopback callers or the metrics bearer token.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, apiServicesOf, serveSitewatch, type RunningServer } from './serve.ts';
import { loadConfig } from '../config.ts';
import { openSitewatch, type Sitewatch } from '../wiring.ts';

const ASSESS = { playbook: { id: 'p' }, label: 'p.yaml', asOf: '2026-01-01T00:00:00.000Z' };

describe('operations endpoints', () => {
  let sw: Sitewatch;
  let server: RunningServer;

  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-ops-'));
    sw = await openSitewatch({ ...loadConfig({ SITEWATCH_HOME: home }), metricsToken: 's3cret' });
    server = await serveSitewatch(sw, {
      host: '127.0.0.1',
      port: 0,
      runJobs: false,
      deliverAlerts: false,
      webDir: join(home, 'no-web'),
    });
  });
  afterAll(async () => {
    await server.close();
    await sw.close();
  });

  it('reports healthy store and queue without authentication', async () => {
    const response = await fetch(`${server.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      checks: { store: 'ok', queue: 'ok' },
    });
  });

  it('answers 503 naming the check that failed', async () => {
    const failing = await startServer(
      {
        ...apiServicesOf(sw),
        healthChecks: {
          store: () => Promise.resolve(),
          queue: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.9:6379')),
        },
      },
      { host: '127.0.0.1', port: 0, webDir: join(sw.config.home, 'no-web') },
    );
    try {
      const response = await fetch(`${failing.url}/api/health`);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { detail: string }).detail).toBe(
        'unhealthy: queue: connect ECONNREFUSED 10.0.0.9:6379',
      );
    } finally {
      await failing.close();
    }
  });

  it('serves Prometheus metrics: queue depth, job durations, tile and HTTP latency', async () => {
    const done = await sw.jobs.enqueue('assess', ASSESS);
    const t0 = new Date(Date.now() + 1000).toISOString();
    await sw.jobs.claim('w1', ['assess'], t0, '2099-01-01T00:00:00.000Z');
    await sw.jobs.finish(done.id, 'w1', { state: 'completed', result: null }, t0);
    await sw.jobs.enqueue('assess', ASSESS);
    const queued = (await sw.jobs.list({ state: 'queued' })).jobs.length;
    await fetch(`${server.url}/api/images/img_x/tiles/3/1/2.png`);
    const response = await fetch(`${server.url}/api/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toContain(`sitewatch_jobs{state="queued"} ${queued}`);
    expect(text).toContain('sitewatch_jobs{state="completed"} 1');
    expect(text).toContain('sitewatch_job_failures 0');
    expect(text).toContain('# TYPE sitewatch_job_duration_seconds histogram');
    expect(text).toMatch(
      /sitewatch_job_duration_seconds_count\{kind="assess",state="completed"\} 1/,
    );
    expect(text).toMatch(/sitewatch_tile_duration_seconds_count\{status="\d+"\} 1/);
    expect(text).toMatch(
      /sitewatch_http_request_duration_seconds_bucket\{method="GET",route="\/api\/health",status="200",le="\+Inf"\} \d+/,
    );
  });

  it('refuses metrics to other hosts unless they send the token', async () => {
    const inject = (headers: Record<string, string>) =>
      server.app.inject({ method: 'GET', url: '/api/metrics', remoteAddress: '10.1.2.3', headers });
    expect((await inject({})).statusCode).toBe(403);
    expect((await inject({ authorization: 'Bearer nope' })).statusCode).toBe(403);
    expect((await inject({ authorization: 'Bearer s3cret' })).statusCode).toBe(200);
  });
});
