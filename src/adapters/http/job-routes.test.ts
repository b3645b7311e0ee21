import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../core/jobs/job.ts';
import { openSqliteDatabase, type SqliteDatabase } from '../sqlite/sqlite-database.ts';
import { SqliteJobStore } from '../sqlite/sqlite-job-store.ts';
import { registerJobRoutes } from './job-routes.ts';
import { problemForError, sendProblem } from './problem.ts';

/** What the tests read of an injected response. */
interface Answer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- callers name the JSON shape they expect
  json<T>(): T;
}

const ASSESS = { kind: 'assess', payload: { playbook: { id: 'p' }, asOf: '2019-03-08' } };

describe('job routes', () => {
  let db: SqliteDatabase;
  let store: SqliteJobStore;
  let app: FastifyInstance;
  let outputRoot: string;

  beforeEach(async () => {
    db = openSqliteDatabase(join(mkdtempSync(join(tmpdir(), 'sitewatch-job-routes-')), 'db'));
    store = new SqliteJobStore(db);
    // Bare fastify with the server's problem+json mapping; auth is the server's business.
    app = Fastify();
    app.setErrorHandler(async (error, _request, reply) =>
      sendProblem(reply, problemForError(error)),
    );
    outputRoot = join(mkdtempSync(join(tmpdir(), 'sitewatch-job-outputs-')), 'out');
    registerJobRoutes(app, { queue: store, outputRoot });
    await app.ready();
  });
  const call = async (options: {
    method?: 'GET' | 'POST';
    url: string;
    payload?: unknown;
  }): Promise<Answer> => {
    const response = await app.inject({
      method: options.method ?? 'GET',
      url: options.url,
      ...(options.payload === undefined ? {} : { payload: options.payload as object }),
    });
    const body: string = response.body;
    return {
      statusCode: response.statusCode,
      headers: response.headers,
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as above
      json: <T>() => JSON.parse(body) as T,
    };
  };
  afterEach(async () => {
    await app.close();
    db.close();
  });

  const post = (url: string, payload?: unknown) =>
    call({ method: 'POST', url, ...(payload === undefined ? {} : { payload }) });

  it('queues a job (202, Location) and serves it by id', async () => {
    const created = await post('/api/jobs', { ...ASSESS, maxAttempts: 2 });
    expect(created.statusCode).toBe(202);
    const job = created.json<Job>();
    expect(job).toMatchObject({ kind: 'assess', state: 'queued', maxAttempts: 2 });
    expect((job.payload as { asOf: string }).asOf).toBe('2019-03-08T00:00:00.000Z');
    expect(created.headers.location).toBe(`/api/jobs/${job.id}`);
    const read = await call({ url: `/api/jobs/${job.id}` });
    expect(read.json<Job>().id).toBe(job.id);
    const missing = await call({ url: '/api/jobs/job_nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ detail: string }>().detail).toBe('job "job_nope" not found');
  });

  it('answers 400 naming the bad kind or payload field', async () => {
    const kind = await post('/api/jobs', { kind: 'tile', payload: {} });
    expect(kind.statusCode).toBe(400);
    expect(kind.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(kind.json<{ invalidParams: { name: string }[] }>().invalidParams[0]?.name).toBe(
      'body.kind',
    );
    const payload = await post('/api/jobs', { kind: 'compare', payload: { imageA: 'a' } });
    expect(payload.statusCode).toBe(400);
    expect(payload.json<{ detail: string }>().detail).toMatch(/payload\.imageB: missing/);
  });

  it('confines a payload’s outDir to the output folder', async () => {
    const compare = (outDir: string) =>
      post('/api/jobs', { kind: 'compare', payload: { imageA: 'a', imageB: 'b', outDir } });
    const inside = await compare('paris/2017');
    expect(inside.statusCode).toBe(202);
    expect((inside.json<Job>().payload as { outDir: string }).outDir).toBe(
      join(outputRoot, 'paris/2017'),
    );
    for (const outDir of ['/etc', '../escape']) {
      const refused = await compare(outDir);
      expect(refused.statusCode).toBe(400);
      expect(refused.json<{ invalidParams: { name: string }[] }>().invalidParams[0]?.name).toBe(
        'body.payload.outDir',
      );
    }
  });

  it('pages the list newest first with an opaque cursor, filtered by state', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await post('/api/jobs', ASSESS)).json<Job>().id);
    const first = await call({ url: '/api/jobs?limit=2' });
    const page1 = first.json<{ items: Job[]; next: string }>();
    expect(page1.items.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const second = await app.inject({
      url: `/api/jobs?limit=2&cursor=${encodeURIComponent(page1.next)}`,
    });
    expect(second.json<{ items: Job[]; next: null }>()).toMatchObject({
      items: [{ id: ids[0] }],
      next: null,
    });
    const bad = await call({ url: '/api/jobs?state=done' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ invalidParams: { name: string }[] }>().invalidParams[0]?.name).toBe(
      'query.state',
    );
  });

  it('cancels a queued job at once, flags a running one, refuses a finished one', async () => {
    const queued = (await post('/api/jobs', ASSESS)).json<Job>();
    const cancelled = await post(`/api/jobs/${queued.id}/cancel`);
    expect(cancelled.json<Job>().state).toBe('cancelled');
    const running = (await post('/api/jobs', ASSESS)).json<Job>();
    const now = new Date().toISOString();
    await store.claim('w1', ['assess'], now, now);
    expect((await post(`/api/jobs/${running.id}/cancel`)).json<Job>()).toMatchObject({
      state: 'running',
      cancelRequested: true,
    });
    await store.finish(running.id, 'w1', { state: 'completed', result: null }, now);
    const late = await post(`/api/jobs/${running.id}/cancel`);
    expect(late.statusCode).toBe(409);
    const listed = await call({ url: '/api/jobs?state=cancelled' });
    expect(listed.json<{ items: Job[] }>().items.map((j) => j.id)).toEqual([queued.id]);
  });
});
