/**
 * The runner against the real embedded store and the real compare use case on the shipped
 * Paris pair: success, cancel mid-run, retries, restart recovery, shutdown and concurrency.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../apps/config.ts';
import { runCliCaptured } from '../../apps/cli/run-cli-for-test.ts';
import { openSitewatch, type Sitewatch } from '../../apps/wiring.ts';
import { ValidationError } from '../../core/errors.ts';
import type { Job } from '../../core/jobs/job.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { compareImages } from '../compare-images.ts';
import type { OutputFiles } from '../ports.ts';
import { enqueueJob } from './enqueue-job.ts';
import { createJobHandlers, type JobHandlers } from './job-handlers.ts';
import { JobRunner, type JobRunnerOptions } from './job-runner.ts';

const NO_WAIT = { baseMs: 0, maxMs: 0, maxAttempts: 3 };

/** Resolves once `condition` holds, checking every few milliseconds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('JobRunner', () => {
  let sw: Sitewatch;
  let ids: string[];

  const runner = (handlers: JobHandlers, options: Partial<JobRunnerOptions> = {}) =>
    new JobRunner(
      { store: sw.jobs, handlers, clock: sw.compareDeps.clock },
      { workerId: 'test-runner', pollMs: 10, backoff: NO_WAIT, ...options },
    );
  const realHandlers = (files: OutputFiles = sw.compareDeps.files) =>
    createJobHandlers({
      compare: { ...sw.compareDeps, files },
      detect: sw.detectDeps,
      assess: sw.observeDeps,
    });
  const comparisonsOf = async (imageId: string) =>
    (await sw.comparisons.listForImage(imageId)).length;

  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-jobs-'));
    const run = await runCliCaptured([
      '--home',
      home,
      'images',
      'ingest',
      join(REPO_ROOT, 'examples/imagery'),
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    ids = run
      .json<{ id: string; acquiredAt: string }[]>()
      .sort((x, y) => x.acquiredAt.localeCompare(y.acquiredAt))
      .map((image) => image.id);
    sw = await openSitewatch(loadConfig({}, { home }));
  });
  afterAll(async () => {
    await sw.close();
  });

  it('runs a compare job on the example imagery and stores the comparison', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sitewatch-job-out-'));
    const job = await enqueueJob(sw.jobs, 'compare', {
      imageA: ids[0],
      imageB: ids[1],
      outDir: out,
    });
    const finished = await runner(realHandlers()).drain();
    expect(finished.map((j) => [j.id, j.state])).toEqual([[job.id, 'completed']]);
    const done = (await sw.jobs.get(job.id))!;
    expect(done).toMatchObject({ state: 'completed', attempt: 1, error: null, workerId: null });
    const result = done.result as { comparisonId: string; changedFraction: number };
    const stored = await sw.comparisons.get(result.comparisonId);
    expect(stored?.changedFraction).toBe(result.changedFraction);
    expect(existsSync(join(out, 'change-mask.tif'))).toBe(true);
  });

  it('refuses a bad payload before queueing, naming the field', async () => {
    await expect(enqueueJob(sw.jobs, 'compare', { imageA: ids[0] })).rejects.toThrow(
      new ValidationError('invalid compare job payload: payload.imageB: missing; expected string'),
    );
  });

  it('cancels a compare mid-run through the store: nothing stored, no output left', async () => {
    const before = await comparisonsOf(ids[0]!);
    const out = mkdtempSync(join(tmpdir(), 'sitewatch-job-cancel-'));
    const job = await enqueueJob(sw.jobs, 'compare', {
      imageA: ids[0],
      imageB: ids[1],
      outDir: out,
    });
    let signal: AbortSignal | null = null;
    const files = sw.compareDeps.files;
    // Outputs are being written when the cancel arrives, as from another process.
    const slowFiles: OutputFiles = {
      ensureDir: (path) => files.ensureDir(path),
      join: (dir, name) => files.join(dir, name),
      writeText: (path, text) => files.writeText(path, text),
      createRaster: async (path, spec) => {
        await sw.jobs.cancel(job.id);
        await until(() => signal?.aborted === true);
        return files.createRaster(path, spec);
      },
    };
    const real = realHandlers(slowFiles);
    const finished = await runner({
      compare: (payload, context) => {
        signal = context.signal;
        return real.compare(payload, context);
      },
    }).drain();
    expect(finished.map((j) => j.state)).toEqual(['cancelled']);
    expect((await sw.jobs.get(job.id))?.error).toMatch(/cancelled/);
    expect(await comparisonsOf(ids[0]!)).toBe(before);
    expect(readdirSync(out)).toEqual([]);
  });

  it('retries a throwing handler, then fails the job with its message', async () => {
    let calls = 0;
    const job = await enqueueJob(sw.jobs, 'assess', { playbook: {}, asOf: '2019-03-08' });
    const finished = await runner({
      assess: () => {
        calls += 1;
        return Promise.reject(new Error(`scratch disk unavailable (try ${calls})`));
      },
    }).drain();
    expect(finished.map((j) => j.state)).toEqual(['queued', 'queued', 'failed']);
    expect(await sw.jobs.get(job.id)).toMatchObject({
      state: 'failed',
      attempt: 3,
      error: 'scratch disk unavailable (try 3)',
    });
  });

  it('resumes a compare left running by a runner that died (expired lease)', async () => {
    const before = await comparisonsOf(ids[0]!);
    const job = await enqueueJob(sw.jobs, 'compare', { imageA: ids[0], imageB: ids[1] });
    const now = sw.compareDeps.clock.nowIso();
    const lapsed = '2000-01-01T00:00:00.000Z';
    expect((await sw.jobs.claim('crashed-host:1', ['compare'], now, lapsed))?.id).toBe(job.id);
    const finished = await runner(realHandlers()).drain();
    expect(finished.map((j) => j.state)).toEqual(['completed']);
    expect(await sw.jobs.get(job.id)).toMatchObject({ state: 'completed', attempt: 2 });
    expect(await comparisonsOf(ids[0]!)).toBe(before + 1);
  });

  it('adopts the comparison an interrupted attempt stored instead of storing another', async () => {
    const before = await comparisonsOf(ids[0]!);
    const payload = { imageA: ids[0]!, imageB: ids[1]! };
    const job = await enqueueJob(sw.jobs, 'compare', payload);
    const now = sw.compareDeps.clock.nowIso();
    await sw.jobs.claim('crashed-host:2', ['compare'], now, '2000-01-01T00:00:00.000Z');
    // The dead attempt got as far as storing its comparison.
    const { comparison } = await compareImages(sw.compareDeps, payload);
    const finished = await runner(realHandlers()).drain();
    expect(finished.map((j) => [j.state, j.attempt])).toEqual([['completed', 2]]);
    expect((finished[0]?.result as { comparisonId: string }).comparisonId).toBe(comparison.id);
    expect(await comparisonsOf(ids[0]!)).toBe(before + 1);
    expect(job.id).toBe(finished[0]?.id);
  });

  it('puts its running jobs back, attempt not counted, when stopped', async () => {
    const job = await enqueueJob(sw.jobs, 'assess', { playbook: {}, asOf: '2019-03-08' });
    const stop = new AbortController();
    let started = false;
    await runner({
      assess: (_payload, { signal }) => {
        started = true;
        return new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            reject(signal.reason as Error);
          });
        });
      },
    }).run(
      (() => {
        void until(() => started).then(() => {
          stop.abort();
        });
        return stop.signal;
      })(),
    );
    expect(await sw.jobs.get(job.id)).toMatchObject({ state: 'queued', attempt: 0 });
    await sw.jobs.cancel(job.id);
  });

  it('runs up to `concurrency` jobs at once', async () => {
    const jobs: Job[] = [];
    for (let i = 0; i < 2; i += 1) {
      jobs.push(await enqueueJob(sw.jobs, 'assess', { playbook: {}, asOf: '2019-03-08' }));
    }
    let running = 0;
    const finished = await runner(
      {
        assess: async () => {
          running += 1;
          await until(() => running === 2); // only finishes if both run together
          return { ok: true };
        },
      },
      { concurrency: 2 },
    ).drain();
    expect(finished.map((j) => j.state)).toEqual(['completed', 'completed']);
  });
});
