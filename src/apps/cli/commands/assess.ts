/** `sitewatch assess --playbook FILE`: the probability of a hypothesis and its evidence trail. */
import type { Command } from 'commander';
import { assessFromPlaybook } from '../../../app/assess/assess-playbook.ts';
import type { Assessment, Evidence } from '../../../core/assess/assessment.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { sparkline } from '../sparkline.ts';
import { readStructuredFile } from '../structured-file.ts';
import { endOfDayIfDate } from './observe.ts';

interface AssessOptions {
  playbook: string;
  at?: string;
  json?: boolean;
}

/**
 * The `--json` contract: hypothesis, prior, probability, asOf, evidence (with sources,
 * the analyst's `review` or null, and `overridden`), trajectory.
 */
export function assessmentJson(a: Assessment) {
  return {
    hypothesis: a.hypothesis,
    title: a.title,
    prior: a.prior,
    probability: a.probability,
    asOf: a.asOf,
    priorLogOdds: a.priorLogOdds,
    logOdds: a.logOdds,
    evidence: a.evidence.map((e) => ({
      id: e.id,
      indicator: e.indicator,
      site: e.site,
      zone: e.zone,
      metric: e.metric,
      condition: e.condition,
      observed: e.observed,
      observedAt: e.observedAt,
      ageDays: e.ageDays,
      weight: e.weight,
      likelihoodRatio: e.likelihoodRatio,
      logLikelihoodRatio: e.logLikelihoodRatio,
      value: e.value,
      anomalyScore: e.anomalyScore,
      baseline: e.baseline,
      reason: e.reason,
      sources: e.sources,
      review:
        e.review === null
          ? null
          : {
              verdict: e.review.verdict,
              reason: e.review.reason,
              author: e.review.author,
              at: e.review.at,
              id: e.review.reviewId,
              target: `${e.review.targetKind} ${e.review.targetId}`,
              reading: e.review.reading,
            },
      overridden: e.overridden,
    })),
    trajectory: a.trajectory,
  };
}

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

function evidenceLines(e: Evidence): string[] {
  const sign = e.logLikelihoodRatio > 0 ? '+' : e.logLikelihoodRatio < 0 ? '−' : ' ';
  const where = e.zone === null ? e.site : `${e.site}/${e.zone}`;
  const when =
    e.observedAt === null
      ? ''
      : `  ${e.observedAt.slice(0, 10)} (${(e.ageDays ?? 0).toFixed(1)} d old, weight ${e.weight.toFixed(2)})`;
  const lr =
    e.likelihoodRatio === null
      ? 'no update'
      : `LR ${e.likelihoodRatio}, ${sign}${Math.abs(e.logLikelihoodRatio).toFixed(3)} log-odds`;
  return [
    `${e.overridden ? '!' : ' '} ${sign} ${e.indicator}: ${e.observed.toUpperCase()} — ${e.condition} at ${where}${when}; ${lr}`,
    `      ${e.reason}`,
    ...e.sources.map(
      (s) =>
        `      from ${s.observationId} (${s.kind}${s.imageId === null ? '' : `, image ${s.imageId}`}${s.runId === null ? '' : `, run ${s.runId}`}${s.comparisonId === null ? '' : `, comparison ${s.comparisonId}`}, by ${s.author})${s.note === '' ? '' : `: ${s.note}`}`,
    ),
    ...(e.review === null
      ? []
      : [
          `      ${e.overridden ? 'OVERRIDDEN: ' : ''}${e.review.targetKind} ${e.review.targetId} ${e.review.verdict === 'confirm' ? 'confirmed' : 'rejected'}${e.review.reading === null ? '' : ` as ${e.review.reading}`} by ${e.review.author} ${e.review.at.slice(0, 10)}: ${e.review.reason}`,
        ]),
    `      evidence id ${e.id}`,
  ];
}

function printAssessment(io: Io, a: Assessment): void {
  io.out(
    [
      `${a.hypothesis}${a.title === a.hypothesis ? '' : ` — ${a.title}`}`,
      `as of ${a.asOf}: probability ${percent(a.probability)} (prior ${percent(a.prior)}; log-odds ${a.priorLogOdds.toFixed(3)} → ${a.logOdds.toFixed(3)})`,
      '',
      'evidence (one per indicator; + raises, − lowers, blank: unobservable, no update; ! overridden by a review):',
      ...a.evidence.flatMap(evidenceLines),
      '',
      `probability over time  ${sparkline(a.trajectory.map((t) => ({ atMs: Date.parse(t.at), value: t.probability })))}`,
      ...a.trajectory.map(
        (t) => `  ${t.at.slice(0, 16).replace('T', ' ')}  ${percent(t.probability).padStart(6)}`,
      ),
    ].join('\n'),
  );
}

/** Where the clock of this process says we are, for `--at` left out. */
function nowIso(): string {
  return new Date().toISOString();
}

export function registerAssessCommand(program: Command, io: Io): void {
  program
    .command('assess')
    .description(
      'assess a hypothesis from a playbook: probability, evidence trail, probability over time',
    )
    .requiredOption('--playbook <file>', 'playbook, YAML or JSON')
    .option(
      '--at <date>',
      'assess as of this time (a date means the end of that day; default: now)',
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch assess --playbook examples/playbooks/space-launch-preparation.yaml --at 2019-03-08',
    )
    .action(async (options: AssessOptions, command: Command) => {
      const asOf = options.at === undefined ? nowIso() : endOfDayIfDate(options.at, '--at');
      const json = readStructuredFile(options.playbook);
      const assessment = await withSitewatch(command, (sw) =>
        assessFromPlaybook(sw.assessmentDeps, json, options.playbook, asOf),
      );
      if (options.json === true) printJson(io, assessmentJson(assessment));
      else printAssessment(io, assessment);
    });
}
