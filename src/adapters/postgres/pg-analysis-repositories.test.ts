/**
 * The analysis-port contract suites (jobs, comparisons, detections, …) against PostgreSQL.
 * One database per file (creating one with PostGIS takes seconds); each test starts from
 * emptied tables with their identities restarted. Skips with the reason when no PostgreSQL server answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAccountRepositoryContract } from '../../app/contracts/account-repository.contract.ts';
import { describeAlertStoresContract } from '../../app/contracts/alert-stores.contract.ts';
import { describeAnnotationRepositoryContract } from '../../app/contracts/annotation-repository.contract.ts';
import { describeComparisonRepositoryContract } from '../../app/contracts/comparison-repository.contract.ts';
import { describeJobStoreContract } from '../../app/contracts/job-store.contract.ts';
import { describeReviewRepositoryContract } from '../../app/contracts/review-repository.contract.ts';
import { describeDetectionRepositoryContract } from '../../app/detect/detection-repository.contract.ts';
import { makeObservation } from '../../app/contracts/observation-repository.contract.ts';
import { decideForAnomaly } from '../../core/alerts/alert-decision.ts';
import { parseAlertRule } from '../../core/alerts/alert-rule.ts';
import { UnsupportedError } from '../../core/errors.ts';
import { observationsAuditEntry } from '../../core/review/audit.ts';
import { PgAccountRepository } from './pg-account-repository.ts';
import { PgObservationAlertStore } from './pg-alert-observation-store.ts';
import { PgAlertRepository, type PgAlertTransaction } from './pg-alert-repository.ts';
import { PgAnnotationRepository } from './pg-annotation-repository.ts';
import { PgAssessmentHistory } from './pg-assessment-history.ts';
import { PgAuditLog } from './pg-audit-log.ts';
import { PgComparisonRepository } from './pg-comparison-repository.ts';
import { openPostgresDatabase, type PostgresDatabase } from './pg-database.ts';
import { PgDetectionRepository } from './pg-detection-repository.ts';
import { PgJobStore } from './pg-job-store.ts';
import { PgObservationRepository } from './pg-observation-repository.ts';
import { PgReviewRepository } from './pg-review-repository.ts';
import {
  createTestDatabase,
  postgresUnavailableReason,
  type TestDatabase,
} from './pg-test-database.ts';

const unavailable = await postgresUnavailableReason();

/** The tables of migrations 100–104, emptied before each test. */
const ANALYSIS_TABLES = [
  'comparisons',
  'detections',
  'detection_runs',
  'jobs',
  'annotations',
  'reviews',
  'audit_log',
  'alert_outbox',
  'alerts',
  'alert_rules',
  'assessment_snapshots',
  'watched_playbooks',
  'login_attempts',
  'sessions',
  'api_tokens',
  'users',
  'observations',
  'facts',
];

let shared: TestDatabase | undefined;

/** The file's database, emptied: append-only triggers are bypassed for this reset only. */
async function emptyDatabase(): Promise<TestDatabase> {
  if (shared === undefined) {
    shared = await createTestDatabase();
    // The alert contract's own fact table.
    await shared.db.query('CREATE TABLE facts (id TEXT PRIMARY KEY)');
  }
  await shared.db.withTransaction(async (client) => {
    await client.query('DROP TRIGGER IF EXISTS refuse_outbox ON alert_outbox');
    await client.query("SET LOCAL session_replication_role = 'replica'");
    // DELETE is far quicker than TRUNCATE on tiny tables; identities restart like a fresh store.
    for (const table of ANALYSIS_TABLES) await client.query(`DELETE FROM ${table}`);
    const { rows } = await client.query<{ sequence: string }>(
      `SELECT pg_get_serial_sequence(table_name, column_name) AS sequence
       FROM information_schema.columns
       WHERE is_identity = 'YES' AND table_schema = 'public' AND table_name = ANY($1::text[])`,
      [ANALYSIS_TABLES],
    );
    for (const row of rows) await client.query(`ALTER SEQUENCE ${row.sequence} RESTART`);
  });
  return shared;
}

