/**
 * Worker scaling benchmark: one batch of compare and detect jobs on real LEVIR-CD pairs
 * (../shared/data/levir-cd, plain PNG: pixel-grid compare, detect at 0.5 m GSD) run by
 *   - the embedded default: SQLite home + `sitewatch jobs run-worker --concurrency 1 --once`;
 *   - Redis (a private redis-server) + PostgreSQL with 1, 2 and 4 `sitewatch worker` processes.
 * Records wall time, throughput, per-job latency p50/p99 (enqueue → finished, from the job
 * records), scaling efficiency (throughput_k / (k × throughput_1)), CPU seconds and peak RSS per
 * worker (GNU time), PostgreSQL commits and rows written, image bytes read, and load average.
 *
 *   npm run bench:workers [-- --jobs 200 --pairs 7 --workers 1,2,4]
 *
 * Needs ../shared/data, redis-server, PostgreSQL + PostGIS (SITEWATCH_TEST_PG_URL or the local
 * trust login) and /usr/bin/time. Fails on any failed job. Writes bench/results/workers.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { enqueueJob } from '../src/app/jobs/enqueue-job.ts';
import { loadConfig } from '../src/apps/config.ts';
import { openSitewatch } from '../src/apps/wiring.ts';
import { RedisTestServer, hasRedisServer } from '../src/adapters/bullmq/redis-test-server.ts';
import {
  createTestDatabase,
  postgresUnavailableReason,
} from '../src/adapters/postgres/pg-test-database.ts';
import type { Job } from '../src/core/jobs/job.ts';
import { machineInfo } from './machine.ts';
import { hasGnuTime, parseTimeVerbose } from './measure-process.ts';

const repo = resolve(import.meta.dirname, '..');
const levir = resolve(repo, '../shared/data/levir-cd');
const bin = join(repo, 'bin/sitewatch.js');
const GSD_M = 0.5;
const TIMEOUT_MS = 20 * 60_000;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value ?? fallback;
}

function wholeNumber(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench:workers: ${name} must be a whole number of at least 1; got "${text}"`);
    process.exit(1);
  }
  return n;
}

const jobsWanted = wholeNumber('--jobs', flag('--jobs', '200'));
const pairsWanted = wholeNumber('--pairs', flag('--pairs', '7'));
const workerCounts = flag('--workers', '1,2,4')
  .split(',')
  .map((w) => wholeNumber('--workers', w));
const notes = flag('--notes', '');

if (!existsSync(levir)) {
  console.error(`bench:workers: ${levir} is absent; this benchmark needs ../shared/data`);
  process.exit(1);
}
if (!hasRedisServer()) {
  console.error('bench:workers: needs redis-server (apt-get install redis-server)');
  process.exit(1);
}
if (!hasGnuTime()) {
  console.error('bench:workers: needs /usr/bin/time (apt-get install time)');
  process.exit(1);
}
const pgReason = await postgresUnavailableReason();
if (pgReason !== undefined) {
  console.error(`bench:workers: ${pgReason}`);
  process.exit(1);
}

const names = readFileSync(join(levir, 'MANIFEST.tsv'), 'utf8')
  .split('\n')
  .map((line) => line.split('\t')[0] ?? '')
  .filter((p) => p.startsWith('A/'))
  .map((p) => p.slice(2))
  .sort()
  .slice(0, pairsWanted);
if (names.length < pairsWanted) {
  console.error(`bench:workers: --pairs ${pairsWanted} but levir-cd has ${names.length} pairs`);
  process.exit(1);
}

type Env = Record<string, string | undefined>;

function cli(env: Env, home: string, args: readonly string[]): string {
  const result = spawnSync(process.execPath, [bin, '--home', home, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (result.status !== 0) {
    throw new Error(
      `sitewatch ${args.join(' ')} failed (exit ${String(result.status)}): ${result.stderr}`,
    );
  }
  return result.stdout;
}

interface Pair {
  readonly a: string;
  readonly b: string;
  readonly bytesA: number;
  readonly bytesB: number;
}

/** Ingests the pairs (A at 2010, B at 2018) and returns their image ids. */
function ingest(env: Env, home: string): Pair[] {
  const idsOf = (folder: 'A' | 'B', date: string): string[] => {
    const files = names.map((n) => join(levir, folder, n));
    const out = cli(env, home, ['images', 'ingest', ...files, '--acquired-at', date, '--json']);
    return (JSON.parse(out) as { id: string }[]).map((image) => image.id);
  };
  const a = idsOf('A', '2010-01-01');
  const b = idsOf('B', '2018-01-01');
  return names.map((n, i) => ({
    a: a[i]!,
    b: b[i]!,
    bytesA: statSync(join(levir, 'A', n)).size,
    bytesB: statSync(join(levir, 'B', n)).size,
  }));
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

interface WorkerRun {
  readonly exit: Promise<{
    code: number | null;
    userSeconds: number;
    systemSeconds: number;
    peakRssBytes: number;
  }>;
  stop(): void;
}

function startWorker(
  env: Env,
  home: string,
  args: readonly string[],
  scratch: string,
  i: number,
): WorkerRun {
  const report = join(scratch, `time-${i}.txt`);
  const log = join(scratch, `worker-${i}.log`);
  const child = spawn(
    '/usr/bin/time',
    ['-v', '-o', report, process.execPath, bin, '--home', home, ...args],
    {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exit = new Promise<{
    code: number | null;
    userSeconds: number;
    systemSeconds: number;
    peakRssBytes: number;
  }>((resolveExit) => {
    child.once('exit', (code) => {
      writeFileSync(log, stderr);
      let t = { userSeconds: Number.NaN, systemSeconds: Number.NaN, peakRssBytes: Number.NaN };
      try {
        t = parseTimeVerbose(readFileSync(report, 'utf8'));
      } catch {
        // no report: the numbers stay NaN
      }
      resolveExit({
        code,
        userSeconds: t.userSeconds,
        systemSeconds: t.systemSeconds,
        peakRssBytes: t.peakRssBytes,
      });
    });
  });
  return {
    exit,
    stop: () => {
      // GNU time ignores SIGINT and dies on SIGTERM, so the group gets SIGINT: the worker
      // finishes its jobs (none are left) and exits, then time writes its report.
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    },
  };
}

interface PgCounters {
  readonly commits: number;
  readonly rowsWritten: number;
}

async function pgCounters(url: string | undefined): Promise<PgCounters | null> {
  if (url === undefined) return null;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const r = await client.query<{ commits: string; written: string }>(
      `SELECT xact_commit::text AS commits, (tup_inserted + tup_updated + tup_deleted)::text AS written
         FROM pg_stat_database WHERE datname = current_database()`,
    );
    return { commits: Number(r.rows[0]!.commits), rowsWritten: Number(r.rows[0]!.written) };
  } finally {
    await client.end();
  }
}

interface Configuration {
  readonly name: string;
  readonly workers: number;
  readonly env: Env;
  readonly home: string;
  readonly pairs: readonly Pair[];
  readonly workerArgs: readonly string[];
  readonly databaseUrl?: string;
}

async function runConfiguration(c: Configuration): Promise<Record<string, unknown>> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-workers-run-'));
  const sw = await openSitewatch(loadConfig({ ...process.env, ...c.env }, { home: c.home }));
  try {
    const ids: string[] = [];
    let bytesRead = 0;
    for (let j = 0; j < jobsWanted; j++) {
      const pair = c.pairs[Math.floor(j / 2) % c.pairs.length]!;
      const job =
        j % 2 === 0
          ? await enqueueJob(
              sw.jobs,
              'compare',
              { imageA: pair.a, imageB: pair.b },
              { maxAttempts: 1 },
            )
          : await enqueueJob(
              sw.jobs,
              'detect',
              { imageId: pair.b, gsdMeters: GSD_M },
              { maxAttempts: 1 },
            );
      bytesRead += j % 2 === 0 ? pair.bytesA + pair.bytesB : pair.bytesB;
      ids.push(job.id);
    }
    const before = await pgCounters(c.databaseUrl);
    const load0 = loadavg();
    const t0 = process.hrtime.bigint();
    const startedAtMs = Date.now();
    const workers = Array.from({ length: c.workers }, (_, i) =>
      startWorker(c.env, c.home, c.workerArgs, scratch, i),
    );
    const done: Job[] = [];
    const deadline = Date.now() + TIMEOUT_MS;
    let pending = [...ids];
    while (pending.length > 0) {
      if (Date.now() > deadline)
        throw new Error(`${c.name}: ${pending.length} jobs not finished after ${TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 500));
      const still: string[] = [];
      for (const id of pending) {
        const job = await sw.jobs.get(id);
        if (job === undefined) throw new Error(`${c.name}: job ${id} vanished`);
        if (job.state === 'failed' || job.state === 'cancelled') {
          for (const w of workers) w.stop();
          throw new Error(`${c.name}: job ${id} (${job.kind}) ${job.state}: ${job.error ?? ''}`);
        }
        if (job.state === 'completed') done.push(job);
        else still.push(id);
      }
      pending = still;
    }
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const load1 = loadavg();
    for (const w of workers) w.stop();
    const exits = await Promise.all(workers.map((w) => w.exit));
    const after = await pgCounters(c.databaseUrl);
    const latencies = done
      .map((j) => (Date.parse(j.finishedAt!) - Date.parse(j.createdAt)) / 1000)
      .sort((a, b) => a - b);
    const runSeconds = (kind: string): number[] =>
      done
        .filter((j) => j.kind === kind && j.startedAt !== null)
        .map((j) => (Date.parse(j.finishedAt!) - Date.parse(j.startedAt!)) / 1000)
        .sort((a, b) => a - b);
    const cpuSeconds = exits.reduce((s, e) => s + e.userSeconds + e.systemSeconds, 0);
    const result = {
      name: c.name,
      workers: c.workers,
      workerCommand: `sitewatch ${c.workerArgs.join(' ')}`,
      jobs: ids.length,
      wallSeconds: round(wallSeconds),
      firstJobStartSeconds: round(
        (Math.min(...done.map((j) => Date.parse(j.startedAt ?? j.finishedAt!))) - startedAtMs) /
          1000,
      ),
      throughputJobsPerMin: round((ids.length / wallSeconds) * 60),
      latencySeconds: {
        p50: round(quantile(latencies, 0.5)),
        p99: round(quantile(latencies, 0.99)),
      },
      runSecondsMedian: {
        compare: round(quantile(runSeconds('compare'), 0.5)),
        detect: round(quantile(runSeconds('detect'), 0.5)),
      },
      cpuSeconds: round(cpuSeconds),
      cpuSecondsPerJob: round(cpuSeconds / ids.length, 3),
      peakRssMiBPerWorker: exits.map((e) => round(e.peakRssBytes / 2 ** 20, 0)),
      workerExitCodes: exits.map((e) => e.code),
      postgres:
        before === null || after === null
          ? null
          : {
              commitsPerJob: round((after.commits - before.commits) / ids.length, 1),
              rowsWrittenPerJob: round((after.rowsWritten - before.rowsWritten) / ids.length, 1),
            },
      imageBytesReadPerJob: Math.round(bytesRead / ids.length),
      loadAverageBefore: load0.map((x) => round(x)),
      loadAverageAfter: load1.map((x) => round(x)),
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await sw.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const root = mkdtempSync(join(tmpdir(), 'bench-workers-'));
const database = await createTestDatabase();
const results: Record<string, unknown>[] = [];
try {
  const pgHome = join(root, 'pg-home');
  const sqliteHome = join(root, 'sqlite-home');
  mkdirSync(pgHome);
  mkdirSync(sqliteHome);
  const pgEnv: Env = { SITEWATCH_DATABASE_URL: database.url, SITEWATCH_REDIS_URL: undefined };
  const sqliteEnv: Env = { SITEWATCH_DATABASE_URL: undefined, SITEWATCH_REDIS_URL: undefined };
  const pgPairs = ingest(pgEnv, pgHome);
  const sqlitePairs = ingest(sqliteEnv, sqliteHome);

  results.push(
    await runConfiguration({
      name: 'embedded (SQLite, jobs run-worker)',
      workers: 1,
      env: sqliteEnv,
      home: sqliteHome,
      pairs: sqlitePairs,
      workerArgs: ['jobs', 'run-worker', '--concurrency', '1', '--poll-ms', '200'],
    }),
  );
  for (const k of workerCounts) {
    const redis = await RedisTestServer.start();
    try {
      results.push(
        await runConfiguration({
          name: `redis+postgres, ${k} worker process${k === 1 ? '' : 'es'}`,
          workers: k,
          env: { ...pgEnv, SITEWATCH_REDIS_URL: redis.url },
          home: pgHome,
          pairs: pgPairs,
          workerArgs: ['worker', '--concurrency', '1', '--poll-ms', '200'],
          databaseUrl: database.url,
        }),
      );
    } finally {
      await redis.stop();
    }
  }
} finally {
  await database.drop();
  rmSync(root, { recursive: true, force: true });
}

const one = results.find((r) => r['workers'] === 1 && String(r['name']).startsWith('redis'));
const base = one === undefined ? Number.NaN : Number(one['throughputJobsPerMin']);
for (const r of results) {
  if (String(r['name']).startsWith('redis')) {
    r['scalingEfficiency'] = round(
      Number(r['throughputJobsPerMin']) / (Number(r['workers']) * base),
    );
  }
}

const out = {
  benchmark: 'workers',
  command: `npm run bench:workers -- ${process.argv.slice(2).join(' ')}`.trim(),
  machine: machineInfo(),
  data: `../shared/data/levir-cd: ${names.length} pairs (256×256 RGB PNG, no georeferencing; compare on the pixel grid, detect with gsdMeters ${GSD_M})`,
  batch: `${jobsWanted} jobs, half compare and half detect, round-robin over the pairs; maxAttempts 1`,
  latency:
    'enqueue → finished from the job records; all jobs are enqueued before the workers start, so it includes queue wait and worker start-up',
  notes,
  results,
};
const path = join(repo, 'bench/results/workers.json');
writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${path}`);
