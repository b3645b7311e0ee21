import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeAnnotationRepositoryContract } from '../../app/contracts/annotation-repository.contract.ts';
import { SqliteAnnotationRepository } from './sqlite-annotation-repository.ts';
import { SqliteAuditLog } from './sqlite-audit-log.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

describeAnnotationRepositoryContract('SQLite (temp file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitewatch-annotations-'));
  const db = openSqliteDatabase(join(dir, 'sitewatch.db'));
  return Promise.resolve({
    annotations: new SqliteAnnotationRepository(db),
    audit: new SqliteAuditLog(db),
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});
