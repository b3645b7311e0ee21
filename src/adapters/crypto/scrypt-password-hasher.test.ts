import { describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from './scrypt-password-hasher.ts';

/** Cheap parameters: the production cost is deliberately slow. */
const hasher = new ScryptPasswordHasher({ N: 2 ** 10, r: 8, p: 1 });

describe('ScryptPasswordHasher', () => {
  it('verifies the password it hashed and refuses any other', async () => {
    const hash = await hasher.hash('correct horse battery');
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('correct horse batterY', hash)).toBe(false);
  });

  it('salts each hash', async () => {
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'));
  });

  it('answers false for an unknown user or an unreadable hash', async () => {
    expect(await hasher.verify('anything at all', undefined)).toBe(false);
    expect(await hasher.verify('anything at all', 'md5$abc')).toBe(false);
  });

  it('reads the cost from the stored hash, so raising it keeps old hashes valid', async () => {
    const old = await hasher.hash('correct horse battery');
    const stronger = new ScryptPasswordHasher({ N: 2 ** 11, r: 8, p: 1 });
    expect(await stronger.verify('correct horse battery', old)).toBe(true);
  });
});
