/** `sitewatch alerts …`: rules, the alerts decided, delivery of the outbox, test, replay, feed. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  deliverDueAlerts,
  runDeliverer,
  replayAlert,
  sendTestAlert,
  type DeliveryReport,
} from '../../../app/alerts/deliver-alerts.ts';
import { writeAtomFeedFile } from '../../../adapters/alert-delivery/atom-feed-file.ts';
import { parseAlertRules, type AlertRule } from '../../../core/alerts/alert-rule.ts';
import { SitewatchError, ValidationError } from '../../../core/errors.ts';
import { parseNumberOption, printJson, withSitewatch, type Io } from '../context.ts';
import { formatTable } from '../format.ts';
import { readStructuredFile } from '../structured-file.ts';

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ValidationError(`--limit must be a positive whole number; got "${text}"`);
  }
  return value;
}

function conditionText(rule: AlertRule): string {
  const c = rule.condition;
  if (c.kind === 'anomaly') {
    const where = [c.site ?? '*', c.zone ?? '*', c.metric ?? '*'].join('/');
    return `anomaly >= ${c.minScore} on ${where}`;
  }
  const which = c.playbook ?? c.hypothesis ?? 'any playbook';
  return c.kind === 'probability-crosses'
    ? `${which} crosses ${c.threshold}`
    : `${which} rises by ${c.margin} within ${c.withinDays} d`;
}

function printReport(io: Io, report: DeliveryReport, json: boolean | undefined): void {
  if (json === true) {
    printJson(io, report);
    return;
  }
  io.out(`delivered ${report.delivered}, retrying ${report.retrying}, failed ${report.failed}`);
  for (const e of report.errors) io.err(`${e.alertId} ${e.channel}: ${e.error}`);
}

/** The alerts list: the store's alerts, or the API's (`remote alerts list`). */
export function printAlertList(
  io: Io,
  list: readonly {
    readonly alert: {
      readonly id: string;
      readonly severity: string;
      readonly ruleId: string;
      readonly factAt: string;
      readonly summary?: unknown;
    };
    readonly deliveries: readonly { readonly channel: string; readonly state: string }[];
  }[],
  json: boolean | undefined,
): void {
  if (json === true) {
    printJson(io, list);
    return;
  }
  if (list.length === 0) {
    io.out('no alerts');
    return;
  }
  io.out(
    formatTable(list, [
      { header: 'ALERT', value: (a) => a.alert.id },
      { header: 'SEVERITY', value: (a) => a.alert.severity },
      { header: 'RULE', value: (a) => a.alert.ruleId },
      { header: 'FACT TIME', value: (a) => a.alert.factAt },
      {
        header: 'DELIVERY',
        value: (a) => a.deliveries.map((d) => `${d.channel}:${d.state}`).join(' ') || '-',
      },
      {
        header: 'SUMMARY',
        value: (a) => (typeof a.alert.summary === 'string' ? a.alert.summary : ''),
      },
    ]),
  );
}

/** `list` under `parent`, with the options of an alert listing (`alerts list`, `remote alerts list`). */
export function alertListCommand(parent: Command): Command {
  return parent
    .command('list')
    .description('list alerts, newest first, with each channel’s delivery state')
    .option('--rule <id>', 'only this rule’s alerts')
    .option('--limit <n>', 'at most this many')
    .option('--json', 'print as JSON');
}

