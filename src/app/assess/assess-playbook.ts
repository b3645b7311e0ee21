/**
 * `assess --playbook FILE [--at DATE]`: checks the playbook against the catalog and the
 * metrics, reads the observations of the sites it names up to the assessment time, and
 * fuses the evidence.
 */
import type { MetricRegistry } from '../../core/activity/metrics.ts';
import { assessPlaybook, type Assessment } from '../../core/assess/assessment.ts';
import { parsePlaybook } from '../../core/assess/playbook.ts';
import type { ObservationRepository, SiteRepository } from '../ports.ts';

export interface AssessDeps {
  readonly observations: ObservationRepository;
  readonly sites: SiteRepository;
  readonly metrics: MetricRegistry;
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
  return assessPlaybook(playbook, observations, asOf, deps.metrics);
}
