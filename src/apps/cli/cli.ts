/**
 * The `sitewatch` command line: reads configuration, wires the embedded default, maps
 * errors to one-line messages and exit statuses (table in format.ts).
 */
import { Command, CommanderError } from 'commander';
import { SitewatchError } from '../../core/errors.ts';
import type { Io } from './context.ts';
import { EXIT_CODES } from './format.ts';
import { registerCompareCommand } from './commands/compare.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDetectCommands } from './commands/detect.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerFigureCommand } from './commands/figure.ts';
import { registerReportCommand } from './commands/report.ts';
import { BatchFailedError, registerImagesCommands } from './commands/images.ts';
import { registerModelsCommands } from './commands/models.ts';
import { registerAlertsCommands } from './commands/alerts.ts';
import { registerJobsCommands } from './commands/jobs.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { registerAssessCommand } from './commands/assess.ts';
import { registerAssessmentsCommands } from './commands/assessments.ts';
import { registerReviewCommands } from './commands/review.ts';
import { registerObserveCommands } from './commands/observe.ts';
import { registerSeriesCommand } from './commands/series.ts';
import { registerSitesCommands } from './commands/sites.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerTokensCommands } from './commands/tokens.ts';
import { registerRemoteCommands } from './commands/remote.ts';
import { registerUsersCommands } from './commands/users.ts';
import { registerDbCommands } from './commands/db.ts';
import { SOFTWARE_VERSION } from '../version.ts';

export function buildProgram(io: Io): Command {
  const program = new Command('sitewatch')
    .description('watch facilities from satellite imagery')
    .version(SOFTWARE_VERSION)
    .option('--home <dir>', 'data home (default: $SITEWATCH_HOME or ./.sitewatch)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => {
        io.out(s);
      },
      writeErr: (s) => {
        io.err(s);
      },
    })
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch demo\n  $ sitewatch sites import examples/catalog.geojson\n  $ sitewatch images ingest scene.tif --acquired-at 2019-02-22\n  $ sitewatch images list --site sanumdong --json',
    );
  registerSitesCommands(program, io);
  registerImagesCommands(program, io);
  registerCompareCommand(program, io);
  registerDetectCommands(program, io);
  registerExportCommand(program, io);
  registerFigureCommand(program, io);
  registerReportCommand(program, io);
  registerModelsCommands(program, io);
  registerObserveCommands(program, io);
  registerSeriesCommand(program, io);
  registerAssessCommand(program, io);
  registerAssessmentsCommands(program, io);
  registerReviewCommands(program, io);
  registerAlertsCommands(program, io);
  registerJobsCommands(program, io);
  registerWorkerCommand(program, io);
  registerDemoCommand(program, io);
  registerServeCommand(program, io);
  registerUsersCommands(program, io);
  registerDbCommands(program, io);
  registerTokensCommands(program, io);
  registerRemoteCommands(program, io);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the CLI and returns the exit status. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof BatchFailedError) return error.exitCode;
    if (error instanceof SitewatchError) {
      io.err(`sitewatch: ${error.message}`);
      return EXIT_CODES[error.code];
    }
    io.err(
      `sitewatch: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}
