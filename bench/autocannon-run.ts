/**
 * autocannon (shipped without types) behind a small typed function: runs `amount` requests at
 * `connections` concurrency, taking paths from `nextPath` so each request can name its own.
 *
 * {@link runLoadInChild} runs the load from a child process instead, so that the server's
 * `process.cpuUsage()` counts the server alone (this file is then the child's entry point:
 * `tsx bench/autocannon-run.ts <job.json>` prints the result as JSON).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadResult {
  readonly requests: { readonly total: number; readonly average: number };
  readonly latency: {
    readonly p50: number;
    readonly p99: number;
    readonly average: number;
  };
  readonly non2xx: number;
  readonly errors: number;
}

interface RequestShape {
  readonly path?: string;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  amount: number;
  timeout: number;
  requests: { setupRequest: (request: RequestShape) => RequestShape }[];
}) => Promise<LoadResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export function runLoad(
  url: string,
  connections: number,
  amount: number,
  nextPath: () => string,
): Promise<LoadResult> {
  return autocannon({
    url,
    connections,
    amount,
    // Seconds: a slow cold tile on a loaded machine is measured, not dropped as an error.
    timeout: 120,
    requests: [{ setupRequest: (request) => ({ ...request, path: nextPath() }) }],
  });
}

interface LoadJob {
  readonly url: string;
  readonly connections: number;
  readonly amount: number;
  /** Requested in order, round robin. */
  readonly paths: readonly string[];
}

function roundRobin(paths: readonly string[]): () => string {
  let next = 0;
  return () => {
    const path = paths[next % paths.length] ?? '/';
    next += 1;
    return path;
  };
}

/** Like {@link runLoad} with a list of paths, from a child process (see the file's doc). */
export function runLoadInChild(job: LoadJob): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-load-'));
  const jobPath = join(dir, 'job.json');
  writeFileSync(jobPath, JSON.stringify(job));
  const tsx = resolve(import.meta.dirname, '../node_modules/.bin/tsx');
  return new Promise<LoadResult>((done, fail) => {
    execFile(
      tsx,
      [fileURLToPath(import.meta.url), jobPath],
      { maxBuffer: 16 * 2 ** 20 },
      (error, stdout) => {
        rmSync(dir, { recursive: true, force: true });
        if (error !== null)
          fail(new Error(`the load process failed: ${error.message}`, { cause: error }));
        else done(JSON.parse(stdout) as LoadResult);
      },
    );
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== undefined) {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadJob;
  const result = await runLoad(job.url, job.connections, job.amount, roundRobin(job.paths));
  process.stdout.write(JSON.stringify(result));
}
