/**
 * Whole-process measurement for benchmarks: runs a program under GNU `/usr/bin/time -v` (its
 * report goes to a separate file, so the program's own stderr stays clean) and returns the
 * wall time, CPU time and peak resident set size next to the program's output.
 *
 * Peak RSS is the kernel's `ru_maxrss` of the process (threads included); a program that forks
 * children reports the largest of them, not the sum (none of the measured programs does).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../src/core/errors.ts';

/** What `/usr/bin/time -v` reports that the benchmarks use. */
export interface TimeReport {
  readonly wallSeconds: number;
  readonly userSeconds: number;
  readonly systemSeconds: number;
  /** Maximum resident set size, in bytes. */
  readonly peakRssBytes: number;
  readonly exitStatus: number;
}

/** One measured run. */
export interface MeasuredRun extends TimeReport {
  /** The command line as run (program and arguments), for the result file. */
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it failed (exit status, signal, timeout), or null when it exited 0. */
  readonly failure: string | null;
}

const TIME = '/usr/bin/time';

/** Whether GNU time is there (Debian package `time`). */
export function hasGnuTime(): boolean {
  return spawnSync(TIME, ['-v', 'true'], { stdio: 'ignore' }).status === 0;
}

/** "h:mm:ss" or "m:ss.ss" as seconds. */
function clockSeconds(text: string): number {
  return text
    .trim()
    .split(':')
    .reduce((total, part) => total * 60 + Number(part), 0);
}

/**
 * Parses the report of `/usr/bin/time -v`.
 * @throws ValidationError naming the first field that is missing or not a number.
 */
export function parseTimeVerbose(report: string): TimeReport {
  const field = (label: string): string => {
    const line = report.split('\n').find((l) => l.trim().startsWith(label));
    const value = line?.slice(line.lastIndexOf(': ') + 2).trim();
    if (value === undefined || value === '') {
      throw new ValidationError(`/usr/bin/time -v report has no "${label}" line`);
    }
    return value;
  };
  const number = (label: string): number => {
    const value = Number(field(label));
    if (!Number.isFinite(value)) {
      throw new ValidationError(`/usr/bin/time -v "${label}" is not a number: ${field(label)}`);
    }
    return value;
  };
  const wallSeconds = clockSeconds(field('Elapsed (wall clock) time'));
  if (!Number.isFinite(wallSeconds)) {
    throw new ValidationError(
      `/usr/bin/time -v wall clock is not a time: ${field('Elapsed (wall clock) time')}`,
    );
  }
  return {
    wallSeconds,
    userSeconds: number('User time (seconds)'),
    systemSeconds: number('System time (seconds)'),
    peakRssBytes: number('Maximum resident set size (kbytes)') * 1024,
    exitStatus: number('Exit status'),
  };
}

/** Quotes an argument for display only when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `program args…` under `/usr/bin/time -v` and measures it. Never throws for the
 * program's own failure (see `failure`); the wall time is the parent's monotonic clock
 * (finer than time's 10 ms), RSS and CPU come from time's report.
 */
export function measureProcess(
  program: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly timeoutMs: number; readonly env?: NodeJS.ProcessEnv },
): MeasuredRun {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-time-'));
  const reportPath = join(scratch, 'time.txt');
  const command = [program, ...args].map(shellWord).join(' ');
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync(TIME, ['-v', '-o', reportPath, program, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
    });
    const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    let report: TimeReport | null = null;
    try {
      report = parseTimeVerbose(readFileSync(reportPath, 'utf8'));
    } catch {
      report = null;
    }
    let failure: string | null = null;
    if (result.error !== undefined) failure = result.error.message;
    else if (result.signal !== null) failure = `killed by ${result.signal}`;
    else if (result.status !== 0) {
      const tail = result.stderr.trim().split('\n').slice(-3).join(' | ');
      failure = `exit ${String(result.status)}: ${tail}`;
    }
    return {
      command,
      stdout: result.stdout,
      stderr: result.stderr,
      failure,
      wallSeconds,
      userSeconds: report?.userSeconds ?? Number.NaN,
      systemSeconds: report?.systemSeconds ?? Number.NaN,
      peakRssBytes: report?.peakRssBytes ?? Number.NaN,
      exitStatus: report?.exitStatus ?? result.status ?? -1,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The last line of `stdout` that parses as a JSON object (peers print one result line); NaN → null. */
export function lastJsonLine(stdout: string): Record<string, unknown> | null {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      // Python's json.dumps writes NaN/Infinity, which JSON.parse refuses: read them as null.
      const value: unknown = JSON.parse(text.replace(/-?\b(?:Infinity|NaN)\b/g, 'null'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return value as Record<string, unknown>;
      }
    } catch {
      continue;
    }
  }
  return null;
}
