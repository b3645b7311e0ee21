/**
 * {@link PasswordHasher} with node:crypto scrypt: a 16-byte random salt per password, the
 * parameters stored with the hash (`scrypt$N$r$p$salt$key`, base64url) so they can be raised
 * later without invalidating old hashes, and a constant-time comparison.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../../app/accounts/account-ports.ts';

const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** OWASP's minimum for scrypt (N = 2^17, r = 8, p = 1): about 128 MiB and 0.1–0.3 s per hash. */
export const DEFAULT_SCRYPT_COST = { N: 2 ** 17, r: 8, p: 1 } as const;

export interface ScryptCost {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolvePromise, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => {
      if (error === null) resolvePromise(key);
      else reject(error);
    });
  });
}

export class ScryptPasswordHasher implements PasswordHasher {
  readonly #cost: ScryptCost;
  readonly #dummySalt = randomBytes(SALT_BYTES);

  /** @param cost lower only in tests (hashing at full cost is deliberately slow). */
  constructor(cost: ScryptCost = DEFAULT_SCRYPT_COST) {
    this.#cost = cost;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, this.#cost);
    const { N, r, p } = this.#cost;
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, encodedHash: string | undefined): Promise<boolean> {
    const parts = encodedHash?.split('$') ?? [];
    const [scheme, n, r, p, salt, key] = parts;
    if (parts.length !== 6 || scheme !== 'scrypt' || salt === undefined || key === undefined) {
      // Unknown user (or an unreadable hash): spend the same time, then refuse.
      await derive(password, this.#dummySalt, this.#cost);
      return false;
    }
    const expected = Buffer.from(key, 'base64url');
    const actual = await derive(password, Buffer.from(salt, 'base64url'), {
      N: Number(n),
      r: Number(r),
      p: Number(p),
    });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
