/**
 * The text form of secrets handed to clients (API tokens, session ids): a prefix naming the
 * kind, then the 32 random bytes in base64url. Only their sha256 is stored.
 */

/** Random bytes in every API token and session id. */
export const SECRET_BYTES = 32;

export type SecretKind = 'api-token' | 'session';

const PREFIXES: Readonly<Record<SecretKind, string>> = { 'api-token': 'swt_', session: 'sws_' };

/** base64url without padding, RFC 4648 §5 (no node:buffer in core). */
export function base64Url(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) text += alphabet.charAt((chunk >> (18 - 6 * c)) & 63);
  }
  return text;
}

/**
 * Formats random bytes as a secret of the kind.
 * @throws RangeError when `bytes` is not {@link SECRET_BYTES} long (a programming error)
 */
export function formatSecret(kind: SecretKind, bytes: Uint8Array): string {
  if (bytes.length !== SECRET_BYTES) {
    throw new RangeError(`a secret needs ${SECRET_BYTES} random bytes; got ${bytes.length}`);
  }
  return `${PREFIXES[kind]}${base64Url(bytes)}`;
}

/** True when `text` has the shape of a secret of the kind (checked before any lookup). */
export function isSecretOfKind(kind: SecretKind, text: string): boolean {
  const body = text.slice(PREFIXES[kind].length);
  return text.startsWith(PREFIXES[kind]) && /^[A-Za-z0-9_-]{43}$/.test(body);
}

/** The token of an `Authorization: Bearer …` header, or undefined for any other header. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
