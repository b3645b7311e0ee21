/**
 * Account roles, ordered: a viewer reads; an analyst also annotates, confirms or rejects and
 * runs jobs and assessments; an admin also manages accounts and settings.
 */
import { ValidationError } from '../errors.ts';

export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** True when `role` may do what `required` may (roles are cumulative). */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** @throws ValidationError naming the text and the roles expected */
export function parseRole(text: string): Role {
  const role = ROLES.find((r) => r === text);
  if (role === undefined) {
    throw new ValidationError(`role "${text}" is not one of ${ROLES.join(', ')}`);
  }
  return role;
}
