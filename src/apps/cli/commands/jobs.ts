/** `sitewatch jobs …`: submit, list, show and cancel jobs, and run a worker over the queue. */
import type { Command } from 'commander';
import { enqueueJob } from '../../../app/jobs/enqueue-job.ts';
import { NotFoundError, ValidationError } from '../../../core/errors.ts';
import { JOB_STATES, type Job, type JobState } from '../../../core/jobs/job.ts';
import { parseJobKind, type JobKind } from '../../../core/jobs/job-payloads.ts';
import { createJobRunner } from '../../wiring.ts';
import { parseNumberOption, printJson, withSitewatch, type Io } from '../context.ts';
import { formatTable } from '../format.ts';
import { readStructuredFile } from '../structured-file.ts';
import { BatchFailedError } from './images.ts';

/** @throws ValidationError naming the flag unless `text` is a whole number ≥ 1 */
export function wholeOption(flag: string, text: string | undefined): number | undefined {
  const value = parseNumberOption(flag, text);
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new ValidationError(`${flag} must be a whole number of at least 1; got "${text}"`);
  }
  return value;
}

/** @throws ValidationError naming `--state` unless `text` is a job state */
function parseState(text: string | undefined): JobState | undefined {
  if (text === undefined) return undefined;
  const state = JOB_STATES.find((s) => s === text);
  if (state === undefined) {
    throw new ValidationError(`--state must be one of ${JOB_STATES.join(', ')}; got "${text}"`);
  }
  return state;
}

/** The options of `jobs submit` and `remote jobs submit`. */
export interface JobSubmitOptions {
  readonly maxAttempts?: string;
  readonly json?: boolean;
}

/** `submit <kind> <payload-file>` under `parent` (`jobs submit`, `remote jobs submit`). */
export function jobSubmitCommand(parent: Command, description: string): Command {
  return parent
    .command('submit')
    .argument('<kind>', 'compare, detect or assess')
    .argument('<payload-file>', 'the options as YAML or JSON (as for POST /api/jobs)')
    .description(description)
    .option('--max-attempts <n>', 'attempts in all (default 3)')
    .option('--json', 'print the job as JSON');
}

/**
 * The job a submission asks for: its kind, the payload file's content, and --max-attempts
 * when given.
 * @throws ValidationError naming the kind, the file or the option when one is bad
 */
export function parseJobSubmission(
  kind: string,
  file: string,
  options: JobSubmitOptions,
): { kind: JobKind; payload: unknown; maxAttempts?: number } {
  const jobKind = parseJobKind(kind);
  const payload = readStructuredFile(file);
  const maxAttempts = wholeOption('--max-attempts', options.maxAttempts);
  return { kind: jobKind, payload, ...(maxAttempts === undefined ? {} : { maxAttempts }) };
}

/** `show <id>` under `parent` (`jobs show`, `remote jobs show`). */
export function jobShowCommand(parent: Command): Command {
  return parent
    .command('show')
    .argument('<id>', 'a job id')
    .description('a job’s state, progress, payload, result or error')
    .option('--json', 'print { "job": { "id", "state", … } } as JSON');
}

/** The options of `jobs list` and `remote jobs list`. */
export interface JobListOptions {
  readonly state?: string;
  readonly kind?: string;
  readonly limit?: string;
  readonly cursor?: string;
  readonly json?: boolean;
}

/** `list` under `parent`, with the options of a job listing (`jobs list`, `remote jobs list`). */
export function jobListCommand(parent: Command): Command {
  return parent
    .command('list')
    .description('list jobs, newest first')
    .option('--state <state>', `only this state (${JOB_STATES.join(', ')})`)
    .option('--kind <kind>', 'only this kind')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--cursor <cursor>', 'the page after this cursor (printed after a full page)')
    .option('--json', 'print { jobs, nextCursor } as JSON');
}

/**
 * The filter a job listing's options ask for (only the options given).
 * @throws ValidationError naming the option when --state, --kind or --limit is bad
 */
export function jobListFilter(options: JobListOptions): {
  state?: JobState;
  kind?: JobKind;
  limit?: number;
  cursor?: string;
} {
  const state = parseState(options.state);
  const kind = options.kind === undefined ? undefined : parseJobKind(options.kind);
  const limit = wholeOption('--limit', options.limit);
  return {
    ...(state === undefined ? {} : { state }),
    ...(kind === undefined ? {} : { kind }),
    ...(limit === undefined ? {} : { limit }),
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  };
}

function progressText(job: Job): string {
  const p = job.progress;
  if (p === null) return '-';
  return p.total > 0 ? `${p.stage} ${p.done}/${p.total}` : p.stage;
}

export function jobLine(job: Job): string {
  const detail = job.error === null ? '' : `: ${job.error}`;
  return `${job.id} ${job.kind} ${job.state} (attempt ${job.attempt}/${job.maxAttempts})${detail}`;
}

/** The JSON a job command prints: `{ "job": { "id", "state", … } }`. */
export function printJobJson(io: Io, job: Job): void {
  printJson(io, { job });
}

