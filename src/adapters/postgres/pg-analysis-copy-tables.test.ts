/**
 * `db copy` of the analysis tables: a SQLite home with rows in every one of them is copied
 * into a fresh PostgreSQL database, and every repository reads back on PostgreSQL what it
 * reads on SQLite; new rows then continue the copied numbering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeComparison } from '../../app/contracts/comparison-repository.contract.ts';
import { makeReview } from '../../app/contracts/review-repository.contract.ts';
import { makeObservation } from '../../app/contracts/observation-repository.contract.ts';
import { makeDetectionRun } from '../../app/detect/detection-fixtures.ts';
import { annotationAuditEntry } from '../../core/annotations/annotation.ts';
import { decideForAnomaly } from '../../core/alerts/alert-decision.ts';
import { parseAlertRule } from '../../core/alerts/alert-rule.ts';
import { reviewAuditEntry } from '../../core/review/audit.ts';
import { SqliteAccountRepository } from '../sqlite/sqlite-account-repository.ts';
import { SqliteAlertRepository } from '../sqlite/sqlite-alert-repository.ts';
import { SqliteAnnotationRepository } from '../sqlite/sqlite-annotation-repository.ts';
import { SqliteAssessmentHistory } from '../sqlite/sqlite-assessment-history.ts';
import { SqliteAuditLog } from '../sqlite/sqlite-audit-log.ts';
import { SqliteComparisonRepository } from '../sqlite/sqlite-comparison-repository.ts';
import { openSqliteDatabase } from '../sqlite/sqlite-database.ts';
import { SqliteDetectionRepository } from '../sqlite/sqlite-detection-repository.ts';
import { SqliteJobStore } from '../sqlite/sqlite-job-store.ts';
import { SqliteObservationRepository } from '../sqlite/sqlite-observation-repository.ts';
import { SqliteReviewRepository } from '../sqlite/sqlite-review-repository.ts';
import { ANALYSIS_COPY_TABLES } from './pg-analysis-copy-tables.ts';
import { postgresStoreOver } from './postgres-store.ts';
import { CATALOG_COPY_TABLES, copySqliteToPostgres } from './sqlite-to-postgres.ts';
import { createTestDatabase, postgresUnavailableReason } from './pg-test-database.ts';

const unavailable = await postgresUnavailableReason();
const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';

const rule = parseAlertRule(
  {
    id: 'surge',
    severity: 'warning',
    condition: { kind: 'anomaly', metric: 'vehicles', minScore: 2 },
    channels: [{ kind: 'webhook', url: 'http://127.0.0.1:9/hook', secretEnv: 'HOOK' }],
  },
  'copy-test',
);

/** A SQLite home with rows in every analysis table; its repositories. */
async function fillSqliteHome(path: string) {
  const db = openSqliteDatabase(path);
  const repos = {
    comparisons: new SqliteComparisonRepository(db),
    detections: new SqliteDetectionRepository(db),
    reviews: new SqliteReviewRepository(db),
    audit: new SqliteAuditLog(db),
    annotations: new SqliteAnnotationRepository(db),
    accounts: new SqliteAccountRepository(db),
    jobs: new SqliteJobStore(db, { nowIso: () => T0 }),
    alerts: new SqliteAlertRepository(db, { nowIso: () => T0 }),
    history: new SqliteAssessmentHistory(db),
    observations: new SqliteObservationRepository(db),
  };
  await repos.comparisons.insert(makeComparison('cmp_1', 'img_a', 'img_b', T0));
  const run = makeDetectionRun(1, 'img_a', 3, T0);
  await repos.detections.insert(run.run, run.detections);
  await repos.reviews.append(makeReview(1), reviewAuditEntry);
  await repos.annotations.create(
    {
      imageId: 'img_a',
      siteId: 'sohae',
      geometry: { type: 'Point', coordinates: [124.7, 39.66] },
      properties: { kind: 'text', text: 'pad' },
      author: 'ana',
      createdAt: T0,
    },
    (stored) => annotationAuditEntry('annotation.create', 'ana', stored),
  );
  const audit = {
    at: T0,
    actor: 'sitewatch',
    action: 'user.add',
    targetKind: 'user',
    targetId: 'alice',
    reason: null,
    details: {},
  } as const;
  await repos.accounts.insertUser(
    { name: 'alice', role: 'admin', createdAt: T0, passwordHash: 'scrypt$x' },
    audit,
  );
  await repos.accounts.insertToken(
    { id: 'tok1', tokenSha256: 'a'.repeat(64), userName: 'alice', label: 'ci', createdAt: T0 },
    { ...audit, action: 'token.create', targetId: 'tok1' },
  );
  await repos.accounts.insertSession({
    sessionSha256: 'b'.repeat(64),
    userName: 'alice',
    createdAt: T0,
    expiresAt: T1,
  });
  await repos.accounts.recordLoginAttempt({
    userName: 'alice',
    address: '::1',
    atIso: T1,
    succeeded: false,
  });
  const done = await repos.jobs.enqueue('assess', { playbook: { id: 'p' }, asOf: T0 });
  await repos.jobs.claim('w1', ['assess'], T0, T1);
  await repos.jobs.finish(done.id, 'w1', { state: 'completed', result: { p: NaN } }, T0);
  const running = await repos.jobs.enqueue('compare', { imageA: 'a', imageB: 'b' });
  await repos.jobs.claim('w1', ['compare'], T0, T1);
  await repos.jobs.cancel(running.id);
  await repos.alerts.putRules([rule]);
  await repos.alerts.withTransaction((tx) =>
    tx.recordAlerts(
      decideForAnomaly([rule], {
        seriesKey: { siteId: 'site-1', zoneId: 'parking', metric: 'vehicles' },
        observationId: 'obs_1',
        at: T0,
        anomalyScore: 5,
      }),
      T0,
    ),
  );
  await repos.history.recordWithAlerts(
    {
      playbookId: 'launch',
      hypothesis: 'launch',
      asOf: T0,
      probability: 0.3,
      prior: 0.1,
      playbookSha256: 'c'.repeat(64),
      recordedAt: T0,
    },
    () => [],
    T0,
  );
  await repos.history.watch(
    {
      playbookId: 'launch',
      label: 'launch.yaml',
      json: { hypothesis: 'launch' },
      playbookSha256: 'c'.repeat(64),
      siteIds: ['sohae'],
    },
    T0,
  );
  await repos.observations.insertMany([makeObservation(1)]);
  return { db, repos, runId: run.run.id, jobIds: [done.id, running.id] };
}

