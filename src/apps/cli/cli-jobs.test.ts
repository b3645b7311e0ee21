/**
 * `sitewatch jobs …`: submit the 2019 seed assessment as a job, run it with a worker (in
 * process with --once, and as a child process stopped by SIGINT), read it back, and the exit
 * statuses of the errors.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../core/jobs/job.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';
import { readStructuredFile } from './structured-file.ts';

const PLAYBOOK = join(REPO_ROOT, 'examples/playbooks/space-launch-preparation.yaml');

describe('sitewatch jobs', () => {
  let home: string;
  let payloadFile: string;
  const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
  const submit = async () => {
    const run = await sw('jobs', 'submit', 'assess', payloadFile, '--json');
    expect(run.code, run.stderr).toBe(0);
    return run.json<{ job: Job }>().job;
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'sitewatch-cli-jobs-'));
    for (const args of [
      ['sites', 'import', join(REPO_ROOT, 'examples/catalog.geojson')],
      ['observe', 'import', join(REPO_ROOT, 'examples/observations/2019-sanumdong-sohae.json')],
    ]) {
      const run = await sw(...args);
      expect(run.code, run.stderr).toBe(0);
    }
    payloadFile = join(home, 'assess-job.json');
    const payload = { playbook: readStructuredFile(PLAYBOOK), label: PLAYBOOK, asOf: '2019-03-08' };
    writeFileSync(payloadFile, JSON.stringify(payload));
  });

  it('queues an assessment, runs it with a worker, and keeps the same result as `assess`', async () => {
    const job = await submit();
    expect(job.state).toBe('queued');
    const listed = await sw('jobs', 'list', '--state', 'queued', '--json');
    expect(listed.json<{ jobs: Job[] }>().jobs.map((j) => j.id)).toEqual([job.id]);
    const worker = await sw('jobs', 'run-worker', '--once');
    expect(worker.code, worker.stderr).toBe(0);
    expect(worker.stderr).toContain(`${job.id} assess completed (attempt 1/3)`);
    const shown = (await sw('jobs', 'show', job.id, '--json')).json<{ job: Job }>().job;
    const direct = await sw(
      'assess',
      '--playbook',
      PLAYBOOK,
      '--at',
      '2019-03-08T00:00Z',
      '--json',
    );
    expect(shown.state).toBe('completed');
    expect((shown.result as { probability: number }).probability).toBe(
      direct.json<{ probability: number }>().probability,
    );
    const table = await sw('jobs', 'list');
    expect(table.stdout).toMatch(new RegExp(`${job.id}\\s+assess\\s+completed\\s+1/3`));
  });

  it('exits 5 cancelling a finished job, 4 for an unknown one, 3 for a bad kind', async () => {
    const job = await submit();
    expect((await sw('jobs', 'cancel', job.id)).stdout).toContain(`cancelled ${job.id}`);
    const again = await sw('jobs', 'cancel', job.id, '--json');
    expect(again.json<{ job: Job }>().job.state).toBe('cancelled');
    const unknown = await sw('jobs', 'show', 'job_0000000000000000');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('job "job_0000000000000000" not found');
    const kind = await sw('jobs', 'submit', 'tiles', payloadFile);
    expect(kind.code).toBe(3);
    expect(kind.stderr).toContain('job kind must be one of compare, detect, assess; got "tiles"');
  });

  it('runs a worker process until SIGINT, which stops it cleanly', async () => {
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/sitewatch.js'),
        '--home',
        home,
        'jobs',
        'run-worker',
        '--poll-ms',
        '50',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
    });
    const said = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (stderr.includes(text)) resolve();
        };
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          check();
        });
        check();
      });
    await said('worker running');
    const job = await submit();
    await said(`${job.id} assess completed`);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    expect(stderr).toContain('stopping');
  }, 120_000);

  it('exits 1 from `run-worker --once` when a job failed, which stays in the failed list', async () => {
    const bad = join(home, 'bad-assess.json');
    writeFileSync(
      bad,
      JSON.stringify({ playbook: { id: 'broken' }, label: 'broken', asOf: '2019-03-08' }),
    );
    const queued = await sw('jobs', 'submit', 'assess', bad, '--json');
    const job = queued.json<{ job: Job }>().job;
    const worker = await sw('jobs', 'run-worker', '--once');
    expect(worker.code, worker.stderr).toBe(1);
    expect(worker.stderr).toContain(`${job.id} assess failed`);
    const failed = await sw('jobs', 'list', '--state', 'failed', '--json');
    expect(failed.json<{ jobs: Job[] }>().jobs.map((j) => j.id)).toContain(job.id);
  });
});
