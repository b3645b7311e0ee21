/** What a password must be: long enough to resist guessing, short enough to hash cheaply. */
import { ValidationError } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * @param label names the account in the message (never the password itself).
 * @throws ValidationError saying which bound the password breaks
 */
export function checkPasswordPolicy(password: string, label: string): void {
  // Code points, so that a password of emoji or CJK characters is measured as typed.
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(
      `password for ${label} has ${length} characters; at least ${MIN_PASSWORD_LENGTH} are required`,
    );
  }
  if (length > MAX_PASSWORD_LENGTH) {
    throw new ValidationError(
      `password for ${label} has ${length} characters; at most ${MAX_PASSWORD_LENGTH} are allowed`,
    );
  }
  if (password.trim() !== password) {
    throw new ValidationError(
      `password for ${label} starts or ends with white space (often a copy mistake)`,
    );
  }
}

/** Account names: like site slugs, with dots and underscores (e.g. `j.doe`). */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** @throws ValidationError naming the text and the pattern */
export function checkUsername(name: string): void {
  if (!USERNAME_PATTERN.test(name)) {
    throw new ValidationError(
      `user name "${name}" must be 1–64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}
