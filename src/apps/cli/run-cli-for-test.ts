/** Runs the CLI in-process with captured output, for tests. */
import { runCli } from './cli.ts';
import type { Io } from './context.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- callers name the JSON shape they expect
  json<T>(): T;
}

export async function runCliCaptured(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (text) => {
      stdout += text.endsWith('\n') ? text : `${text}\n`;
    },
    err: (text) => {
      stderr += text.endsWith('\n') ? text : `${text}\n`;
    },
    isTty: false,
  };
  const code = await runCli(args, io);
  return {
    code,
    stdout,
    stderr,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- as above
    json: <T>(): T => JSON.parse(stdout) as T,
  };
}
