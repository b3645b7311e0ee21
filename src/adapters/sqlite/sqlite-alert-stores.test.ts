import { describeAlertStoresContract } from '../../app/contracts/alert-stores.contract.ts';
import { SqliteAlertRepository, type SqliteAlertTransaction } from './sqlite-alert-repository.ts';
import { SqliteAssessmentHistory } from './sqlite-assessment-history.ts';
import { SqliteAuditLog } from './sqlite-audit-log.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import { SqliteObservationRepository } from './sqlite-observation-repository.ts';

describeAlertStoresContract<SqliteAlertTransaction>('SQLite (in memory)', () => {
  const db = openSqliteDatabase(':memory:');
  db.handle.exec('CREATE TABLE facts (id TEXT PRIMARY KEY)');
  const observations = new SqliteObservationRepository(db);
  return Promise.resolve({
    alerts: new SqliteAlertRepository(db, { nowIso: () => '2026-01-01T00:00:00.000Z' }),
    history: new SqliteAssessmentHistory(db),
    observationAlerts: observations,
    observations,
    audit: new SqliteAuditLog(db),
    insertFact: (tx, id) =>
      Promise.resolve(tx.db.prepare('INSERT INTO facts (id) VALUES (?)').run(id).changes),
    count: (table) =>
      Promise.resolve(
        (db.handle.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
      ),
    refuseOutbox: () => {
      db.handle.exec(
        "CREATE TRIGGER refuse BEFORE INSERT ON alert_outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END",
      );
      return Promise.resolve();
    },
    close: () => {
      db.close();
      return Promise.resolve();
    },
  });
});
