/**
 * The `users`, `api_tokens` and `sessions` rows as both SQL stores read and write them
 * (SQLite migration 8, PostgreSQL migration 103) and their mapping to the account records.
 */
import type {
  StoredApiToken,
  StoredSession,
  StoredUser,
  User,
} from '../../app/accounts/account-ports.ts';
import { parseRole } from '../../core/auth/roles.ts';

export interface UserRow {
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
}

export interface TokenRow {
  token_sha256: string;
  id: string;
  user_name: string;
  label: string;
  created_at: string;
}

export interface SessionRow {
  session_sha256: string;
  user_name: string;
  created_at: string;
  expires_at: string;
}

export function userFromRow(row: UserRow): StoredUser {
  return {
    name: row.name,
    role: parseRole(row.role),
    createdAt: row.created_at,
    passwordHash: row.password_hash,
  };
}

/** The user of `row` without its password hash (for listings). */
export function publicUserFromRow(row: UserRow): User {
  const { name, role, createdAt } = userFromRow(row);
  return { name, role, createdAt };
}

export function tokenFromRow(row: TokenRow): StoredApiToken {
  return {
    id: row.id,
    tokenSha256: row.token_sha256,
    userName: row.user_name,
    label: row.label,
    createdAt: row.created_at,
  };
}

export function sessionFromRow(row: SessionRow): StoredSession {
  return {
    sessionSha256: row.session_sha256,
    userName: row.user_name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** Values for `INSERT INTO users (name, role, password_hash, created_at)`. */
export function userToParams(user: StoredUser): string[] {
  return [user.name, user.role, user.passwordHash, user.createdAt];
}

/** Values for `INSERT INTO api_tokens (token_sha256, id, user_name, label, created_at)`. */
export function tokenToParams(token: StoredApiToken): string[] {
  return [token.tokenSha256, token.id, token.userName, token.label, token.createdAt];
}

/** Values for `INSERT INTO sessions (session_sha256, user_name, created_at, expires_at)`. */
export function sessionToParams(session: StoredSession): string[] {
  return [session.sessionSha256, session.userName, session.createdAt, session.expiresAt];
}
