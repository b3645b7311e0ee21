/**
 * Accounts use cases: add users, API tokens (shown once, stored as sha256), password logins
 * with rate limiting, sessions, and resolving a presented secret to its user.
 */
import { LoginThrottledError, UnauthenticatedError } from '../../core/auth/auth-errors.ts';
import { loginRetryAfterSeconds, LOGIN_THROTTLE } from '../../core/auth/login-throttle.ts';
import { checkPasswordPolicy, checkUsername } from '../../core/auth/password-policy.ts';
import type { Role } from '../../core/auth/roles.ts';
import {
  formatSecret,
  isSecretOfKind,
  SECRET_BYTES,
  type SecretKind,
} from '../../core/auth/secret-token.ts';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Clock } from '../ports.ts';
import type {
  AccountRepository,
  PasswordHasher,
  SecretSource,
  StoredApiToken,
  User,
} from './account-ports.ts';

export interface AccountDeps {
  readonly accounts: AccountRepository;
  readonly hasher: PasswordHasher;
  readonly secrets: SecretSource;
  readonly clock: Clock;
  readonly sha256Hex: (bytes: Uint8Array) => string;
}

/** The audit log's actor for accounts made from the command line. */
const LOCAL_ACTOR = 'sitewatch';

/** How long a login session lasts. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

function publicUser(user: User): User {
  return { name: user.name, role: user.role, createdAt: user.createdAt };
}

function hashSecret(deps: AccountDeps, secret: string): string {
  return deps.sha256Hex(new TextEncoder().encode(secret));
}

function newSecret(deps: AccountDeps, kind: SecretKind): string {
  return formatSecret(kind, deps.secrets.randomBytes(SECRET_BYTES));
}

/**
 * @throws ValidationError for a bad name or a password against the policy; ConflictError
 *   when the name is taken
 */
export async function addUser(
  deps: AccountDeps,
  input: {
    readonly name: string;
    readonly role: Role;
    readonly password: string;
    /** Who adds it, for the audit log (default `sitewatch`: the local operator). */
    readonly actor?: string | undefined;
  },
): Promise<User> {
  checkUsername(input.name);
  checkPasswordPolicy(input.password, `user "${input.name}"`);
  if ((await deps.accounts.getUser(input.name)) !== undefined) {
    throw new ConflictError(`user "${input.name}" exists already`);
  }
  const user: User = { name: input.name, role: input.role, createdAt: deps.clock.nowIso() };
  await deps.accounts.insertUser(
    { ...user, passwordHash: await deps.hasher.hash(input.password) },
    {
      at: user.createdAt,
      actor: input.actor ?? LOCAL_ACTOR,
      action: 'user.add',
      targetKind: 'user',
      targetId: user.name,
      reason: null,
      details: { role: user.role },
    },
  );
  return user;
}

export interface CreatedToken {
  /** The token itself: shown once, never stored. */
  readonly token: string;
  readonly id: string;
  readonly userName: string;
  readonly label: string;
  readonly createdAt: string;
}

/** @throws NotFoundError naming the user */
export async function createApiToken(
  deps: AccountDeps,
  input: {
    readonly userName: string;
    readonly label?: string | undefined;
    /** Who creates it, for the audit log (default `sitewatch`: the local operator). */
    readonly actor?: string | undefined;
  },
): Promise<CreatedToken> {
  if ((await deps.accounts.getUser(input.userName)) === undefined) {
    throw new NotFoundError(`user "${input.userName}" does not exist`);
  }
  const token = newSecret(deps, 'api-token');
  const tokenSha256 = hashSecret(deps, token);
  const stored: StoredApiToken = {
    id: tokenSha256.slice(0, 12),
    tokenSha256,
    userName: input.userName,
    label: input.label ?? '',
    createdAt: deps.clock.nowIso(),
  };
  await deps.accounts.insertToken(stored, {
    at: stored.createdAt,
    actor: input.actor ?? LOCAL_ACTOR,
    action: 'token.create',
    targetKind: 'token',
    targetId: stored.id,
    reason: null,
    details: { userName: stored.userName, label: stored.label },
  });
  return {
    token,
    id: stored.id,
    userName: stored.userName,
    label: stored.label,
    createdAt: stored.createdAt,
  };
}

export interface LoginResult {
  readonly user: User;
  /** The session id for the cookie: shown once, stored hashed. */
  readonly sessionId: string;
  readonly expiresAt: string;
}

/**
 * Checks a password login from `address` and opens a session.
 * @throws LoginThrottledError after too many recent failures for this name and address;
 *   UnauthenticatedError for an unknown name or a wrong password (indistinguishable)
 */
export async function login(
  deps: AccountDeps,
  input: { readonly userName: string; readonly password: string; readonly address: string },
): Promise<LoginResult> {
  const nowIso = deps.clock.nowIso();
  const nowMs = Date.parse(nowIso);
  const since = new Date(nowMs - LOGIN_THROTTLE.windowMs).toISOString();
  const failures = await deps.accounts.loginFailuresSince(input.userName, input.address, since);
  const waitSeconds = loginRetryAfterSeconds(
    failures.map((t) => Date.parse(t)),
    nowMs,
  );
  if (waitSeconds > 0) throw new LoginThrottledError(waitSeconds);
  const user = await deps.accounts.getUser(input.userName);
  const ok = await deps.hasher.verify(input.password, user?.passwordHash);
  await deps.accounts.recordLoginAttempt({
    userName: input.userName,
    address: input.address,
    atIso: nowIso,
    succeeded: ok && user !== undefined,
  });
  if (!ok || user === undefined) throw new UnauthenticatedError('wrong user name or password');
  // Old rows are no use to the throttle or anyone: keep the tables small.
  await deps.accounts.prune(nowIso, since);
  const sessionId = newSecret(deps, 'session');
  const expiresAt = new Date(nowMs + SESSION_LIFETIME_MS).toISOString();
  await deps.accounts.insertSession({
    sessionSha256: hashSecret(deps, sessionId),
    userName: user.name,
    createdAt: nowIso,
    expiresAt,
  });
  return { user: publicUser(user), sessionId, expiresAt };
}

/** Ends the session (a no-op for an unknown id). */
export async function logout(deps: AccountDeps, sessionId: string): Promise<void> {
  if (isSecretOfKind('session', sessionId)) {
    await deps.accounts.deleteSession(hashSecret(deps, sessionId));
  }
}

/** The user an API token belongs to, or undefined for anything else. */
export async function userOfApiToken(deps: AccountDeps, token: string): Promise<User | undefined> {
  if (!isSecretOfKind('api-token', token)) return undefined;
  const stored = await deps.accounts.findToken(hashSecret(deps, token));
  const user = stored === undefined ? undefined : await deps.accounts.getUser(stored.userName);
  return user === undefined ? undefined : publicUser(user);
}

/** The user of a live session, or undefined for an unknown or expired one. */
export async function userOfSession(
  deps: AccountDeps,
  sessionId: string,
): Promise<User | undefined> {
  if (!isSecretOfKind('session', sessionId)) return undefined;
  const session = await deps.accounts.findSession(hashSecret(deps, sessionId));
  if (session === undefined || session.expiresAt <= deps.clock.nowIso()) return undefined;
  const user = await deps.accounts.getUser(session.userName);
  return user === undefined ? undefined : publicUser(user);
}
