/**
 * `sitewatch remote …` against a real `serveSitewatch` on a random port over a temporary
 * home: the generated client's calls, output as the local commands, and the one-line errors
 * (401 without or with a bad token, 404 naming the id, problem+json fields, unreachable).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.ts';
import { addUser, createApiToken } from '../../app/accounts/accounts.ts';
import type { Job } from '../../core/jobs/job.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { loadConfig } from '../config.ts';
import { apiServicesOf, serveSitewatch, type RunningServer } from '../server/serve.ts';
import { openSitewatch, type Sitewatch } from '../wiring.ts';
import { runCliCaptured } from './run-cli-for-test.ts';
import { readStructuredFile } from './structured-file.ts';

/** Cheap scrypt for tests only. */
const TEST_COST = { N: 2 ** 10, r: 8, p: 1 };
const PLAYBOOK = join(REPO_ROOT, 'examples/playbooks/space-launch-preparation.yaml');

let home: string;
let sw: Sitewatch;
let server: RunningServer;
let token = '';

const remote = (...args: string[]) =>
  runCliCaptured(['remote', '--server', server.url, '--token', token, ...args]);

/** A URL where nothing listens: a port the OS handed out, then closed. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve();
    }),
  );
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'sitewatch-cli-remote-'));
  const imported = await runCliCaptured([
    '--home',
    home,
    'sites',
    'import',
    join(REPO_ROOT, 'examples/catalog.geojson'),
  ]);
  expect(imported.code, imported.stderr).toBe(0);
  sw = await openSitewatch(loadConfig({}, { home }));
  const accounts = { ...apiServicesOf(sw).accounts, hasher: new ScryptPasswordHasher(TEST_COST) };
  await addUser(accounts, { name: 'alice', role: 'analyst', password: 'correct horse battery' });
  token = (await createApiToken(accounts, { userName: 'alice' })).token;
  server = await serveSitewatch(sw, {
    host: '127.0.0.1',
    port: 0,
    webDir: join(home, 'no-web-build'),
    runJobs: false,
    deliverAlerts: false,
  });
});

afterAll(async () => {
  await server.close();
  await sw.close();
});

describe('sitewatch remote', () => {
  it('lists and shows sites as the local commands do', async () => {
    const local = await runCliCaptured(['--home', home, 'sites', 'list']);
    const listed = await remote('sites', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(local.stdout);
    expect(listed.stdout).toContain('sohae');

    const json = await remote('sites', 'list', '--json');
    expect(json.json<{ id: string }[]>().map((s) => s.id)).toContain('sohae');

    const shown = await remote('sites', 'show', 'sohae');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe(
      (await runCliCaptured(['--home', home, 'sites', 'show', 'sohae'])).stdout,
    );
  });

  it('submits a job, shows it in the local `{ "job": … }` shape, and lists it', async () => {
    const payloadFile = join(home, 'assess-job.json');
    const payload = { playbook: readStructuredFile(PLAYBOOK), label: PLAYBOOK, asOf: '2019-03-08' };
    writeFileSync(payloadFile, JSON.stringify(payload));
    const submitted = await remote('jobs', 'submit', 'assess', payloadFile, '--json');
    expect(submitted.code, submitted.stderr).toBe(0);
    const job = submitted.json<{ job: Job }>().job;
    expect(job).toMatchObject({ kind: 'assess', state: 'queued' });

    const shown = await remote('jobs', 'show', job.id, '--json');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.json<{ job: Job }>().job.id).toBe(job.id);
    const text = await remote('jobs', 'show', job.id);
    expect(text.stdout).toContain(`${job.id} assess queued (attempt 0/3)`);

    const listed = await remote('jobs', 'list', '--state', 'queued', '--json');
    expect(listed.json<{ jobs: Job[] }>().jobs.map((j) => j.id)).toContain(job.id);
    expect((await remote('alerts', 'list')).stdout).toBe('no alerts\n');
    expect((await remote('images', 'list', '--site', 'sohae')).stdout).toBe('no images\n');
  });

  it('downloads a site export to a file', async () => {
    const out = join(home, 'sites.geojson');
    const run = await remote(
      'export',
      '--site',
      'sohae',
      '--what',
      'sites',
      '--format',
      'geojson',
      '--out',
      out,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^wrote .*sites\.geojson/);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ type: 'FeatureCollection' });
  });

  it('says in one line when the token is missing or refused (exit 3)', async () => {
    vi.stubEnv('SITEWATCH_TOKEN', '');
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    const missing = await runCliCaptured(['remote', '--server', server.url, 'sites', 'list']);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('401 no API token');

    const refused = await runCliCaptured([
      'remote',
      '--server',
      server.url,
      '--token',
      'swt_forged',
      'sites',
      'list',
    ]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('token was refused');
  });

  it('names the missing id (exit 4) and the bad field of a problem+json (exit 3)', async () => {
    const missing = await remote('jobs', 'show', 'job_nope');
    expect(missing.code).toBe(4);
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('404');
    expect(missing.stderr).toContain('job_nope');

    const site = await remote('sites', 'show', 'atlantis');
    expect(site.code).toBe(4);
    expect(site.stderr).toContain('atlantis');

    const bad = await remote('images', 'list', '--since', 'yesterday-ish');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('400');
    expect(bad.stderr).toContain('since');
  });

  it('names the URL when the server cannot be reached (exit 6)', async () => {
    const url = await deadUrl();
    const run = await runCliCaptured([
      'remote',
      '--server',
      url,
      '--token',
      token,
      'sites',
      'list',
    ]);
    expect(run.code).toBe(6);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`cannot reach the server at ${url}`);

    vi.stubEnv('SITEWATCH_SERVER', '');
    try {
      const noServer = await runCliCaptured(['remote', 'sites', 'list']);
      expect(noServer.code).toBe(3);
      expect(noServer.stderr).toContain('--server URL');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
