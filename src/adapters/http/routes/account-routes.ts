/** Health, login sessions, users and API tokens. */
import { z } from 'zod';
import { addUser, createApiToken, login, logout } from '../../../app/accounts/accounts.ts';
import { ForbiddenError } from '../../../core/auth/auth-errors.ts';
import { SitewatchError } from '../../../core/errors.ts';
import { defineRoute, type ApiRoute } from '../api-route.ts';
import {
  createdTokenSchema,
  healthSchema,
  loginBody,
  newTokenBody,
  newUserBody,
  pageOf,
  pageQuery,
  sessionSchema,
  userSchema,
} from '../api-schemas.ts';
import { SESSION_COOKIE } from '../auth-hook.ts';
import { paginate } from '../pagination.ts';

const TAG = 'accounts';

/** How long a health check may take before it counts as failed (a queue that hangs). */
const HEALTH_CHECK_TIMEOUT_MS = 2000;

/** @throws SitewatchError IO (503) naming each check that failed or timed out. */
async function runHealthChecks(
  checks: Readonly<Record<string, () => Promise<void>>>,
): Promise<Record<string, 'ok'>> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map(async (name) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms`));
        }, HEALTH_CHECK_TIMEOUT_MS);
      });
      try {
        await Promise.race([checks[name]?.(), timeout]);
        return null;
      } catch (error) {
        return `${name}: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const failed = results.filter((r): r is string => r !== null);
  if (failed.length > 0) throw new SitewatchError('IO', `unhealthy: ${failed.join('; ')}`);
  return Object.fromEntries(names.map((name) => [name, 'ok' as const]));
}

export const ACCOUNT_ROUTES: readonly ApiRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/api/health',
    operationId: 'getHealth',
    summary:
      'Health: 200 when the server answers and its store and queue do, else 503 naming the failed check (no authentication).',
    tag: 'system',
    access: 'public',
    response: healthSchema,
    handler: async ({ services }) => ({
      status: 'ok' as const,
      version: services.softwareVersion,
      checks: await runHealthChecks(services.healthChecks ?? {}),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/session',
    operationId: 'login',
    summary:
      'Log in: sets the HttpOnly, SameSite=Strict session cookie (Secure over https). ' +
      'Wrong credentials or a malformed body answer 401; 5 failures per user name and address in 15 min answer 429 with Retry-After.',
    tag: TAG,
    access: 'public',
    body: loginBody,
    invalidBodyStatus: 401,
    response: sessionSchema,
    handler: async ({ body, request, reply, services }) => {
      const result = await login(services.accounts, {
        userName: body.name,
        password: body.password,
        address: request.ip,
      });
      void reply.setCookie(SESSION_COOKIE, result.sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        expires: new Date(result.expiresAt),
      });
      return { user: result.user, expiresAt: result.expiresAt };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/session',
    operationId: 'getSession',
    summary: 'Who is calling (session cookie or API token).',
    tag: TAG,
    access: 'viewer',
    response: sessionSchema,
    handler: ({ user }) => Promise.resolve({ user, expiresAt: null }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/session',
    operationId: 'logout',
    summary: 'Log out: ends the session and clears its cookie.',
    tag: TAG,
    access: 'viewer',
    status: 204,
    response: z.null(),
    handler: async ({ request, reply, services }) => {
      const session = request.cookies[SESSION_COOKIE];
      if (session !== undefined) await logout(services.accounts, session);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return null;
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/users',
    operationId: 'listUsers',
    summary: 'Accounts, by name.',
    tag: TAG,
    access: 'admin',
    query: pageQuery,
    response: pageOf(userSchema),
    handler: async ({ query, services }) =>
      paginate(await services.accounts.accounts.listUsers(), (u) => u.name, query),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/users',
    operationId: 'createUser',
    summary: 'Add a local account (password policy: 10–1024 characters).',
    tag: TAG,
    access: 'admin',
    body: newUserBody,
    status: 201,
    response: userSchema,
    handler: ({ body, user, services }) =>
      addUser(services.accounts, { ...body, actor: user?.name }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/tokens',
    operationId: 'createToken',
    summary:
      'Create an API token for yourself (admins: for anyone); it is shown only in this answer.',
    tag: TAG,
    access: 'viewer',
    body: newTokenBody,
    status: 201,
    response: createdTokenSchema,
    handler: ({ body, user, services }) => {
      const caller = user ?? { name: '', role: 'viewer' };
      const owner = body.user ?? caller.name;
      if (owner !== caller.name && caller.role !== 'admin') {
        throw new ForbiddenError(`only an admin may create tokens for another user ("${owner}")`);
      }
      return createApiToken(services.accounts, {
        userName: owner,
        label: body.label,
        actor: caller.name,
      });
    },
  }),
];
