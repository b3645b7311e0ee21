/** Ports of the accounts use cases: stored users, tokens, sessions, password hashing, randomness. */
import type { Role } from '../../core/auth/roles.ts';
import type { NewAuditEntry } from '../../core/review/audit.ts';

/** A local account as the API shows it (never with its password hash). */
export interface User {
  /** The login name (unique, see core/auth/password-policy.ts USERNAME_PATTERN). */
  readonly name: string;
  readonly role: Role;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
}

export interface StoredUser extends User {
  /** The PasswordHasher's encoded hash (algorithm, parameters, salt, key). */
  readonly passwordHash: string;
}

/** An API token as stored: its sha256 only, the token itself is shown once. */
export interface StoredApiToken {
  /** Short public id (the first hex digits of the hash) to list and revoke tokens by. */
  readonly id: string;
  readonly tokenSha256: string;
  readonly userName: string;
  readonly label: string;
  readonly createdAt: string;
}

export interface StoredSession {
  readonly sessionSha256: string;
  readonly userName: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface AccountRepository {
  /**
   * Stores the user and its audit entry in one transaction.
   * @throws ConflictError when the name is taken
   */
  insertUser(user: StoredUser, audit: NewAuditEntry): Promise<void>;
  getUser(name: string): Promise<StoredUser | undefined>;
  /** By name. */
  listUsers(): Promise<User[]>;
  /** Stores the token (its sha256) and its audit entry in one transaction. */
  insertToken(token: StoredApiToken, audit: NewAuditEntry): Promise<void>;
  findToken(tokenSha256: string): Promise<StoredApiToken | undefined>;
  /** The user's tokens, oldest first. */
  listTokens(userName: string): Promise<StoredApiToken[]>;
  insertSession(session: StoredSession): Promise<void>;
  findSession(sessionSha256: string): Promise<StoredSession | undefined>;
  deleteSession(sessionSha256: string): Promise<void>;
  /** Records one login attempt (the user name need not exist). */
  recordLoginAttempt(attempt: {
    readonly userName: string;
    readonly address: string;
    readonly atIso: string;
    readonly succeeded: boolean;
  }): Promise<void>;
  /** Times (ISO 8601 UTC) of failed attempts for this name and address since `sinceIso`. */
  loginFailuresSince(userName: string, address: string, sinceIso: string): Promise<string[]>;
  /** Removes sessions expired at `nowIso` and login attempts before `attemptsBeforeIso`. */
  prune(nowIso: string, attemptsBeforeIso: string): Promise<void>;
}

/** Slow salted password hashing with a constant-time check. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches `encodedHash`. With `undefined` (no such user) it does the
   * same work and answers false, so timing does not tell which names exist.
   */
  verify(password: string, encodedHash: string | undefined): Promise<boolean>;
}

/** Cryptographically secure random bytes. */
export interface SecretSource {
  randomBytes(length: number): Uint8Array;
}
