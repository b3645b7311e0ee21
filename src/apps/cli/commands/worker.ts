/**
 * `sitewatch worker`: runs queued jobs on any host that reaches the database, the queue
 * (SITEWATCH_REDIS_URL) and the imagery store. SIGTERM (or the first Ctrl-C) finishes the jobs
 * it holds and exits; a second one stops them at once (they go back to the queue).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { ValidationError } from '../../../core/errors.ts';
import type { Job } from '../../../core/jobs/job.ts';
import { parseJobKind, type JobKind } from '../../../core/jobs/job-payloads.ts';
import { parseLogFormat, type LogFormat } from '../../config.ts';
import { createJobRunner } from '../../wiring.ts';
import { parseNumberOption, withSitewatch, type Io } from '../context.ts';
import { jobLine } from './jobs.ts';

/** One log event of a worker: a line for people, or one JSON object per line. */
export type WorkerLog = (
  level: 'info' | 'warn' | 'error',
  msg: string,
  fields?: Record<string, unknown>,
) => void;

export function createWorkerLog(io: Io, format: LogFormat, workerId: string): WorkerLog {
  return (level, msg, fields = {}) => {
    if (format === 'json') {
      io.err(JSON.stringify({ time: new Date().toISOString(), level, msg, workerId, ...fields }));
    } else {
      io.err(msg);
    }
  };
}

function durationMs(job: Job): number | null {
  if (job.startedAt === null) return null;
  const end = job.finishedAt ?? job.updatedAt;
  return Math.max(0, Date.parse(end) - Date.parse(job.startedAt));
}

function jobFields(job: Job): Record<string, unknown> {
  return {
    jobId: job.id,
    kind: job.kind,
    state: job.state,
    attempt: job.attempt,
    maxAttempts: job.maxAttempts,
    durationMs: durationMs(job),
    ...(job.error === null ? {} : { error: job.error }),
  };
}

/** @throws ValidationError naming --queues and the bad kind. */
export function parseQueues(text: string | undefined): JobKind[] | undefined {
  if (text === undefined) return undefined;
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (kinds.length === 0) throw new ValidationError(`--queues names no kind; got "${text}"`);
  return [...new Set(kinds.map((k) => parseJobKind(k)))];
}

function positive(flag: string, text: string | undefined): number | undefined {
  const value = parseNumberOption(flag, text);
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new ValidationError(`${flag} must be a whole number of at least 1; got "${text}"`);
  }
  return value;
}

interface WorkerOptions {
  concurrency?: string;
  queues?: string;
  pollMs?: string;
  leaseMs?: string;
  logFormat?: string;
}

export function registerWorkerCommand(program: Command, io: Io): void {
  program
    .command('worker')
    .description(
      'run queued jobs (from Redis when SITEWATCH_REDIS_URL is set); SIGTERM finishes the current jobs, then exits',
    )
    .option('--concurrency <n>', 'jobs at once (default 1; compare already uses worker threads)')
    .option(
      '--queues <kinds>',
      'only these job kinds, comma-separated (default compare,detect,assess)',
    )
    .option(
      '--poll-ms <ms>',
      'how often to look for jobs, renew leases and read cancels (default 1000)',
    )
    .option('--lease-ms <ms>', 'how long a job stays claimed without renewal (default 120000)')
    .option('--log-format <format>', 'text or json (default SITEWATCH_LOG_FORMAT, else text)')
    .addHelpText(
      'after',
      '\nExample:\n  $ SITEWATCH_REDIS_URL=redis://queue:6379 sitewatch worker --concurrency 2 --queues compare,detect',
    )
    .action(async (options: WorkerOptions, command: Command) => {
      const concurrency = positive('--concurrency', options.concurrency);
      const pollMs = positive('--poll-ms', options.pollMs);
      const leaseMs = positive('--lease-ms', options.leaseMs);
      const kinds = parseQueues(options.queues);
      const format =
        options.logFormat === undefined
          ? parseLogFormat('SITEWATCH_LOG_FORMAT', process.env.SITEWATCH_LOG_FORMAT)
          : parseLogFormat('--log-format', options.logFormat);
      await withSitewatch(command, async (sw) => {
        const workerId = `${hostname()}:${process.pid}`;
        const log = createWorkerLog(io, format, workerId);
        const runner = createJobRunner(sw, {
          workerId,
          ...(concurrency === undefined ? {} : { concurrency }),
          ...(pollMs === undefined ? {} : { pollMs }),
          ...(leaseMs === undefined ? {} : { leaseMs }),
          ...(kinds === undefined ? {} : { kinds }),
          onStarted: (job) => {
            log(
              'info',
              `started ${job.id} ${job.kind} (attempt ${job.attempt}/${job.maxAttempts})`,
              {
                event: 'job.started',
                ...jobFields(job),
              },
            );
          },
          onFinished: (job) => {
            log(job.state === 'failed' ? 'error' : 'info', jobLine(job), {
              event: 'job.finished',
              ...jobFields(job),
            });
          },
        });
        for (const job of await runner.recoverInterrupted()) {
          log('warn', `recovered after a restart: ${jobLine(job)}`, {
            event: 'job.recovered',
            ...jobFields(job),
          });
        }
        const stop = new AbortController();
        const drain = new AbortController();
        const onSignal = (signal: string) => {
          if (!drain.signal.aborted) {
            log('info', `${signal}: finishing the running jobs, then exiting`, {
              event: 'worker.draining',
            });
            drain.abort();
          } else {
            log('warn', `${signal} again: running jobs are put back in the queue`, {
              event: 'worker.stopping',
            });
            stop.abort();
          }
        };
        const onTerm = () => {
          onSignal('SIGTERM');
        };
        const onInt = () => {
          onSignal('SIGINT');
        };
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
        const queue = sw.config.redisUrl === undefined ? 'the data home' : 'Redis';
        log(
          'info',
          `worker ${workerId} running (concurrency ${concurrency ?? 1}, kinds ${(kinds ?? ['compare', 'detect', 'assess']).join(',')}, queue in ${queue})`,
          { event: 'worker.started', concurrency: concurrency ?? 1, kinds: kinds ?? null },
        );
        try {
          await runner.run(stop.signal, drain.signal);
        } finally {
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
        }
        log('info', 'worker stopped', { event: 'worker.stopped' });
      });
    });
}
