/** {@link AccountRepository} in SQLite (migration 8): users, API tokens, sessions, login attempts. */
import type {
  AccountRepository,
  StoredApiToken,
  StoredSession,
  StoredUser,
  User,
} from '../../app/accounts/account-ports.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import { appendAuditEntryInTransaction } from './sqlite-audit-log.ts';
import { ConflictError } from '../../core/errors.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { isSqliteConstraint } from './sqlite-errors.ts';
import { settle } from './settle.ts';
import {
  publicUserFromRow,
  sessionFromRow,
  sessionToParams,
  tokenFromRow as toToken,
  tokenToParams,
  userFromRow as toUser,
  userToParams,
  type SessionRow,
  type TokenRow,
  type UserRow,
} from '../sql-rows/account-rows.ts';

export class SqliteAccountRepository implements AccountRepository {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  insertUser(user: StoredUser, audit: NewAuditEntry): Promise<void> {
    return settle(() => {
      try {
        this.#db.transaction(() => {
          this.#db
            .prepare(
              'INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)',
            )
            .run(...userToParams(user));
          appendAuditEntryInTransaction(this.#db, audit);
        });
      } catch (error) {
        if (isSqliteConstraint(error, 'PRIMARYKEY')) {
          throw new ConflictError(`user "${user.name}" exists already`, { cause: error });
        }
        throw error;
      }
    });
  }

  getUser(name: string): Promise<StoredUser | undefined> {
    return settle(() => {
      const row = this.#db.prepare('SELECT * FROM users WHERE name = ?').get(name) as
        UserRow | undefined;
      return row === undefined ? undefined : toUser(row);
    });
  }

  listUsers(): Promise<User[]> {
    return settle(() =>
      (this.#db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(
        publicUserFromRow,
      ),
    );
  }

  insertToken(token: StoredApiToken, audit: NewAuditEntry): Promise<void> {
    return settle(() => {
      this.#db.transaction(() => {
        this.#db
          .prepare(
            'INSERT INTO api_tokens (token_sha256, id, user_name, label, created_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(...tokenToParams(token));
        appendAuditEntryInTransaction(this.#db, audit);
      });
    });
  }

  findToken(tokenSha256: string): Promise<StoredApiToken | undefined> {
    return settle(() => {
      const row = this.#db
        .prepare('SELECT * FROM api_tokens WHERE token_sha256 = ?')
        .get(tokenSha256) as TokenRow | undefined;
      return row === undefined ? undefined : toToken(row);
    });
  }

  listTokens(userName: string): Promise<StoredApiToken[]> {
    return settle(() =>
      (
        this.#db
          .prepare('SELECT * FROM api_tokens WHERE user_name = ? ORDER BY created_at, id')
          .all(userName) as TokenRow[]
      ).map(toToken),
    );
  }

  insertSession(session: StoredSession): Promise<void> {
    return settle(() => {
      this.#db
        .prepare(
          'INSERT INTO sessions (session_sha256, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)',
        )
        .run(...sessionToParams(session));
    });
  }

  findSession(sessionSha256: string): Promise<StoredSession | undefined> {
    return settle(() => {
      const row = this.#db
        .prepare('SELECT * FROM sessions WHERE session_sha256 = ?')
        .get(sessionSha256) as SessionRow | undefined;
      return row === undefined ? undefined : sessionFromRow(row);
    });
  }

  deleteSession(sessionSha256: string): Promise<void> {
    return settle(() => {
      this.#db.prepare('DELETE FROM sessions WHERE session_sha256 = ?').run(sessionSha256);
    });
  }

  recordLoginAttempt(attempt: {
    readonly userName: string;
    readonly address: string;
    readonly atIso: string;
    readonly succeeded: boolean;
  }): Promise<void> {
    return settle(() => {
      this.#db
        .prepare(
          'INSERT INTO login_attempts (user_name, address, at, succeeded) VALUES (?, ?, ?, ?)',
        )
        .run(attempt.userName, attempt.address, attempt.atIso, attempt.succeeded ? 1 : 0);
    });
  }

  prune(nowIso: string, attemptsBeforeIso: string): Promise<void> {
    return settle(() => {
      this.#db.transaction(() => {
        this.#db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(nowIso);
        this.#db.prepare('DELETE FROM login_attempts WHERE at < ?').run(attemptsBeforeIso);
      });
    });
  }

  loginFailuresSince(userName: string, address: string, sinceIso: string): Promise<string[]> {
    return settle(() =>
      (
        this.#db
          .prepare(
            'SELECT at FROM login_attempts WHERE user_name = ? AND address = ? AND at > ? AND succeeded = 0 ORDER BY at',
          )
          .all(userName, address, sinceIso) as { at: string }[]
      ).map((row) => row.at),
    );
  }
}