if (unavailable !== undefined) {
  describe('db copy of the analysis tables', () => {
    it.skip(`skipped: ${unavailable}`, () => undefined);
  });
} else {
  describe('db copy of the analysis tables', () => {
    it('copies every analysis table so each repository reads the same on PostgreSQL', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sitewatch-copy-analysis-'));
      const test = await createTestDatabase();
      try {
        const home = await fillSqliteHome(join(dir, 'sitewatch.db'));
        const reports = await copySqliteToPostgres(join(dir, 'sitewatch.db'), test.db, {
          tables: [...CATALOG_COPY_TABLES, ...ANALYSIS_COPY_TABLES],
        });
        expect(
          Object.fromEntries(
            reports.filter((r) => r.rows > 0).map((r) => [r.table, r.rows] as const),
          ),
        ).toMatchObject({ audit_log: 4, detections: 3, jobs: 2, alert_outbox: 1 });
        const pg = postgresStoreOver(test.db);
        const sq = home.repos;
        const both = async <T>(read: (s: typeof sq | typeof pg) => Promise<T>) => {
          expect(await read(pg)).toEqual(await read(sq));
        };
        await both((s) => s.comparisons.get('cmp_1'));
        await both((s) => s.detections.listDetections(home.runId));
        await both((s) => s.detections.getRun(home.runId));
        await both((s) => s.reviews.list());
        await both((s) => s.audit.list());
        await both((s) => s.annotations.list({}));
        await both((s) => s.accounts.listUsers());
        await both((s) => s.accounts.listTokens('alice'));
        await both((s) => s.accounts.findSession('b'.repeat(64)));
        await both((s) => s.accounts.loginFailuresSince('alice', '::1', T0));
        await both((s) => s.jobs.list());
        await both((s) => s.alerts.listAlerts());
        await both((s) => s.history.listSnapshots());
        await both((s) => s.history.listWatched());
        await both((s) => s.observations.list());
        // Identities continue after the copied rows.
        expect((await pg.reviews.append(makeReview(2), reviewAuditEntry)).id).toBe('rev_2');
        expect((await pg.audit.list()).map((e) => e.id)).toEqual([1, 2, 3, 4, 5]);
        const later = await pg.jobs.enqueue('assess', { playbook: { id: 'q' }, asOf: T0 });
        expect((await pg.jobs.list()).jobs.map((j) => j.id)).toEqual([
          later.id,
          ...home.jobIds.reverse(),
        ]);
        home.db.close();
      } finally {
        await test.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
