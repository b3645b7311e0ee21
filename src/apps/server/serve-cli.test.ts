/**
 * The scripts' commands as a script runs them, in child processes: `users add …
 * --password-stdin`, `tokens create` (the token alone on the last line), and `serve`, which
 * prints `listening on http://HOST:PORT` once ready and stops on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from '../cli/run-cli-for-test.ts';

const BIN = join(REPO_ROOT, 'bin/sitewatch.js');

function sitewatch(home: string, args: readonly string[], input?: string) {
  return spawnSync(process.execPath, [BIN, '--home', home, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
}

describe('sitewatch users, tokens and serve', () => {
  it('adds a user from stdin, creates a token, and serves the API with it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-serve-'));
    const added = sitewatch(
      home,
      ['users', 'add', 'alice', '--role', 'analyst', '--password-stdin'],
      'correct horse battery\n',
    );
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('added user alice (analyst)');

    // In-process: it reads no stdin (each child process costs seconds on a loaded machine).
    const created = await runCliCaptured(['--home', home, 'tokens', 'create', '--user', 'alice']);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trimEnd().split('\n').at(-1) ?? '';
    expect(token).toMatch(/^swt_[A-Za-z0-9_-]{43}$/);
    const db = new Database(join(home, 'sitewatch.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM api_tokens').all() as Record<string, unknown>[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_sha256).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));

    const server = spawn(process.execPath, [BIN, '--home', home, 'serve', '--port', '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      let url = '';
      for await (const line of createInterface({ input: server.stdout })) {
        const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (match?.[1] !== undefined) {
          url = match[1];
          break;
        }
      }
      expect(url).not.toBe('');
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
      expect((await fetch(`${url}/api/sites`)).status).toBe(401);
      const sites = await fetch(`${url}/api/sites`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(sites.status).toBe(200);
      expect(await sites.json()).toEqual({ items: [], next: null });
      // serve plugs in the job queue (and runs it) and the tile routes.
      const auth = { authorization: `Bearer ${token}` };
      const jobs = await fetch(`${url}/api/jobs`, { headers: auth });
      expect(jobs.status).toBe(200);
      expect(await jobs.json()).toMatchObject({ items: [] });
      expect((await fetch(`${url}/api/images/img_none/tiles/1/0/0.png`)).status).toBe(401);
      const tile = await fetch(`${url}/api/images/img_none/tiles/1/0/0.png`, { headers: auth });
      expect(tile.status).toBe(404);
      expect(tile.headers.get('content-type')).toContain('application/problem+json');
      expect(await tile.text()).toContain('img_none');
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it('demo --serve: the quick start prepares the demo home, serves it and prints a login', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-demo-serve-'));
    const server = spawn(
      process.execPath,
      [BIN, '--home', home, 'demo', '--serve', '--port', '0'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    try {
      let url = '';
      let password = '';
      for await (const line of createInterface({ input: server.stdout })) {
        url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line)?.[1] ?? url;
        const login = /^log in as "demo" with password (\S+)$/.exec(line);
        if (login?.[1] !== undefined) {
          password = login[1];
          break;
        }
      }
      expect(url).not.toBe('');
      const session = await fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'demo', password }),
      });
      expect(session.status).toBe(200);
      const cookie = session.headers.get('set-cookie')?.split(';')[0] ?? '';
      const images = await fetch(`${url}/api/images?site=paris-bercy-rail`, {
        headers: { cookie },
      });
      expect(((await images.json()) as { items: unknown[] }).items).toHaveLength(2);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>sitewatch');
    } finally {
      server.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 300_000);
});
