/**
 * The behaviour every AccountRepository adapter must show (SQLite and PostgreSQL): users and
 * tokens stored with their audit entries, sessions, login attempts and pruning. Call
 * {@link describeAccountRepositoryContract} from the adapter's test file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../core/errors.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import type { AccountRepository, StoredUser } from '../accounts/account-ports.ts';
import type { AuditLog } from '../review/review-ports.ts';

export interface AccountRepositoryFixture {
  readonly accounts: AccountRepository;
  readonly audit: AuditLog;
  close(): Promise<void>;
}

const T0 = '2026-01-01T00:00:00.000Z';

function user(name: string, role: StoredUser['role'] = 'analyst'): StoredUser {
  return { name, role, createdAt: T0, passwordHash: `scrypt$1024$8$1$salt$${name}` };
}

function entry(action: 'user.add' | 'token.create', targetId: string): NewAuditEntry {
  return {
    at: T0,
    actor: 'sitewatch',
    action,
    targetKind: action === 'user.add' ? 'user' : 'token',
    targetId,
    reason: null,
    details: {},
  };
}

/** The shared AccountRepository contract. */
export function describeAccountRepositoryContract(
  name: string,
  make: () => Promise<AccountRepositoryFixture>,
): void {
  describe(`AccountRepository contract: ${name}`, () => {
    let store: AccountRepositoryFixture;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it('stores users with an audit entry each, lists them by name, refuses a taken name', async () => {
      const { accounts } = store;
      await accounts.insertUser(user('zoe', 'admin'), entry('user.add', 'zoe'));
      await accounts.insertUser(user('alice'), entry('user.add', 'alice'));
      expect(await accounts.getUser('alice')).toEqual(user('alice'));
      expect(await accounts.getUser('nobody')).toBeUndefined();
      expect(await accounts.listUsers()).toEqual([
        { name: 'alice', role: 'analyst', createdAt: T0 },
        { name: 'zoe', role: 'admin', createdAt: T0 },
      ]);
      await expect(
        accounts.insertUser(user('alice', 'admin'), entry('user.add', 'alice')),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await accounts.getUser('alice'))?.role).toBe('analyst');
      expect((await store.audit.list()).map((e) => e.targetId)).toEqual(['zoe', 'alice']);
    });

    it('stores tokens by hash for existing users only, oldest first', async () => {
      const { accounts } = store;
      await accounts.insertUser(user('alice'), entry('user.add', 'alice'));
      const token = (n: number, userName = 'alice') => ({
        id: `tok${n}`,
        tokenSha256: `${n}`.repeat(64).slice(0, 64),
        userName,
        label: `label ${n}`,
        createdAt: `2026-01-0${n}T00:00:00.000Z`,
      });
      await accounts.insertToken(token(2), entry('token.create', 'tok2'));
      await accounts.insertToken(token(1), entry('token.create', 'tok1'));
      expect(await accounts.findToken(token(1).tokenSha256)).toEqual(token(1));
      expect(await accounts.findToken('f'.repeat(64))).toBeUndefined();
      expect((await accounts.listTokens('alice')).map((t) => t.id)).toEqual(['tok1', 'tok2']);
      await expect(
        accounts.insertToken(token(3, 'nobody'), entry('token.create', 'tok3')),
      ).rejects.toThrow();
      expect(await accounts.findToken(token(3).tokenSha256)).toBeUndefined();
      expect((await store.audit.list()).map((e) => e.targetId)).toEqual(['alice', 'tok2', 'tok1']);
    });

    it('keeps sessions until deleted or pruned, and counts failed logins', async () => {
      const { accounts } = store;
      await accounts.insertUser(user('alice'), entry('user.add', 'alice'));
      const session = (n: number, expiresAt: string) => ({
        sessionSha256: `${n}`.repeat(64).slice(0, 64),
        userName: 'alice',
        createdAt: T0,
        expiresAt,
      });
      await accounts.insertSession(session(1, '2026-01-02T00:00:00.000Z'));
      await accounts.insertSession(session(2, '2026-01-03T00:00:00.000Z'));
      await accounts.insertSession(session(3, '2026-01-03T00:00:00.000Z'));
      expect(await accounts.findSession(session(1, '').sessionSha256)).toEqual(
        session(1, '2026-01-02T00:00:00.000Z'),
      );
      await accounts.deleteSession(session(3, '').sessionSha256);
      expect(await accounts.findSession(session(3, '').sessionSha256)).toBeUndefined();
      const attempt = (atIso: string, succeeded: boolean, address = '10.0.0.1') =>
        accounts.recordLoginAttempt({ userName: 'alice', address, atIso, succeeded });
      await attempt('2026-01-01T00:00:01.000Z', false);
      await attempt('2026-01-01T00:00:02.000Z', true);
      await attempt('2026-01-01T00:00:03.000Z', false);
      await attempt('2026-01-01T00:00:04.000Z', false, '10.0.0.2');
      expect(await accounts.loginFailuresSince('alice', '10.0.0.1', T0)).toEqual([
        '2026-01-01T00:00:01.000Z',
        '2026-01-01T00:00:03.000Z',
      ]);
      expect(
        await accounts.loginFailuresSince('alice', '10.0.0.1', '2026-01-01T00:00:01.000Z'),
      ).toEqual(['2026-01-01T00:00:03.000Z']);
      await accounts.prune('2026-01-02T00:00:00.000Z', '2026-01-01T00:00:03.000Z');
      expect(await accounts.findSession(session(1, '').sessionSha256)).toBeUndefined();
      expect(await accounts.findSession(session(2, '').sessionSha256)).toBeDefined();
      expect(await accounts.loginFailuresSince('alice', '10.0.0.1', T0)).toEqual([
        '2026-01-01T00:00:03.000Z',
      ]);
    });
  });
}
