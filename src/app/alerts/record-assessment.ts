/**
 * Recording assessments: the probability of a playbook's hypothesis as of a time is stored as
 * a snapshot, and the probability rules (crossing a threshold, rising by a margin) are decided
 * against the snapshots stored before it and recorded in the same transaction. Playbooks can
 * be watched: they are re-assessed whenever new observations of their sites are stored.
 */
import type { AssessmentFact } from '../../core/alerts/alert-decision.ts';
import type { Assessment } from '../../core/assess/assessment.ts';
import { parsePlaybook } from '../../core/assess/playbook.ts';
import type { Observation } from '../../core/activity/observation.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { assessFromPlaybook, type AssessDeps } from '../assess/assess-playbook.ts';
import type { AlertRepository, Clock, RecordedAlerts } from '../ports.ts';
import { decideAlerts } from './decide-alerts.ts';
import type { AssessmentHistoryStore, AssessmentSnapshot, WatchedPlaybook } from './fact-stores.ts';

export interface RecordAssessmentDeps extends AssessDeps {
  readonly history: AssessmentHistoryStore;
  readonly rules: Pick<AlertRepository, 'listRules'>;
  readonly clock: Clock;
  readonly sha256Hex: (bytes: Uint8Array) => string;
}

export interface RecordedAssessment {
  readonly assessment: Assessment;
  readonly snapshot: AssessmentSnapshot;
  readonly alerts: RecordedAlerts;
}

/** sha256 of the playbook's JSON (as parsed from its file): its version in snapshots. */
function playbookSha256(deps: Pick<RecordAssessmentDeps, 'sha256Hex'>, json: unknown): string {
  return deps.sha256Hex(new TextEncoder().encode(JSON.stringify(json)));
}

/**
 * The fact for the probability rules: the previous probability is that of the latest snapshot
 * before `snapshot.asOf`, or the prior when there is none; the earlier snapshots are the
 * history a rise is measured over.
 */
export function assessmentFactOf(
  snapshot: AssessmentSnapshot,
  earlier: readonly AssessmentSnapshot[],
): AssessmentFact {
  const before = earlier
    .filter((s) => s.asOf < snapshot.asOf)
    .sort((a, b) => (a.asOf < b.asOf ? -1 : a.asOf > b.asOf ? 1 : 0));
  return {
    playbookId: snapshot.playbookId,
    hypothesis: snapshot.hypothesis,
    at: snapshot.asOf,
    probability: snapshot.probability,
    previousProbability: before.at(-1)?.probability ?? snapshot.prior,
    history: before.map((s) => ({ at: s.asOf, probability: s.probability })),
  };
}

/**
 * Assesses the playbook as of `asOf` (assessFromPlaybook), stores the snapshot and the alerts
 * it causes in one transaction.
 * @throws ValidationError listing every problem of the playbook.
 */
export async function recordAssessment(
  deps: RecordAssessmentDeps,
  playbookJson: unknown,
  label: string,
  asOf: string,
): Promise<RecordedAssessment> {
  const assessment = await assessFromPlaybook(deps, playbookJson, label, asOf);
  const rules = await deps.rules.listRules();
  const snapshot: AssessmentSnapshot = {
    playbookId: assessment.hypothesis,
    hypothesis: assessment.hypothesis,
    asOf: assessment.asOf,
    probability: assessment.probability,
    prior: assessment.prior,
    playbookSha256: playbookSha256(deps, playbookJson),
    recordedAt: deps.clock.nowIso(),
  };
  const alerts = await deps.history.recordWithAlerts(
    snapshot,
    (earlier) => decideAlerts(rules, { assessments: [assessmentFactOf(snapshot, earlier)] }),
    snapshot.recordedAt,
  );
  return { assessment, snapshot, alerts };
}

/**
 * Registers a playbook for re-assessment after new observations of its sites (replacing one
 * with the same hypothesis).
 * @throws ValidationError listing every problem of the playbook.
 */
export async function watchPlaybook(
  deps: RecordAssessmentDeps,
  playbookJson: unknown,
  label: string,
): Promise<WatchedPlaybook> {
  const playbook = parsePlaybook(playbookJson, label, await deps.sites.list(), deps.metrics);
  const watched: WatchedPlaybook = {
    playbookId: playbook.hypothesis,
    label,
    json: playbookJson,
    playbookSha256: playbookSha256(deps, playbookJson),
    siteIds: [
      ...new Set(playbook.indicators.flatMap((i) => i.bindings.map((b) => b.siteId))),
    ].sort(),
  };
  await deps.history.watch(watched, deps.clock.nowIso());
  return watched;
}

/** @throws NotFoundError naming the playbook id when it is not watched. */
export async function unwatchPlaybook(
  deps: Pick<RecordAssessmentDeps, 'history'>,
  playbookId: string,
): Promise<void> {
  if (!(await deps.history.unwatch(playbookId))) {
    throw new NotFoundError(`playbook "${playbookId}" is not watched`);
  }
}

/** A watched playbook re-assessed after new observations, or why it could not be. */
export type Reassessment =
  | { readonly playbookId: string; readonly recorded: RecordedAssessment }
  | { readonly playbookId: string; readonly problem: string };

/**
 * Re-assesses every watched playbook bound to a site of the new observations, as of the
 * latest of those observations (fact time, so that replaying history alerts at the time it
 * happened). A playbook the catalog no longer fits is reported, not thrown: the observations
 * are stored already.
 */
export async function reassessWatched(
  deps: RecordAssessmentDeps,
  inserted: readonly Observation[],
): Promise<Reassessment[]> {
  if (inserted.length === 0) return [];
  const out: Reassessment[] = [];
  for (const watched of await deps.history.listWatched()) {
    const sites = new Set(watched.siteIds);
    const latest = inserted
      .filter((o) => sites.has(o.siteId))
      .reduce<string | null>(
        (max, o) => (max === null || o.observedAt > max ? o.observedAt : max),
        null,
      );
    if (latest === null) continue;
    try {
      const recorded = await recordAssessment(deps, watched.json, watched.label, latest);
      out.push({ playbookId: watched.playbookId, recorded });
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof NotFoundError)) throw error;
      out.push({ playbookId: watched.playbookId, problem: error.message });
    }
  }
  return out;
}
