import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { LOGIN_THROTTLE, loginRetryAfterSeconds } from './login-throttle.ts';
import { checkPasswordPolicy, checkUsername } from './password-policy.ts';
import { parseRole, roleAllows } from './roles.ts';
import { base64Url, bearerTokenOf, formatSecret, isSecretOfKind } from './secret-token.ts';

describe('roles', () => {
  it('are cumulative: viewer < analyst < admin', () => {
    expect(roleAllows('viewer', 'viewer')).toBe(true);
    expect(roleAllows('viewer', 'analyst')).toBe(false);
    expect(roleAllows('analyst', 'viewer')).toBe(true);
    expect(roleAllows('analyst', 'admin')).toBe(false);
    expect(roleAllows('admin', 'analyst')).toBe(true);
  });

  it('parses only the three names, naming the bad one', () => {
    expect(parseRole('analyst')).toBe('analyst');
    expect(() => parseRole('root')).toThrow(/role "root" is not one of viewer, analyst, admin/);
  });
});

describe('secrets', () => {
  it('encode base64url like RFC 4648 §5, without padding', () => {
    expect(base64Url(new TextEncoder().encode('foobar'))).toBe('Zm9vYmFy');
    expect(base64Url(new TextEncoder().encode('fo'))).toBe('Zm8');
    expect(base64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('format 32 bytes with the kind’s prefix and recognise only that kind', () => {
    const token = formatSecret('api-token', new Uint8Array(32).fill(7));
    expect(token).toMatch(/^swt_[A-Za-z0-9_-]{43}$/);
    expect(isSecretOfKind('api-token', token)).toBe(true);
    expect(isSecretOfKind('session', token)).toBe(false);
    expect(isSecretOfKind('api-token', `${token}x`)).toBe(false);
    expect(() => formatSecret('session', new Uint8Array(16))).toThrow(/32 random bytes; got 16/);
  });

  it('read the token of a Bearer header only', () => {
    expect(bearerTokenOf('Bearer abc')).toBe('abc');
    expect(bearerTokenOf('bearer  abc ')).toBe('abc');
    expect(bearerTokenOf('Basic abc')).toBeUndefined();
    expect(bearerTokenOf(undefined)).toBeUndefined();
  });
});

describe('password policy and user names', () => {
  it('wants 10 to 1024 characters without surrounding blanks', () => {
    expect(() => {
      checkPasswordPolicy('correct horse', 'user "a"');
    }).not.toThrow();
    expect(() => {
      checkPasswordPolicy('short', 'user "a"');
    }).toThrow(ValidationError);
    expect(() => {
      checkPasswordPolicy(' padded password ', 'user "a"');
    }).toThrow(/white space/);
    expect(() => {
      checkPasswordPolicy('x'.repeat(1025), 'user "a"');
    }).toThrow(/at most 1024/);
  });

  it('accepts slug-like user names and names a bad one', () => {
    expect(() => {
      checkUsername('j.doe_2');
    }).not.toThrow();
    expect(() => {
      checkUsername('Bad Name');
    }).toThrow(/"Bad Name"/);
  });
});

describe('login throttle', () => {
  const minute = 60_000;
  it('allows up to four recent failures', () => {
    expect(
      loginRetryAfterSeconds(
        [0, 1, 2, 3].map((i) => i * minute),
        5 * minute,
      ),
    ).toBe(0);
  });

  it('refuses the sixth attempt until the oldest counted failure leaves the window', () => {
    const failures = [0, 1, 2, 3, 4].map((i) => i * minute);
    const wait = loginRetryAfterSeconds(failures, 5 * minute);
    expect(wait).toBe((LOGIN_THROTTLE.windowMs - 5 * minute) / 1000);
    expect(loginRetryAfterSeconds(failures, LOGIN_THROTTLE.windowMs + 1)).toBe(0);
  });

  it('ignores failures older than the window', () => {
    const old = [0, 1, 2, 3, 4].map((i) => i * minute);
    expect(loginRetryAfterSeconds(old, LOGIN_THROTTLE.windowMs + 10 * minute)).toBe(0);
  });
});
