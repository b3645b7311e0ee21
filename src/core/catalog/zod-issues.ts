/**
 * Turns zod issues into one-line problems that name the path and the bad value, e.g.
 * `properties.zones[1].kind: expected one of parking, pad, …, got "launchpad"`.
 */
import type { z } from 'zod';
import { describeValue } from '../geo/describe-value.ts';

type Issue = z.core.$ZodIssue;

/** `['properties', 'zones', 1, 'kind']` → `properties.zones[1].kind`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `missing; expected ${issue.expected}`
        : `expected ${issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value': {
      const expected =
        issue.values.length === 1
          ? describeValue(issue.values[0])
          : `one of ${issue.values.map(String).join(', ')}`;
      return `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * One line per issue: `<path>: <problem>` (for an unrecognized key, the path of the object
 * holding it). Parse with `{ reportInput: true }` so that lines can name the bad value.
 */
export function formatZodIssues(issues: readonly Issue[]): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    return path === '' ? describeIssue(issue) : `${path}: ${describeIssue(issue)}`;
  });
}
