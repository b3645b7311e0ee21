/**
 * `assess --playbook FILE [--at DATE]`: checks the playbook against the catalog and the
 * metrics, reads the observations of the sites it names up to the assessment time, and
 * fuses the evidence as the analysts' reviews in force have it (all of them, whenever made:
 * the analyst has the last word also on the past).
 */
import type { MetricRegistry } from '../../core/activity/metrics.ts';
import { assessPlaybook, type Assessment } from '../../core/assess/assessment.ts';
import { parsePlaybook } from '../../core/assess/playbook.ts';
import { NO_REVIEWS } from '../../core/review/review-index.ts';
import type { ObservationRepository, SiteRepository } from '../ports.ts';
import { reviewsInForce } from '../review/review-evidence.ts';
import type { ReviewRepository } from '../review/review-ports.ts';

export interface AssessDeps {
  readonly observations: ObservationRepository;
  readonly sites: SiteRepository;
  readonly metrics: MetricRegistry;
  /** Analysts' reviews; without it, evidence is fused as read. */
  readonly reviews?: ReviewRepository;
}

/**
 * @param playbookJson the playbook as parsed from its YAML or JSON file.
 * @param label the file, named in messages.
 * @param asOf ISO 8601 UTC; observations after it are not used.
 * @throws ValidationError listing every problem of the playbook.
 */
export async function assessFromPlaybook(
  deps: AssessDeps,
  playbookJson: unknown,
  label: string,
  asOf: string,
): Promise<Assessment> {
  const playbook = parsePlaybook(playbookJson, label, await deps.sites.list(), deps.metrics);
  const siteIds = [
    ...new Set(playbook.indicators.flatMap((i) => i.bindings.map((b) => b.siteId))),
  ].sort();
  const observations = await deps.observations.list({ siteIds, until: asOf });
  const reviews = deps.reviews === undefined ? NO_REVIEWS : await reviewsInForce(deps.reviews);
  return assessPlaybook(playbook, observations, asOf, deps.metrics, reviews);
}
