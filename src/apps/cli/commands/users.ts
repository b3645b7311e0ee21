/** `sitewatch users …`: local accounts for the API and the workbench. */
import type { Command } from 'commander';
import { addUser } from '../../../app/accounts/accounts.ts';
import { parseRole, ROLES } from '../../../core/auth/roles.ts';
import { ValidationError } from '../../../core/errors.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { formatTable } from '../format.ts';

/**
 * The password piped to standard input: its first line, without the line ending.
 * @throws ValidationError when standard input is a terminal or empty
 */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new ValidationError(
      '--password-stdin: pipe the password in (standard input is a terminal)',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password === '') throw new ValidationError('--password-stdin: standard input was empty');
  return password;
}

export function registerUsersCommands(program: Command, io: Io): void {
  const users = program
    .command('users')
    .description('local accounts (roles: viewer, analyst, admin)');
  users
    .command('add')
    .argument('<name>', 'login name: lowercase letters, digits, ".", "_", "-"')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--password-stdin', 'read the password from standard input (its first line)')
    .option('--json', 'print the account as JSON')
    .description('add an account')
    .addHelpText(
      'after',
      '\nExample:\n  $ printf "%s\\n" "$PASSWORD" | sitewatch users add alice --role analyst --password-stdin',
    )
    .action(
      async (
        name: string,
        options: { role: string; passwordStdin?: boolean; json?: boolean },
        command: Command,
      ) => {
        const role = parseRole(options.role);
        if (options.passwordStdin !== true) {
          throw new ValidationError(
            'give the password on standard input with --password-stdin (never on the command line)',
          );
        }
        const password = await readPasswordFromStdin();
        const user = await withSitewatch(command, (sw) =>
          addUser(sw.accountDeps, { name, role, password }),
        );
        if (options.json === true) printJson(io, user);
        else io.out(`added user ${user.name} (${user.role})`);
      },
    );
  users
    .command('list')
    .description('list accounts')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await withSitewatch(command, (sw) => sw.accountDeps.accounts.listUsers());
      if (options.json === true) {
        printJson(io, list);
        return;
      }
      io.out(
        formatTable(list, [
          { header: 'USER', value: (u) => u.name },
          { header: 'ROLE', value: (u) => u.role },
          { header: 'CREATED', value: (u) => u.createdAt },
        ]),
      );
    });
}
