import { describeAccountRepositoryContract } from '../../app/contracts/account-repository.contract.ts';
import { SqliteAccountRepository } from './sqlite-account-repository.ts';
import { SqliteAuditLog } from './sqlite-audit-log.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

describeAccountRepositoryContract('SQLite (in memory)', () => {
  const db = openSqliteDatabase(':memory:');
  return Promise.resolve({
    accounts: new SqliteAccountRepository(db),
    audit: new SqliteAuditLog(db),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  });
});
