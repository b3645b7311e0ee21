/**
 * Tools the peers need from Debian, installed on demand with apt-get (benchmark-only; never a
 * product dependency). Every command is time-bounded and reports failure instead of throwing.
 */
import { execFile, spawnSync } from 'node:child_process';

/** Outcome of one external command. */
export interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Why it failed (exit code, signal or timeout), or null. */
  readonly failure: string | null;
}

/** Runs a command with a time limit; never rejects. */
export function runCommand(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<CommandResult> {
  const start = process.hrtime.bigint();
  return new Promise((resolvePromise) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 64 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        let failure: string | null = null;
        if (error !== null) {
          failure =
            error.killed || error.signal === 'SIGKILL'
              ? `timed out after ${timeoutMs / 1000} s`
              : `exit ${String(error.code)}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
        }
        resolvePromise({ ok: error === null, stdout, stderr, seconds, failure });
      },
    );
  });
}

/** Whether `probe` (command and arguments) exits 0. */
export function probe(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 60_000 }).status === 0;
}

/**
 * Makes sure a tool is there: when `isPresent()` is false, installs the Debian packages with
 * `apt-get install -y --no-install-recommends`, saying so on stderr.
 * @returns null when the tool is usable, else why not.
 */
export function ensureDebianPackages(
  tool: string,
  packages: readonly string[],
  isPresent: () => boolean,
): string | null {
  if (isPresent()) return null;
  process.stderr.write(
    `eval:change: ${tool} is missing; installing Debian packages ${packages.join(' ')} ` +
      `(apt-get install -y --no-install-recommends; benchmark peer only, not a product dependency)\n`,
  );
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 900_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (install.status !== 0) {
    const reason =
      install.error?.message ?? install.stderr.toString().trim().split('\n').slice(-2).join(' | ');
    return `apt-get install ${packages.join(' ')} failed: ${reason}`;
  }
  return isPresent() ? null : `${tool} is still unusable after installing ${packages.join(' ')}`;
}

/** Installed version of each Debian package (null when not installed). */
export function debianVersions(packages: readonly string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const name of packages) {
    const query = spawnSync('dpkg-query', ['-W', '-f', '${Version}', name], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    out[name] = query.status === 0 && query.stdout !== '' ? query.stdout : null;
  }
  return out;
}
