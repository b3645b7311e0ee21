/**
 * Outcomes of authentication that are not input errors: entry points map them to HTTP 401
 * and 429. Deliberately not {@link SitewatchError}s, so no CLI exit-code table needs them.
 */

/** Missing, unknown or expired credentials; the message never says which part was wrong. */
export class UnauthenticatedError extends Error {
  constructor(message = 'authentication required') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}

/** Authenticated, but the role does not allow the action. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/** Too many failed logins for this user name and address. */
export class LoginThrottledError extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`too many failed logins; try again in ${retryAfterSeconds} s`);
    this.name = 'LoginThrottledError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