/** A page of jobs as a table (`jobs list`, and `remote jobs list`). */
export function printJobPage(io: Io, jobs: readonly Job[], nextCursor: string | null): void {
  if (jobs.length === 0) {
    io.out('no jobs');
    return;
  }
  io.out(
    formatTable(jobs, [
      { header: 'JOB', value: (j) => j.id },
      { header: 'KIND', value: (j) => j.kind },
      { header: 'STATE', value: (j) => (j.cancelRequested ? `${j.state}*` : j.state) },
      { header: 'ATTEMPT', value: (j) => `${j.attempt}/${j.maxAttempts}` },
      { header: 'PROGRESS', value: progressText },
      { header: 'CREATED', value: (j) => j.createdAt },
      { header: 'ERROR', value: (j) => j.error ?? '' },
    ]),
  );
  if (nextCursor !== null) io.out(`more: --cursor ${nextCursor}`);
}

/** One job in detail, or as `{ "job": … }` with `json` (`jobs show`, and `remote jobs show`). */
export function printJob(io: Io, job: Job, json: boolean | undefined): void {
  if (json === true) {
    printJobJson(io, job);
    return;
  }
  io.out(
    [
      jobLine(job),
      `  created:  ${job.createdAt}`,
      `  started:  ${job.startedAt ?? '-'}`,
      `  finished: ${job.finishedAt ?? '-'}`,
      `  progress: ${progressText(job)}`,
      ...(job.cancelRequested && job.state === 'running' ? ['  cancel requested'] : []),
      `  payload:  ${JSON.stringify(job.payload)}`,
      ...(job.result === null ? [] : [`  result:   ${JSON.stringify(job.result)}`]),
    ].join('\n'),
  );
}

function registerWorkerCommand(jobs: Command, io: Io): void {
  jobs
    .command('run-worker')
    .description('run queued jobs until Ctrl-C (running jobs are then put back for the next run)')
    .option('--concurrency <n>', 'jobs at once (default 1; compare already uses worker threads)')
    .option('--poll-ms <ms>', 'how often to look for jobs and cancel requests (default 1000)')
    .option('--once', 'run the jobs that are due, then exit (status 1 when one of them failed)')
    .addHelpText('after', '\nExample:\n  $ sitewatch jobs run-worker --concurrency 2')
    .action(
      async (
        options: { concurrency?: string; pollMs?: string; once?: boolean },
        command: Command,
      ) => {
        const concurrency = wholeOption('--concurrency', options.concurrency);
        const pollMs = wholeOption('--poll-ms', options.pollMs);
        await withSitewatch(command, async (sw) => {
          const runner = createJobRunner(sw, {
            ...(concurrency === undefined ? {} : { concurrency }),
            ...(pollMs === undefined ? {} : { pollMs }),
            onFinished: (job) => {
              io.err(jobLine(job));
            },
          });
          for (const job of await runner.recoverInterrupted()) {
            io.err(`recovered after a restart: ${jobLine(job)}`);
          }
          if (options.once === true) {
            const ended = await runner.drain();
            const failed = ended.filter((job) => job.state === 'failed').length;
            if (failed > 0) throw new BatchFailedError(failed, 1);
            return;
          }
          const stop = new AbortController();
          const onInterrupt = () => {
            io.err('stopping: running jobs are put back in the queue');
            stop.abort();
          };
          process.once('SIGINT', onInterrupt);
          process.once('SIGTERM', onInterrupt);
          io.err(`worker running (concurrency ${concurrency ?? 1}); Ctrl-C stops it`);
          try {
            await runner.run(stop.signal);
          } finally {
            process.off('SIGINT', onInterrupt);
            process.off('SIGTERM', onInterrupt);
          }
        });
      },
    );
}

export function registerJobsCommands(program: Command, io: Io): void {
  const jobs = program
    .command('jobs')
    .description('long work (compare, detect, assess) as queued jobs: submit, watch, cancel, run');

  jobSubmitCommand(jobs, 'queue a job (run it with `jobs run-worker`)')
    .addHelpText(
      'after',
      '\nExample payload for compare (compare.json):\n  { "imageA": "img_f8ff91fbd263ac0a", "imageB": "img_13d500301e4cc6d7", "outDir": "out" }\n  $ sitewatch jobs submit compare compare.json',
    )
    .action(async (kind: string, file: string, options: JobSubmitOptions, command: Command) => {
      const { kind: jobKind, payload, ...limits } = parseJobSubmission(kind, file, options);
      const job = await withSitewatch(command, (sw) =>
        enqueueJob(sw.jobs, jobKind, payload, limits),
      );
      if (options.json === true) printJobJson(io, job);
      else io.out(`queued ${job.id} (${job.kind})`);
    });

  jobListCommand(jobs).action(async (options: JobListOptions, command: Command) => {
    const filter = jobListFilter(options);
    const page = await withSitewatch(command, (sw) => sw.jobs.list(filter));
    if (options.json === true) {
      printJson(io, page);
      return;
    }
    printJobPage(io, page.jobs, page.nextCursor);
  });

  jobShowCommand(jobs).action(async (id: string, options: { json?: boolean }, command: Command) => {
    const job = await withSitewatch(command, (sw) => sw.jobs.get(id));
    if (job === undefined) throw new NotFoundError(`job "${id}" not found`);
    printJob(io, job, options.json);
  });

  jobs
    .command('cancel')
    .argument('<id>', 'a job id')
    .description('cancel a queued job, or ask the worker running it to stop (nothing is stored)')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const job = await withSitewatch(command, (sw) => sw.jobs.cancel(id));
      if (options.json === true) printJobJson(io, job);
      else
        io.out(
          job.state === 'cancelled' ? `cancelled ${job.id}` : `cancel requested for ${job.id}`,
        );
    });

  registerWorkerCommand(jobs, io);
}
