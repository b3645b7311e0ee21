/**
 * Canonical ISO 8601 UTC strings (`YYYY-MM-DDTHH:mm:ss.sssZ`), so that times stored and
 * compared as text order like the instants they name.
 */
import { ValidationError } from '../../core/errors.ts';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * The canonical form of an instant given as a date-time with a zone (`Z` or `±hh:mm`).
 * @param label names the value in error messages (e.g. `acquiredAt`).
 * @throws ValidationError when `text` is not such a date-time or names no real day/time.
 */
export function canonicalIsoInstant(text: string, label: string): string {
  const match = DATE_TIME.exec(text.trim());
  if (match === null) {
    throw new ValidationError(
      `${label} '${text}' is not an ISO 8601 date-time with a zone; expected e.g. 2019-02-22T02:10:00Z`,
    );
  }
  const [, year, month, day, hour, minute] = match;
  assertRealDay(Number(year), Number(month), Number(day), text, label);
  if (Number(hour) > 23 || Number(minute) > 59 || Number(match[6] ?? 0) > 59) {
    throw new ValidationError(`${label} '${text}' names no real time of day`);
  }
  const millis = Date.parse(text.trim().replace(' ', 'T'));
  if (Number.isNaN(millis)) {
    throw new ValidationError(`${label} '${text}' cannot be read as an instant`);
  }
  return new Date(millis).toISOString();
}

/**
 * Lower bound of a time filter: a date (`2019-02-01`) means the start of that day UTC; a
 * date-time is taken as given.
 * @throws ValidationError naming `label` and the value.
 */
export function normaliseSince(text: string, label = 'since'): string {
  const day = parseDateOnly(text, label);
  return day === undefined ? canonicalIsoInstant(text, label) : `${day}T00:00:00.000Z`;
}

/**
 * Upper bound (inclusive) of a time filter: a date means the end of that day UTC
 * (`…T23:59:59.999Z`); a date-time is taken as given.
 * @throws ValidationError naming `label` and the value.
 */
export function normaliseUntil(text: string, label = 'until'): string {
  const day = parseDateOnly(text, label);
  return day === undefined ? canonicalIsoInstant(text, label) : `${day}T23:59:59.999Z`;
}

function parseDateOnly(text: string, label: string): string | undefined {
  const match = DATE_ONLY.exec(text.trim());
  if (match === null) return undefined;
  assertRealDay(Number(match[1]), Number(match[2]), Number(match[3]), text, label);
  return match[0];
}

function assertRealDay(year: number, month: number, day: number, text: string, label: string) {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    throw new ValidationError(`${label} '${text}' names no real calendar day`);
  }
}
