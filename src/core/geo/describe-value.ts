/** Short descriptions of arbitrary input values, for error messages. */

const MAX_STRING_CHARS = 60;

/** Describes a value in a few words, e.g. `"launchpad"`, `42`, `null`, `an array of length 3`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') {
    const type = (value as { type?: unknown }).type;
    return typeof type === 'string' ? `an object of type ${JSON.stringify(type)}` : 'an object';
  }
  return `a ${typeof value}`;
}
