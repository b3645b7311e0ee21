/**
 * `sitewatch review confirm|reject KIND ID --reason TEXT`, `review list` and `audit list`:
 * the analyst's last word on evidence, and the log of who did what, when and why.
 */
import type { Command } from 'commander';
import {
  listAuditEntries,
  listReviews,
  recordReview,
} from '../../../app/review/review-evidence.ts';
import { parsePlaybook } from '../../../core/assess/playbook.ts';
import { parseAcquisitionTime } from '../../../core/imagery/acquisition.ts';
import type { AuditEntry } from '../../../core/review/audit.ts';
import { latestReviews } from '../../../core/review/review-index.ts';
import type { Review, ReviewVerdict } from '../../../core/review/review.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { formatTable } from '../format.ts';
import { readStructuredFile } from '../structured-file.ts';
import { defaultAuthor } from './observe.ts';

interface ReviewOptions {
  reason?: string;
  by?: string;
  reading?: string;
  playbook?: string;
  json?: boolean;
}

const clip = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text;

function printReviews(io: Io, reviews: readonly Review[]): void {
  if (reviews.length === 0) {
    io.out('no reviews');
    return;
  }
  const inForce = new Set(latestReviews(reviews).map((r) => r.id));
  io.out(
    formatTable(reviews, [
      { header: 'ID', value: (r) => r.id },
      { header: 'AT', value: (r) => r.at.slice(0, 19).replace('T', ' ') },
      { header: 'BY', value: (r) => r.author },
      {
        header: 'VERDICT',
        value: (r) => (r.reading === null ? r.verdict : `${r.verdict} ${r.reading}`),
      },
      { header: 'TARGET', value: (r) => `${r.targetKind} ${r.targetId}` },
      { header: 'IN FORCE', value: (r) => (inForce.has(r.id) ? 'yes' : 'superseded') },
      { header: 'REASON', value: (r) => clip(r.reason, 60) },
    ]),
  );
}

function printAudit(io: Io, entries: readonly AuditEntry[]): void {
  if (entries.length === 0) {
    io.out('no audit entries');
    return;
  }
  io.out(
    formatTable(entries, [
      { header: 'ID', value: (e) => String(e.id), align: 'right' },
      { header: 'AT', value: (e) => e.at.slice(0, 19).replace('T', ' ') },
      { header: 'ACTOR', value: (e) => e.actor },
      { header: 'ACTION', value: (e) => e.action },
      {
        header: 'TARGET',
        value: (e) => [e.targetKind, e.targetId].filter((x) => x !== null).join(' '),
      },
      { header: 'REASON', value: (e) => clip(e.reason ?? '', 60) },
    ]),
  );
}

function registerVerdict(review: Command, io: Io, verdict: ReviewVerdict): void {
  const past = verdict === 'confirm' ? 'confirmed' : 'rejected';
  const command = review
    .command(`${verdict} <kind> <id>`)
    .description(
      verdict === 'confirm'
        ? 'confirm a detection, observation or indicator (counts as before; an indicator may be forced present/absent)'
        : 'reject a detection, observation or indicator: assessments leave it out and show it overridden',
    )
    .requiredOption('--reason <text>', 'why (required, recorded in the audit log)')
    .option('--by <name>', 'who (default: the login name)')
    .option('--json', 'print the stored review as JSON');
  if (verdict === 'confirm') {
    command.option(
      '--reading <state>',
      'indicators only: what the indicator showed, present or absent (overrides what was read)',
    );
  }
  command
    .option('--playbook <file>', 'indicators only: check that the playbook has the indicator')
    .addHelpText(
      'after',
      `\nKinds and ids: detection det_…[#N] | observation obs_… | indicator [hypothesis/]indicator[@obs_…]\n` +
        `Examples:\n  $ sitewatch review ${verdict} observation obs_0123456789abcdef --reason "count includes parked rail cars"\n` +
        `  $ sitewatch review ${verdict} indicator space-launch-preparation/sohae-pad-reassembly --reason "NPR imagery 2019-03-08"${verdict === 'confirm' ? ' --reading present' : ''}`,
    )
    .action(async (kind: string, id: string, options: ReviewOptions, cmd: Command) => {
      const stored = await withSitewatch(cmd, async (sw) => {
        const knownIndicators =
          options.playbook === undefined
            ? undefined
            : parsePlaybook(
                readStructuredFile(options.playbook),
                options.playbook,
                await sw.sites.list(),
                sw.observeDeps.metrics,
              ).indicators.map((i) => i.id);
        return recordReview(
          sw.reviewDeps,
          {
            targetKind: kind,
            targetId: id,
            verdict,
            reason: options.reason,
            author: options.by ?? defaultAuthor(),
            reading: options.reading ?? null,
          },
          knownIndicators === undefined ? {} : { knownIndicators },
        );
      });
      if (options.json === true) printJson(io, stored);
      else
        io.out(
          `${past} ${stored.targetKind} ${stored.targetId}${stored.reading === null ? '' : ` as ${stored.reading}`} (${stored.id}, by ${stored.author}): ${stored.reason}`,
        );
    });
}

export function registerReviewCommands(program: Command, io: Io): void {
  const review = program
    .command('review')
    .description('confirm or reject evidence with a reason; assessments follow the latest review');
  registerVerdict(review, io, 'confirm');
  registerVerdict(review, io, 'reject');
  review
    .command('list')
    .description('every review in the order entered, with the one in force per target')
    .option('--target <id>', 'only reviews of this target id')
    .option('--json', 'print the reviews as JSON')
    .addHelpText('after', '\nExample:\n  $ sitewatch review list --target obs_0123456789abcdef')
    .action(async (options: { target?: string; json?: boolean }, cmd: Command) => {
      const reviews = await withSitewatch(cmd, (sw) =>
        listReviews(
          sw.reviewDeps,
          options.target === undefined ? {} : { targetId: options.target },
        ),
      );
      if (options.json === true) printJson(io, reviews);
      else printReviews(io, reviews);
    });

  program
    .command('audit')
    .description('the append-only audit log: who did what, when and why')
    .command('list')
    .description('audit entries in the order written')
    .option('--since <date>', 'at or after this time (a date means its start, UTC)')
    .option('--actor <name>', 'only entries by this actor')
    .option('--json', 'print the entries as JSON')
    .addHelpText('after', '\nExample:\n  $ sitewatch audit list --since 2026-11-01 --actor kim')
    .action(async (options: { since?: string; actor?: string; json?: boolean }, cmd: Command) => {
      const entries = await withSitewatch(cmd, (sw) =>
        listAuditEntries(sw.reviewDeps, {
          ...(options.since === undefined
            ? {}
            : { since: parseAcquisitionTime(options.since, '--since') }),
          ...(options.actor === undefined ? {} : { actor: options.actor }),
        }),
      );
      if (options.json === true) printJson(io, entries);
      else printAudit(io, entries);
    });
}