const noClose = (): Promise<void> => Promise.resolve();

const T_FAULT = '2026-01-01T00:00:00.000Z';
const SURGE_RULE = parseAlertRule(
  {
    id: 'surge',
    severity: 'warning',
    condition: { kind: 'anomaly', metric: 'vehicles', minScore: 3 },
    channels: [
      { kind: 'webhook', url: 'http://127.0.0.1:9/hook', secretEnv: 'HOOK_SECRET' },
      { kind: 'webhook', url: 'http://127.0.0.1:9/other', secretEnv: 'HOOK_SECRET' },
    ],
  },
  'fault-test',
);

if (unavailable !== undefined) {
  describe('PostgreSQL analysis repositories', () => {
    it.skip(`skipped: ${unavailable}`, () => undefined);
  });
} else {
  afterAll(async () => {
    await shared?.drop();
  });

  describeJobStoreContract('PostgreSQL', async (nowIso) => {
    const test = await emptyDatabase();
    const opened: PostgresDatabase[] = [];
    return {
      store: new PgJobStore(test.db, { nowIso }),
      openAnother: async () => {
        const other = await openPostgresDatabase(test.url, { maxConnections: 2 });
        opened.push(other);
        return { store: new PgJobStore(other), close: () => other.close() };
      },
      close: async () => {
        for (const other of opened) await other.close();
      },
    };
  });

  describeComparisonRepositoryContract('PostgreSQL', async () => ({
    comparisons: new PgComparisonRepository((await emptyDatabase()).db),
    close: noClose,
  }));

  describeDetectionRepositoryContract('PostgreSQL', async () => ({
    detections: new PgDetectionRepository((await emptyDatabase()).db),
    close: noClose,
  }));

  describeAnnotationRepositoryContract('PostgreSQL', async () => {
    const { db } = await emptyDatabase();
    return {
      annotations: new PgAnnotationRepository(db),
      audit: new PgAuditLog(db),
      close: noClose,
    };
  });

  describeAccountRepositoryContract('PostgreSQL', async () => {
    const { db } = await emptyDatabase();
    return { accounts: new PgAccountRepository(db), audit: new PgAuditLog(db), close: noClose };
  });

  describeReviewRepositoryContract('PostgreSQL', async () => {
    const { db } = await emptyDatabase();
    return {
      reviews: new PgReviewRepository(db),
      audit: new PgAuditLog(db),
      exec: async (sql: string) => {
        await db.query(sql);
      },
      close: noClose,
    };
  });

  describeAlertStoresContract<PgAlertTransaction>('PostgreSQL', async () => {
    const { db } = await emptyDatabase();
    return {
      alerts: new PgAlertRepository(db, { nowIso: () => '2026-01-01T00:00:00.000Z' }),
      history: new PgAssessmentHistory(db),
      observationAlerts: new PgObservationAlertStore(db),
      observations: new PgObservationRepository(db),
      audit: new PgAuditLog(db),
      insertFact: async (tx, id) =>
        (await tx.client.query('INSERT INTO facts (id) VALUES ($1)', [id])).rowCount ?? 0,
      count: async (table) =>
        Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n),
      refuseOutbox: async () => {
        await db.query(
          `CREATE TRIGGER refuse_outbox BEFORE INSERT ON alert_outbox FOR EACH ROW
           EXECUTE FUNCTION sitewatch_refuse_change('outbox refused')`,
        );
      },
      close: noClose,
    };
  });

  describe('PostgreSQL analysis repositories beyond the contracts', () => {
    let test: TestDatabase;
    beforeAll(async () => {
      test = await emptyDatabase();
    });

    it('refuses comparison and run documents written by a newer sitewatch', async () => {
      await test.db.query(
        "INSERT INTO comparisons (id, image_a, image_b, created_at, doc, schema_version) VALUES ('cmp_x', 'a', 'b', 't', '{\"schemaVersion\":99}', 99)",
      );
      await test.db.query(
        "INSERT INTO detection_runs (id, image_id, model_id, model_version, created_at, detection_count, doc, schema_version) VALUES ('det_x', 'img', 'm', '1', 't', 0, '{\"schemaVersion\":99}', 99)",
      );
      await expect(new PgComparisonRepository(test.db).get('cmp_x')).rejects.toBeInstanceOf(
        UnsupportedError,
      );
      await expect(new PgDetectionRepository(test.db).getRun('det_x')).rejects.toBeInstanceOf(
        UnsupportedError,
      );
    });

    it('leaves nothing half-written when the connection dies inside an alert transaction', async () => {
      const admin = test.db;
      await new PgAlertRepository(admin).putRules([SURGE_RULE]);
      const victim = await openPostgresDatabase(test.url, {
        maxConnections: 2,
        applicationName: 'sitewatch-fault',
      });
      try {
        const store = new PgObservationAlertStore(victim);
        // 300 observations of 300 sites, each a surge: 300 alerts with 600 outbox rows.
        const batch = Array.from({ length: 300 }, (_, i) =>
          makeObservation(i, { siteId: `site-${i}`, value: 40 }),
        );
        let killing: Promise<unknown> | undefined;
        const write = store.insertWithAlerts(
          batch,
          (inserted) => {
            // Observations and audit are written; the alerts are about to be. Kill the
            // backend from another connection while they are.
            killing = admin.query(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
               WHERE application_name = 'sitewatch-fault' AND pid <> pg_backend_pid()`,
            );
            return inserted.flatMap((o) =>
              decideForAnomaly([SURGE_RULE], {
                seriesKey: { siteId: o.siteId, zoneId: o.zoneId, metric: o.metric },
                observationId: o.id,
                at: o.observedAt,
                anomalyScore: 5,
              }),
            );
          },
          '2026-01-01T00:00:00.000Z',
          (ids) => observationsAuditEntry('observation.import', 'kim', T_FAULT, ids, null),
        );
        await expect(write).rejects.toThrow(/PostgreSQL|terminat|connection/i);
        const killed = (await killing) as { rows: { pg_terminate_backend: boolean }[] };
        expect(killed.rows.some((row) => row.pg_terminate_backend)).toBe(true);
        const count = async (table: string) =>
          Number(
            (await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n,
          );
        expect({
          observations: await count('observations'),
          alerts: await count('alerts'),
          outbox: await count('alert_outbox'),
          audit: await count('audit_log'),
        }).toEqual({ observations: 0, alerts: 0, outbox: 0, audit: 0 });
        // The pool dropped the broken connection: the same write now goes through whole.
        const retried = await store.insertWithAlerts(
          batch.slice(0, 5),
          () => [],
          '2026-01-01T00:00:00.000Z',
        );
        expect(retried.inserted).toHaveLength(5);
      } finally {
        await victim.close();
      }
    });

    it('hands 60 queued jobs to 4 racing runners on separate pools exactly once', async () => {
      const T0 = '2026-01-01T00:00:00.000Z';
      const T1 = '2026-01-01T00:01:00.000Z';
      const store = new PgJobStore(test.db, { nowIso: () => T0 });
      for (let i = 0; i < 60; i += 1)
        await store.enqueue('compare', { imageA: 'a', imageB: `${i}` });
      const pools = await Promise.all(
        [0, 1, 2, 3].map(() => openPostgresDatabase(test.url, { maxConnections: 3 })),
      );
      try {
        const claimed = await Promise.all(
          pools.map(async (pool, worker) => {
            const runner = new PgJobStore(pool);
            const mine: string[] = [];
            for (;;) {
              const batch = await Promise.all(
                [0, 1, 2].map(() => runner.claim(`w${worker}`, ['compare'], T0, T1)),
              );
              const got = batch.filter((job) => job !== undefined).map((job) => job.id);
              if (got.length === 0) return mine;
              mine.push(...got);
            }
          }),
        );
        const all = claimed.flat();
        expect(all).toHaveLength(60);
        expect(new Set(all).size).toBe(60);
      } finally {
        for (const pool of pools) await pool.close();
      }
    });
  });
}
