import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AssessmentSnapshot } from '../../app/alerts/fact-stores.ts';
import { decideForAssessment } from '../../core/alerts/alert-decision.ts';
import { parseAlertRule } from '../../core/alerts/alert-rule.ts';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database.ts';
import { SqliteAlertRepository } from './sqlite-alert-repository.ts';
import { SqliteAssessmentHistory } from './sqlite-assessment-history.ts';

const rule = parseAlertRule(
  {
    id: 'likely',
    severity: 'critical',
    condition: { kind: 'probability-crosses', threshold: 0.5 },
    channels: [{ kind: 'webhook', url: 'http://127.0.0.1:9/hook', secretEnv: 'HOOK' }],
  },
  'test',
);

const snapshot = (asOf: string, probability: number): AssessmentSnapshot => ({
  playbookId: 'launch',
  hypothesis: 'launch',
  asOf,
  probability,
  prior: 0.1,
  playbookSha256: 'a'.repeat(64),
  recordedAt: '2026-01-01T00:00:00.000Z',
});

describe('SqliteAssessmentHistory', () => {
  let db: SqliteDatabase;
  let history: SqliteAssessmentHistory;
  beforeEach(async () => {
    db = openSqliteDatabase(':memory:');
    history = new SqliteAssessmentHistory(db);
    await new SqliteAlertRepository(db).putRules([rule]);
  });
  afterEach(() => {
    db.close();
  });
  const rows = (table: string) =>
    (db.handle.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const crossing = (s: AssessmentSnapshot) => (earlier: readonly AssessmentSnapshot[]) =>
    decideForAssessment([rule], {
      playbookId: s.playbookId,
      hypothesis: s.hypothesis,
      at: s.asOf,
      probability: s.probability,
      previousProbability: earlier.at(-1)?.probability ?? s.prior,
    });

  it('stores a snapshot with its alert, shows earlier ones to the decision, replaces a recomputation', async () => {
    const first = snapshot('2019-02-01T00:00:00.000Z', 0.3);
    expect((await history.recordWithAlerts(first, crossing(first), 'now')).recorded).toEqual([]);
    const second = snapshot('2019-03-01T00:00:00.000Z', 0.8);
    const seen: AssessmentSnapshot[][] = [];
    const recorded = await history.recordWithAlerts(
      second,
      (earlier) => {
        seen.push([...earlier]);
        return crossing(second)(earlier);
      },
      'now',
    );
    expect(seen).toEqual([[first]]);
    expect(recorded.recorded.map((a) => a.ruleId)).toEqual(['likely']);
    await history.recordWithAlerts({ ...second, probability: 0.81 }, () => [], 'now');
    expect((await history.listSnapshots('launch')).map((s) => s.probability)).toEqual([0.3, 0.81]);
    expect(await history.listSnapshots('other')).toEqual([]);
    expect([rows('alerts'), rows('alert_outbox')]).toEqual([1, 1]);
  });

  it('rolls the snapshot back when its alert cannot be stored', async () => {
    db.handle.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON alert_outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END",
    );
    const s = snapshot('2019-03-01T00:00:00.000Z', 0.9);
    await expect(history.recordWithAlerts(s, crossing(s), 'now')).rejects.toThrow(/outbox refused/);
    expect([rows('assessment_snapshots'), rows('alerts')]).toEqual([0, 0]);
  });

  it('watches, lists and unwatches playbooks', async () => {
    const watched = {
      playbookId: 'launch',
      label: 'launch.yaml',
      json: { hypothesis: 'launch', prior: 0.1 },
      playbookSha256: 'b'.repeat(64),
      siteIds: ['sohae'],
    };
    await history.watch(watched, 'now');
    await history.watch({ ...watched, siteIds: ['sanumdong', 'sohae'] }, 'later');
    expect(await history.listWatched()).toEqual([{ ...watched, siteIds: ['sanumdong', 'sohae'] }]);
    expect(await history.unwatch('launch')).toBe(true);
    expect(await history.unwatch('launch')).toBe(false);
    expect(await history.listWatched()).toEqual([]);
  });
});
