/** Per-command plumbing: configuration, opening the home, writing output. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../../core/errors.ts';
import { loadConfig } from '../config.ts';
import { openSitewatch, type Sitewatch } from '../wiring.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly isTty: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  isTty: process.stderr.isTTY,
};

/** Opens the data home named by --home / SITEWATCH_HOME, runs `fn`, and closes it. */
export async function withSitewatch<T>(
  command: Command,
  fn: (sw: Sitewatch) => Promise<T>,
): Promise<T> {
  const globals = command.optsWithGlobals<{ home?: string }>();
  const sw = await openSitewatch(loadConfig(process.env, { home: globals.home }));
  try {
    return await fn(sw);
  } finally {
    await sw.close();
  }
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/**
 * A numeric option's value (`undefined` when the option was not given).
 * @throws ValidationError naming the flag and the text when it is not a finite number
 */
export function parseNumberOption(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new ValidationError(`${flag} must be a number; got "${text}"`);
  }
  return value;
}

/**
 * Reads a text file given on the command line.
 * @throws ValidationError naming the path when it cannot be read
 */
export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`${path}: cannot read the file (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/**
 * Reads and parses a JSON file given on the command line.
 * @throws ValidationError naming the path when it cannot be read or is not JSON
 */
export function readJsonFile(path: string): unknown {
  const text = readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${path}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}
