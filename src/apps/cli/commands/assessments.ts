/**
 * `sitewatch assessments …`: recorded assessments (snapshots of a playbook's probability, with
 * the probability alert rules decided in the same transaction) and watched playbooks, which
 * are re-assessed whenever `observe add|import` stores observations of their sites.
 */
import type { Command } from 'commander';
import {
  recordAssessment,
  unwatchPlaybook,
  watchPlaybook,
} from '../../../app/alerts/record-assessment.ts';
import { alertLines, percent } from '../alert-lines.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { formatTable } from '../format.ts';
import { readStructuredFile } from '../structured-file.ts';
import { endOfDayIfDate } from './observe.ts';

export function registerAssessmentsCommands(program: Command, io: Io): void {
  const assessments = program
    .command('assessments')
    .description('recorded assessments (probability over time, with alerts) and watched playbooks');

  assessments
    .command('record')
    .description('assess a playbook and store the probability; probability alert rules fire here')
    .requiredOption('--playbook <file>', 'playbook, YAML or JSON')
    .option('--at <date>', 'as of this time (a date means the end of that day; default: now)')
    .option('--json', 'print the snapshot and its alerts as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch assessments record --playbook examples/playbooks/space-launch-preparation.yaml --at 2019-03-08',
    )
    .action(
      async (options: { playbook: string; at?: string; json?: boolean }, command: Command) => {
        const json = readStructuredFile(options.playbook);
        const recorded = await withSitewatch(command, (sw) =>
          recordAssessment(
            sw.assessmentDeps,
            json,
            options.playbook,
            options.at === undefined
              ? sw.assessmentDeps.clock.nowIso()
              : endOfDayIfDate(options.at, '--at'),
          ),
        );
        if (options.json === true) {
          printJson(io, { snapshot: recorded.snapshot, alerts: recorded.alerts });
          return;
        }
        const s = recorded.snapshot;
        io.out(
          [
            `recorded ${s.playbookId} as of ${s.asOf}: ${percent(s.probability)} (prior ${percent(s.prior)})`,
            ...alertLines(recorded.alerts.recorded),
          ].join('\n'),
        );
      },
    );

  assessments
    .command('list')
    .description('recorded assessments, oldest first')
    .option('--playbook <id>', 'only this playbook (its hypothesis)')
    .option('--json', 'print as JSON')
    .action(async (options: { playbook?: string; json?: boolean }, command: Command) => {
      const list = await withSitewatch(command, (sw) =>
        sw.assessmentDeps.history.listSnapshots(options.playbook),
      );
      if (options.json === true) {
        printJson(io, list);
        return;
      }
      if (list.length === 0) {
        io.out('no recorded assessments');
        return;
      }
      io.out(
        formatTable(list, [
          { header: 'PLAYBOOK', value: (s) => s.playbookId },
          { header: 'AS OF', value: (s) => s.asOf },
          { header: 'PROBABILITY', value: (s) => percent(s.probability), align: 'right' },
          { header: 'VERSION', value: (s) => s.playbookSha256.slice(0, 12) },
          { header: 'RECORDED', value: (s) => s.recordedAt },
        ]),
      );
    });

  assessments
    .command('watch')
    .argument('<file>', 'playbook, YAML or JSON (stored in the home)')
    .description(
      're-assess this playbook (and decide its alerts) after every new observation of its sites',
    )
    .action(async (file: string, _options: unknown, command: Command) => {
      const json = readStructuredFile(file);
      const watched = await withSitewatch(command, (sw) =>
        watchPlaybook(sw.assessmentDeps, json, file),
      );
      io.out(`watching ${watched.playbookId} (sites ${watched.siteIds.join(', ')})`);
    });

  assessments
    .command('unwatch')
    .argument('<playbook-id>', 'the hypothesis of a watched playbook')
    .description('stop re-assessing a playbook after new observations')
    .action(async (playbookId: string, _options: unknown, command: Command) => {
      await withSitewatch(command, (sw) => unwatchPlaybook(sw.assessmentDeps, playbookId));
      io.out(`no longer watching ${playbookId}`);
    });

  assessments
    .command('watched')
    .description('list the watched playbooks')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await withSitewatch(command, (sw) => sw.assessmentDeps.history.listWatched());
      if (options.json === true) {
        printJson(
          io,
          list.map((w) => ({ playbookId: w.playbookId, label: w.label, siteIds: w.siteIds })),
        );
        return;
      }
      if (list.length === 0) {
        io.out('no watched playbooks');
        return;
      }
      io.out(
        formatTable(list, [
          { header: 'PLAYBOOK', value: (w) => w.playbookId },
          { header: 'FROM', value: (w) => w.label },
          { header: 'SITES', value: (w) => w.siteIds.join(',') },
        ]),
      );
    });
}
