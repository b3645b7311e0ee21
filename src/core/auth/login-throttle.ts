/**
 * Login rate limiting: after {@link LOGIN_THROTTLE}.maxFailures failed logins for one
 * user name from one address within the window, further attempts are refused until the
 * oldest of those failures leaves the window.
 */

export interface LoginThrottle {
  readonly maxFailures: number;
  readonly windowMs: number;
}

export const LOGIN_THROTTLE: LoginThrottle = { maxFailures: 5, windowMs: 15 * 60 * 1000 };

/**
 * @param failureTimesMs the recent failed attempts for this user name and address (epoch ms,
 *   any order; older ones are ignored).
 * @returns 0 when an attempt may proceed, else the whole seconds to wait (≥ 1).
 */
export function loginRetryAfterSeconds(
  failureTimesMs: readonly number[],
  nowMs: number,
  throttle: LoginThrottle = LOGIN_THROTTLE,
): number {
  const recent = failureTimesMs.filter((t) => t > nowMs - throttle.windowMs).sort((a, b) => a - b);
  if (recent.length < throttle.maxFailures) return 0;
  // The attempt is allowed again once enough failures have aged out of the window.
  const freeingFailure = recent[recent.length - throttle.maxFailures] ?? nowMs;
  return Math.max(1, Math.ceil((freeingFailure + throttle.windowMs - nowMs) / 1000));
}
