/** Text lines for the alerts and re-assessments a command that stores facts caused. */
import type { Reassessment } from '../../app/alerts/record-assessment.ts';
import type { Alert } from '../../core/alerts/alert.ts';

export const percent = (p: number): string => `${(p * 100).toFixed(1)}%`;

/** One line per alert, for the text output of the commands that record facts. */
export function alertLines(alerts: readonly Alert[]): string[] {
  return alerts.map((a) => `alert ${a.id} (${a.severity}, rule ${a.ruleId}): ${a.summary}`);
}

/** Text lines for the watched playbooks re-assessed after new observations. */
export function reassessmentLines(list: readonly Reassessment[]): string[] {
  return list.flatMap((r) =>
    'problem' in r
      ? [`could not re-assess ${r.playbookId}: ${r.problem}`]
      : [
          `re-assessed ${r.playbookId} as of ${r.recorded.snapshot.asOf}: ${percent(r.recorded.snapshot.probability)}`,
          ...alertLines(r.recorded.alerts.recorded),
        ],
  );
}
