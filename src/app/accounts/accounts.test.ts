/** Accounts use cases over a real SQLite file, with a clock the test moves forward. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeSecretSource } from '../../adapters/crypto/node-secret-source.ts';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.ts';
import { openSqliteDatabase, type SqliteDatabase } from '../../adapters/sqlite/sqlite-database.ts';
import { SqliteAccountRepository } from '../../adapters/sqlite/sqlite-account-repository.ts';
import { sha256Hex } from '../../adapters/system/node-sha256.ts';
import { LoginThrottledError, UnauthenticatedError } from '../../core/auth/auth-errors.ts';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import {
  addUser,
  createApiToken,
  login,
  logout,
  SESSION_LIFETIME_MS,
  userOfApiToken,
  userOfSession,
  type AccountDeps,
} from './accounts.ts';

const PASSWORD = 'correct horse battery';
let db: SqliteDatabase;
let nowMs: number;
let deps: AccountDeps;

beforeEach(() => {
  db = openSqliteDatabase(join(mkdtempSync(join(tmpdir(), 'sitewatch-accounts-')), 'a.db'));
  nowMs = Date.parse('2026-01-01T00:00:00Z');
  deps = {
    accounts: new SqliteAccountRepository(db),
    hasher: new ScryptPasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
    secrets: new NodeSecretSource(),
    clock: { nowIso: () => new Date(nowMs).toISOString() },
    sha256Hex,
  };
});

afterEach(() => {
  db.close();
});

describe('accounts', () => {
  it('refuses a second user of the same name', async () => {
    await addUser(deps, { name: 'alice', role: 'viewer', password: PASSWORD });
    await expect(
      addUser(deps, { name: 'alice', role: 'admin', password: PASSWORD }),
    ).rejects.toThrow(ConflictError);
  });

  it('creates tokens only for existing users and resolves them to the user', async () => {
    await expect(createApiToken(deps, { userName: 'nobody' })).rejects.toThrow(NotFoundError);
    await addUser(deps, { name: 'alice', role: 'analyst', password: PASSWORD });
    const { token } = await createApiToken(deps, { userName: 'alice', label: 'ci' });
    expect(await userOfApiToken(deps, token)).toMatchObject({ name: 'alice', role: 'analyst' });
    expect(await userOfApiToken(deps, token.replace('swt_', 'sws_'))).toBeUndefined();
  });

  it('ends a session at logout or after its lifetime', async () => {
    await addUser(deps, { name: 'alice', role: 'viewer', password: PASSWORD });
    const first = await login(deps, { userName: 'alice', password: PASSWORD, address: '::1' });
    expect(await userOfSession(deps, first.sessionId)).toMatchObject({ name: 'alice' });
    await logout(deps, first.sessionId);
    expect(await userOfSession(deps, first.sessionId)).toBeUndefined();
    const second = await login(deps, { userName: 'alice', password: PASSWORD, address: '::1' });
    nowMs += SESSION_LIFETIME_MS;
    expect(await userOfSession(deps, second.sessionId)).toBeUndefined();
  });

  it('throttles a name and address after five failures, until the window passes', async () => {
    await addUser(deps, { name: 'alice', role: 'viewer', password: PASSWORD });
    const attempt = (password: string, address = '10.0.0.1') =>
      login(deps, { userName: 'alice', password, address });
    for (let i = 0; i < 5; i++) {
      await expect(attempt('wrong password')).rejects.toThrow(UnauthenticatedError);
      nowMs += 1000;
    }
    await expect(attempt(PASSWORD)).rejects.toThrow(LoginThrottledError);
    await expect(attempt(PASSWORD, '10.0.0.2')).resolves.toMatchObject({ user: { name: 'alice' } });
    nowMs += 15 * 60 * 1000;
    await expect(attempt(PASSWORD)).resolves.toMatchObject({ user: { name: 'alice' } });
  });
});
