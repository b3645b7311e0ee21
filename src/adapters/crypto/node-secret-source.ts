import { randomBytes } from 'node:crypto';
import type { SecretSource } from '../../app/accounts/account-ports.ts';

/** {@link SecretSource} from node:crypto's CSPRNG. */
export class NodeSecretSource implements SecretSource {
  randomBytes(length: number): Uint8Array {
    return new Uint8Array(randomBytes(length));
  }
}
