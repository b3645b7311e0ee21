/** `sitewatch tokens …`: API tokens for scripts (`Authorization: Bearer …`). */
import type { Command } from 'commander';
import { createApiToken } from '../../../app/accounts/accounts.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { formatTable } from '../format.ts';

export function registerTokensCommands(program: Command, io: Io): void {
  const tokens = program.command('tokens').description('API tokens (stored hashed; shown once)');
  tokens
    .command('create')
    .requiredOption('--user <name>', 'the account the token acts as')
    .option('--label <text>', 'what the token is for')
    .option('--json', 'print as JSON (the token is in "token")')
    .description('create an API token; the token alone is the last line printed')
    .addHelpText(
      'after',
      '\nExample:\n  $ TOKEN=$(sitewatch tokens create --user alice --label nightly | tail -n 1)\n  $ curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/sites',
    )
    .action(async (options: { user: string; label?: string; json?: boolean }, command: Command) => {
      const created = await withSitewatch(command, (sw) =>
        createApiToken(sw.accountDeps, { userName: options.user, label: options.label }),
      );
      if (options.json === true) {
        printJson(io, created);
        return;
      }
      io.out(`token ${created.id} for ${created.userName} (shown once; store it now):`);
      io.out(created.token);
    });
  tokens
    .command('list')
    .requiredOption('--user <name>', 'whose tokens')
    .option('--json', 'print as JSON')
    .description('list a user’s tokens (ids and labels; never the tokens)')
    .action(async (options: { user: string; json?: boolean }, command: Command) => {
      const list = await withSitewatch(command, (sw) =>
        sw.accountDeps.accounts.listTokens(options.user),
      );
      const rows = list.map(({ id, userName, label, createdAt }) => ({
        id,
        userName,
        label,
        createdAt,
      }));
      if (options.json === true) {
        printJson(io, rows);
        return;
      }
      io.out(
        formatTable(rows, [
          { header: 'TOKEN', value: (t) => t.id },
          { header: 'LABEL', value: (t) => t.label },
          { header: 'CREATED', value: (t) => t.createdAt },
        ]),
      );
    });
}
