/**
 * Authentication and authorisation of every `/api/` request, before routing reaches a
 * handler. Deny by default: a route without a declared access (an unknown path, or one
 * registered by an extension) needs a viewer to read and an analyst to write.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { User } from '../../app/accounts/account-ports.ts';
import { userOfApiToken, userOfSession, type AccountDeps } from '../../app/accounts/accounts.ts';
import { ForbiddenError, UnauthenticatedError } from '../../core/auth/auth-errors.ts';
import { roleAllows, type Role } from '../../core/auth/roles.ts';
import { bearerTokenOf } from '../../core/auth/secret-token.ts';
import type { RouteAccess } from './api-route.ts';

/** The session cookie's name. */
export const SESSION_COOKIE = 'sitewatch_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (see api-route.ts RouteAccess). */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The authenticated caller, set by the auth hook. */
    sitewatchUser: User | undefined;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The access a request needs: its `/api/` route's declaration, else the default by method
 * (also for an unknown `/api/` path, which the workbench's catch-all route would match).
 */
export function requiredAccess(request: FastifyRequest): RouteAccess {
  const declared =
    request.routeOptions.url?.startsWith('/api/') === true
      ? request.routeOptions.config.access
      : undefined;
  return declared ?? (READ_METHODS.has(request.method) ? 'viewer' : 'analyst');
}

async function authenticate(
  accounts: AccountDeps,
  request: FastifyRequest,
): Promise<User | undefined> {
  const bearer = bearerTokenOf(request.headers.authorization);
  if (bearer !== undefined) return userOfApiToken(accounts, bearer);
  const session = request.cookies[SESSION_COOKIE];
  return session === undefined ? undefined : userOfSession(accounts, session);
}

export function installAuthHook(app: FastifyInstance, accounts: AccountDeps): void {
  app.decorateRequest('sitewatchUser', undefined);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') && request.url !== '/api') return;
    const access = requiredAccess(request);
    if (access === 'public') return;
    const user = await authenticate(accounts, request);
    if (user === undefined) {
      throw new UnauthenticatedError(
        'authentication required: log in (POST /api/session) or send Authorization: Bearer <token>',
      );
    }
    if (!roleAllows(user.role, access satisfies Role)) {
      throw new ForbiddenError(
        `${request.method} ${request.routeOptions.url ?? request.url} needs the ${access} role; user "${user.name}" is ${user.role}`,
      );
    }
    request.sitewatchUser = user;
  });
}
