/**
 * {@link AccountRepository} in PostgreSQL (migration 103): users, API tokens, sessions, login
 * attempts; user and token writes are stored with their audit entry in one transaction.
 */
import type {
  AccountRepository,
  StoredApiToken,
  StoredSession,
  StoredUser,
  User,
} from '../../app/accounts/account-ports.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';
import { ConflictError } from '../../core/errors.ts';
import { appendPgAuditEntry } from './pg-audit-log.ts';
import { isUniqueViolation, type PostgresDatabase } from './pg-database.ts';
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

/** {@link AccountRepository} over a {@link PostgresDatabase}. */
export class PgAccountRepository implements AccountRepository {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async insertUser(user: StoredUser, audit: NewAuditEntry): Promise<void> {
    await this.#db.withTransaction(async (client) => {
      try {
        await client.query(
          'INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)',
          userToParams(user),
        );
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictError(`user "${user.name}" exists already`, { cause: error });
        }
        throw error;
      }
      await appendPgAuditEntry(client, audit);
    });
  }

  async getUser(name: string): Promise<StoredUser | undefined> {
    const { rows } = await this.#db.query<UserRow>('SELECT * FROM users WHERE name = $1', [name]);
    const row = rows[0];
    return row === undefined ? undefined : toUser(row);
  }

  async listUsers(): Promise<User[]> {
    const { rows } = await this.#db.query<UserRow>('SELECT * FROM users ORDER BY name');
    return rows.map(publicUserFromRow);
  }

  async insertToken(token: StoredApiToken, audit: NewAuditEntry): Promise<void> {
    await this.#db.withTransaction(async (client) => {
      await client.query(
        'INSERT INTO api_tokens (token_sha256, id, user_name, label, created_at) VALUES ($1, $2, $3, $4, $5)',
        tokenToParams(token),
      );
      await appendPgAuditEntry(client, audit);
    });
  }

  async findToken(tokenSha256: string): Promise<StoredApiToken | undefined> {
    const { rows } = await this.#db.query<TokenRow>(
      'SELECT * FROM api_tokens WHERE token_sha256 = $1',
      [tokenSha256],
    );
    const row = rows[0];
    return row === undefined ? undefined : toToken(row);
  }

  async listTokens(userName: string): Promise<StoredApiToken[]> {
    const { rows } = await this.#db.query<TokenRow>(
      'SELECT * FROM api_tokens WHERE user_name = $1 ORDER BY created_at, id',
      [userName],
    );
    return rows.map(toToken);
  }

  async insertSession(session: StoredSession): Promise<void> {
    await this.#db.query(
      'INSERT INTO sessions (session_sha256, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      sessionToParams(session),
    );
  }

  async findSession(sessionSha256: string): Promise<StoredSession | undefined> {
    const { rows } = await this.#db.query<SessionRow>(
      'SELECT * FROM sessions WHERE session_sha256 = $1',
      [sessionSha256],
    );
    const row = rows[0];
    return row === undefined ? undefined : sessionFromRow(row);
  }

  async deleteSession(sessionSha256: string): Promise<void> {
    await this.#db.query('DELETE FROM sessions WHERE session_sha256 = $1', [sessionSha256]);
  }

  async recordLoginAttempt(attempt: {
    readonly userName: string;
    readonly address: string;
    readonly atIso: string;
    readonly succeeded: boolean;
  }): Promise<void> {
    await this.#db.query(
      'INSERT INTO login_attempts (user_name, address, at, succeeded) VALUES ($1, $2, $3, $4)',
      [attempt.userName, attempt.address, attempt.atIso, attempt.succeeded],
    );
  }

  async loginFailuresSince(userName: string, address: string, sinceIso: string): Promise<string[]> {
    const { rows } = await this.#db.query<{ at: string }>(
      'SELECT at FROM login_attempts WHERE user_name = $1 AND address = $2 AND at > $3 AND NOT succeeded ORDER BY at',
      [userName, address, sinceIso],
    );
    return rows.map((row) => row.at);
  }

  async prune(nowIso: string, attemptsBeforeIso: string): Promise<void> {
    await this.#db.withTransaction(async (client) => {
      await client.query('DELETE FROM sessions WHERE expires_at <= $1', [nowIso]);
      await client.query('DELETE FROM login_attempts WHERE at < $1', [attemptsBeforeIso]);
    });
  }
}
