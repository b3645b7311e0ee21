/** Process entry of the `sitewatch` CLI (bin/sitewatch.js loads this). */
import { processIo } from './context.ts';
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2), processIo);
