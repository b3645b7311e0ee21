/** `sitewatch db …`: PostgreSQL schema migrations and moving an embedded home there. */
import type { Command } from 'commander';
import { ValidationError } from '../../../core/errors.ts';
import { applyPgMigrations } from '../../../adapters/postgres/migrations.ts';
import { isPostgresUrl, openPostgresDatabase } from '../../../adapters/postgres/pg-database.ts';
import { copySqliteToPostgres } from '../../../adapters/postgres/sqlite-to-postgres.ts';
import { loadConfig } from '../../config.ts';
import { printJson, type Io } from '../context.ts';
import { formatTable } from '../format.ts';

/** The database URL from --url, else SITEWATCH_DATABASE_URL. */
function databaseUrl(given: string | undefined): string {
  const url = given ?? loadConfig(process.env).databaseUrl;
  if (url === undefined) {
    throw new ValidationError('no database: give --url postgres://… or set SITEWATCH_DATABASE_URL');
  }
  if (!isPostgresUrl(url)) {
    throw new ValidationError(`--url '${url}': expected postgres://user@host:port/database`);
  }
  return url;
}

/** `sqlite:PATH` → PATH. */
function sqlitePath(from: string): string {
  const match = /^sqlite:(.+)$/.exec(from);
  if (match?.[1] === undefined) {
    throw new ValidationError(
      `--from '${from}': expected sqlite:PATH (e.g. sqlite:.sitewatch/sitewatch.db)`,
    );
  }
  return match[1];
}

export function registerDbCommands(program: Command, io: Io): void {
  const db = program.command('db').description('the PostgreSQL + PostGIS store');
  db.command('migrate')
    .description('apply pending schema migrations (also done on every start)')
    .option('--url <url>', 'postgres://… (default: SITEWATCH_DATABASE_URL)')
    .option('--json', 'print the outcome as JSON')
    .action(async (options: { url?: string; json?: boolean }) => {
      const database = await openPostgresDatabase(databaseUrl(options.url));
      try {
        const outcome = await applyPgMigrations(database.pool, {
          displayUrl: database.displayUrl,
        });
        if (options.json === true) printJson(io, outcome);
        else {
          io.out(
            outcome.applied.length === 0
              ? `${database.displayUrl}: up to date (${outcome.versions.length} migrations)`
              : `${database.displayUrl}: applied ${outcome.applied.join(', ')}`,
          );
        }
      } finally {
        await database.close();
      }
    });
  db.command('copy')
    .description('copy an embedded SQLite home into an empty PostgreSQL database, all or nothing')
    .requiredOption('--from <sqlite:PATH>', 'the source, e.g. sqlite:.sitewatch/sitewatch.db')
    .requiredOption('--to <url>', 'the empty target, postgres://…')
    .option('--json', 'print rows and content hashes per table as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch db copy --from sqlite:.sitewatch/sitewatch.db --to postgres://sitewatch@db/sitewatch',
    )
    .action(async (options: { from: string; to: string; json?: boolean }) => {
      const path = sqlitePath(options.from);
      const database = await openPostgresDatabase(databaseUrl(options.to));
      try {
        await applyPgMigrations(database.pool, { displayUrl: database.displayUrl });
        const reports = await copySqliteToPostgres(path, database, {
          onProgress: (table, copied, total) => {
            if (io.isTty) io.err(`${table}: ${copied}/${total}`);
          },
        });
        if (options.json === true) {
          printJson(io, reports);
          return;
        }
        io.out(
          formatTable(reports, [
            { header: 'TABLE', value: (r) => r.table },
            { header: 'ROWS', value: (r) => String(r.rows) },
            { header: 'SHA256', value: (r) => r.sha256 },
          ]),
        );
        io.out(`copied ${path} to ${database.displayUrl}; counts and hashes match`);
      } finally {
        await database.close();
      }
    });
}
