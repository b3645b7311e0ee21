/** `sitewatch serve`: the REST API and the workbench, until Ctrl-C (or SIGTERM). */
import type { Command } from 'commander';
import { ValidationError } from '../../../core/errors.ts';
import { loadConfig, parseLogFormat } from '../../config.ts';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_WEB_DIR,
  serveSitewatch,
  type SitewatchServeOptions,
} from '../../server/serve.ts';
import { ensureWorkbenchBuilt } from '../../server/web-build.ts';
import { openSitewatch, type Sitewatch } from '../../wiring.ts';
import { parseNumberOption, type Io } from '../context.ts';

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Builds the workbench if needed, serves the home (API, tiles, jobs, alert delivery) and
 * prints `listening on URL`; returns after Ctrl-C or SIGTERM, once everything has stopped.
 * `onListening` prints more lines (e.g. the demo login) after the listening line.
 */
export async function serveUntilStopped(
  sw: Sitewatch,
  io: Io,
  options: SitewatchServeOptions,
  onListening: (url: string) => void = () => undefined,
): Promise<void> {
  await ensureWorkbenchBuilt(options.webDir ?? DEFAULT_WEB_DIR, (line) => {
    io.err(line);
  });
  const server = await serveSitewatch(sw, {
    ...options,
    onBackgroundError: (what, error) => {
      io.err(`${what} stopped: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  io.out(`listening on ${server.url}`);
  onListening(server.url);
  const signal = await untilSignal();
  io.err(`${signal}: stopping`);
  await server.close();
}

export function parsePort(text: string | undefined): number {
  const port = parseNumberOption('--port', text) ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError(`--port must be a whole number from 0 to 65535; got "${text ?? ''}"`);
  }
  return port;
}

export function registerServeCommand(program: Command, io: Io): void {
  program
    .command('serve')
    .description('serve the REST API (/api/) and the workbench (/) over the data home')
    .option('--host <host>', `address to bind (default ${DEFAULT_HOST}: this machine only)`)
    .option('--port <port>', `TCP port (default ${DEFAULT_PORT}; 0 picks a free one)`)
    .option(
      '--trust-proxy',
      'behind a reverse proxy terminating TLS: trust X-Forwarded-For/-Proto (client address, Secure cookies)',
    )
    .option('--log', 'log each request as JSON to standard output (as --log-format json)')
    .option(
      '--log-format <format>',
      'text (no request log) or json (one JSON line per request and event; default SITEWATCH_LOG_FORMAT)',
    )
    .option('--no-jobs', 'run no jobs in this process (workers on other hosts run them)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch users add alice --role analyst --password-stdin <<< "correct horse battery"\n  $ sitewatch serve --port 8080\n  $ curl -H "Authorization: Bearer $(sitewatch tokens create --user alice | tail -n 1)" http://127.0.0.1:8080/api/sites',
    )
    .action(
      async (
        options: {
          host?: string;
          port?: string;
          trustProxy?: boolean;
          log?: boolean;
          logFormat?: string;
          jobs?: boolean;
        },
        command: Command,
      ) => {
        const port = parsePort(options.port);
        const globals = command.optsWithGlobals<{ home?: string }>();
        const config = loadConfig(process.env, { home: globals.home });
        const logFormat =
          options.logFormat === undefined
            ? config.logFormat
            : parseLogFormat('--log-format', options.logFormat);
        const sw = await openSitewatch(config);
        try {
          await serveUntilStopped(sw, io, {
            host: options.host ?? DEFAULT_HOST,
            port,
            trustProxy: options.trustProxy === true,
            logger: options.log === true || logFormat === 'json',
            runJobs: options.jobs !== false,
          });
        } finally {
          await sw.close();
        }
      },
    );
}
