import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeJobStoreContract } from '../../app/contracts/job-store.contract.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import { SqliteJobStore } from './sqlite-job-store.ts';

describeJobStoreContract('SQLite (temp file)', (nowIso) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sitewatch-jobs-')), 'sitewatch.db');
  const db = openSqliteDatabase(path);
  return Promise.resolve({
    store: new SqliteJobStore(db, { nowIso }),
    openAnother: () => {
      const other = openSqliteDatabase(path);
      return Promise.resolve({
        store: new SqliteJobStore(other),
        close: () => {
          other.close();
          return Promise.resolve();
        },
      });
    },
    close: () => {
      db.close();
      rmSync(dirname(path), { recursive: true, force: true });
      return Promise.resolve();
    },
  });
});