export function registerAlertsCommands(program: Command, io: Io): void {
  const alerts = program
    .command('alerts')
    .description('alert rules, alerts decided from anomalies and assessments, and their delivery');

  const rules = alerts.command('rules').description('alert rules');
  rules
    .command('add')
    .argument('<file>', 'a YAML or JSON file with one rule, a list, or { rules: [...] }')
    .description('add or replace alert rules (validated; ids are kept)')
    .option('--json', 'print the stored rules as JSON')
    .addHelpText(
      'after',
      '\nExample rule (YAML):\n  id: launch-likely\n  severity: critical\n  condition: { kind: probability-crosses, playbook: space-launch-preparation, threshold: 0.5 }\n  cooldownMinutes: 1440\n  channels:\n    - { kind: webhook, url: "https://example.org/hook", secretEnv: SITEWATCH_HOOK_SECRET }',
    )
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const parsed = parseAlertRules(readStructuredFile(file), file);
      await withSitewatch(command, (sw) => sw.alertDeps.alerts.putRules(parsed));
      if (options.json === true) printJson(io, parsed);
      else io.out(`stored ${parsed.length} alert rule(s): ${parsed.map((r) => r.id).join(', ')}`);
    });
  rules
    .command('list')
    .description('list alert rules')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await withSitewatch(command, (sw) => sw.alertDeps.alerts.listRules());
      if (options.json === true) {
        printJson(io, list);
        return;
      }
      io.out(
        formatTable(list, [
          { header: 'RULE', value: (r) => r.id },
          { header: 'SEVERITY', value: (r) => r.severity },
          { header: 'CONDITION', value: conditionText },
          { header: 'COOLDOWN', value: (r) => `${r.cooldownMinutes} min` },
          { header: 'CHANNELS', value: (r) => r.channels.map((c) => c.kind).join(',') || '-' },
        ]),
      );
    });

  alertListCommand(alerts).action(
    async (options: { rule?: string; limit?: string; json?: boolean }, command: Command) => {
      const limit = parseLimit(options.limit);
      const list = await withSitewatch(command, (sw) =>
        sw.alertDeps.alerts.listAlerts({
          ...(options.rule === undefined ? {} : { ruleId: options.rule }),
          ...(limit === undefined ? {} : { limit }),
        }),
      );
      printAlertList(io, list, options.json);
    },
  );

  alerts
    .command('deliver')
    .description(
      'deliver the due outbox rows once, or keep delivering with --watch (retries follow an exponential backoff)',
    )
    .option('--limit <n>', 'at most this many deliveries per pass (default 100)')
    .option(
      '--watch',
      'keep delivering until Ctrl-C / SIGTERM (claims not yet attempted are released)',
    )
    .option('--interval-ms <ms>', 'with --watch: pause between passes (default 10000)')
    .option('--json', 'print the report (with --watch: the totals at the end) as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch alerts deliver\n  $ sitewatch alerts deliver --watch --interval-ms 5000',
    )
    .action(
      async (
        options: { limit?: string; watch?: boolean; intervalMs?: string; json?: boolean },
        command: Command,
      ) => {
        const limit = parseLimit(options.limit) ?? 100;
        if (options.watch !== true) {
          const report = await withSitewatch(command, (sw) =>
            deliverDueAlerts(sw.alertDeps, limit),
          );
          printReport(io, report, options.json);
          return;
        }
        const intervalMs = parseNumberOption('--interval-ms', options.intervalMs) ?? 10_000;
        if (!(intervalMs > 0)) {
          throw new ValidationError(`--interval-ms must be > 0; got "${options.intervalMs}"`);
        }
        const stop = new AbortController();
        const onSignal = (): void => {
          stop.abort();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const total = await withSitewatch(command, (sw) =>
            runDeliverer(sw.alertDeps, {
              signal: stop.signal,
              intervalMs,
              limit,
              onReport: (report) => {
                if (options.json !== true) printReport(io, report, false);
              },
            }),
          );
          if (options.json === true) printJson(io, total);
          else
            io.out(
              `stopped: delivered ${total.delivered}, retrying ${total.retrying}, failed ${total.failed}`,
            );
        } finally {
          process.removeListener('SIGINT', onSignal);
          process.removeListener('SIGTERM', onSignal);
        }
      },
    );

  alerts
    .command('replay')
    .argument('<alert-id>', 'an alert id from `alerts list`')
    .description('send an alert again through every channel (same idempotency key)')
    .option('--json', 'print the report as JSON')
    .action(async (alertId: string, options: { json?: boolean }, command: Command) => {
      const report = await withSitewatch(command, (sw) => replayAlert(sw.alertDeps, alertId));
      printReport(io, report, options.json);
    });

  alerts
    .command('test')
    .argument('<rule-id>', 'a stored rule')
    .description('send a test alert through each channel of a rule now (nothing is stored)')
    .option('--json', 'print the results as JSON')
    .action(async (ruleId: string, options: { json?: boolean }, command: Command) => {
      const results = await withSitewatch(command, (sw) => sendTestAlert(sw.alertDeps, ruleId));
      if (options.json === true) printJson(io, results);
      else if (results.length === 0) io.out(`rule ${ruleId} has no channel`);
      else for (const r of results) io.out(`${r.channel}: ${r.error ?? 'sent'}`);
      const failed = results.filter((r) => r.error !== null);
      if (failed.length > 0) {
        throw new SitewatchError(
          'IO',
          `test alert for rule ${ruleId} failed on ${failed.map((r) => r.channel).join(', ')}`,
        );
      }
    });

  alerts
    .command('feed')
    .description('write the Atom feed of alerts to a file')
    .requiredOption('--out <file>', 'the feed file (written atomically)')
    .option('--limit <n>', 'the newest this many alerts (default 200)')
    .action(async (options: { out: string; limit?: string }, command: Command) => {
      const limit = parseLimit(options.limit) ?? 200;
      const list = await withSitewatch(command, async (sw) => {
        const found = await sw.alertDeps.alerts.listAlerts({ limit });
        writeAtomFeedFile(
          resolve(options.out),
          found.map((a) => a.alert),
          {
            feedId: `urn:sitewatch:alerts:${encodeURIComponent(sw.config.home)}`,
            title: 'sitewatch alerts',
            emptyUpdated: sw.alertDeps.clock.nowIso(),
          },
        );
        return found;
      });
      io.out(`wrote ${list.length} alert(s) to ${options.out}`);
    });
}
