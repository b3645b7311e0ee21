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
import { parseRole } from '../../core/auth/roles.ts';
import { ConflictError } from '../../core/errors.ts';
import type { SqliteDatabase } from './sqlite-database.ts';
import { isSqliteConstraint } from './sqlite-errors.ts';
import { settle } from './settle.ts';

interface UserRow {
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
}

interface TokenRow {
  token_sha256: string;
  id: string;
  user_name: string;
  label: string;
  created_at: string;
}

function toUser(row: UserRow): StoredUser {
  return {
    name: row.name,
    role: parseRole(row.role),
    createdAt: row.created_at,
    passwordHash: row.password_hash,
  };
}

function toToken(row: TokenRow): StoredApiToken {
  return {
    id: row.id,
    tokenSha256: row.token_sha256,
    userName: row.user_name,
    label: row.label,
    createdAt: row.created_at,
  };
}

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
            .run(user.name, user.role, user.passwordHash, user.createdAt);
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
      (this.#db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map((row) => {
        const { name, role, createdAt } = toUser(row);
        return { name, role, createdAt };
      }),
    );
  }

  insertToken(token: StoredApiToken, audit: NewAuditEntry): Promise<void> {
    return settle(() => {
      this.#db.transaction(() => {
        this.#db
          .prepare(
            'INSERT INTO api_tokens (token_sha256, id, user_name, label, created_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(token.tokenSha256, token.id, token.userName, token.label, token.createdAt);
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
        .run(session.sessionSha256, session.userName, session.createdAt, session.expiresAt);
    });
  }

  findSession(sessionSha256: string): Promise<StoredSession | undefined> {
    return settle(() => {
      const row = this.#db
        .prepare('SELECT * FROM sessions WHERE session_sha256 = ?')
        .get(sessionSha256) as
        | { session_sha256: string; user_name: string; created_at: string; expires_at: string }
        | undefined;
      return row === undefined
        ? undefined
        : {
            sessionSha256: row.session_sha256,
            userName: row.user_name,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
          };
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
