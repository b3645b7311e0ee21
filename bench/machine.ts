/** Describes the machine and checkout a benchmark ran on, for its result file. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

export function machineInfo(): Record<string, unknown> {
  const run = (cmd: string, args: string[]): string | null => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    commit: run('git', ['rev-parse', '--short', 'HEAD']),
    dirty: (run('git', ['status', '--porcelain']) ?? '') !== '',
    date: new Date().toISOString(),
  };
}

/** Median of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
