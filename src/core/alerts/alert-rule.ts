/**
 * Alert rules: when an anomaly score or an assessment probability deserves an alert, how
 * severe it is, how long to stay quiet afterwards, and where to send it. Parsed with zod so
 * that a bad rule file fails with one line per problem naming the path and the bad value.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import { formatZodIssues } from '../catalog/zod-issues.ts';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const anomalyCondition = z.strictObject({
  kind: z.literal('anomaly'),
  /** Series selector; an absent field matches every value. */
  site: z.string().min(1).optional(),
  zone: z.string().min(1).optional(),
  metric: z.string().min(1).optional(),
  /** Fires when the anomaly score is >= this (k, in robust z units). */
  minScore: z.number().positive(),
});

const playbookSelector = {
  playbook: z.string().min(1).optional(),
  hypothesis: z.string().min(1).optional(),
};

const crossesCondition = z.strictObject({
  kind: z.literal('probability-crosses'),
  ...playbookSelector,
  /** Fires when the probability goes from below this to at or above it. */
  threshold: z.number().gt(0).lt(1),
});

const risesCondition = z.strictObject({
  kind: z.literal('probability-rises'),
  ...playbookSelector,
  /** Fires when the probability is at least this much above its lowest value … */
  margin: z.number().gt(0).lt(1),
  /** … within this many days before the new value. */
  withinDays: z.number().positive(),
});

const webhookChannel = z.strictObject({
  kind: z.literal('webhook'),
  url: z.url({ protocol: /^https?$/ }),
  /** Name of the environment variable holding the HMAC secret (never stored in the rule). */
  secretEnv: z.string().regex(ENV_NAME),
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
});

const emailChannel = z.strictObject({
  kind: z.literal('email'),
  to: z.array(z.email()).min(1),
  from: z.email(),
  smtp: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    /** TLS from the first byte (port 465); otherwise STARTTLS when offered. */
    secure: z.boolean().default(false),
    userEnv: z.string().regex(ENV_NAME).optional(),
    passwordEnv: z.string().regex(ENV_NAME).optional(),
  }),
});

export const alertChannelSchema = z.discriminatedUnion('kind', [webhookChannel, emailChannel]);

export const alertRuleSchema = z.strictObject({
  id: z.string().regex(ID, 'expected lower-case letters, digits and dashes (at most 64)'),
  title: z.string().min(1).max(200).optional(),
  severity: z.enum(ALERT_SEVERITIES),
  condition: z.discriminatedUnion('kind', [anomalyCondition, crossesCondition, risesCondition]),
  /** No second alert for the same series / playbook within this many minutes of fact time. */
  cooldownMinutes: z.number().min(0).default(60),
  /** Where to send; the Atom feed holds every alert regardless. */
  channels: z.array(alertChannelSchema).default([]),
});

export type AlertRule = z.infer<typeof alertRuleSchema>;
export type AlertCondition = AlertRule['condition'];
export type AlertChannel = z.infer<typeof alertChannelSchema>;

/**
 * Validates one rule.
 * @param source names the input in messages (a file path, `rules[2]`).
 * @throws ValidationError listing every problem as `<source>: <path>: <problem>`.
 */
export function parseAlertRule(input: unknown, source: string): AlertRule {
  const result = alertRuleSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const lines = formatZodIssues(result.error.issues).map((line) => `${source}: ${line}`);
    throw new ValidationError(`invalid alert rule:\n${lines.join('\n')}`);
  }
  return result.data;
}

/**
 * A rule file holds one rule object, an array of rules, or `{ rules: [...] }`.
 * @throws ValidationError for any bad rule or for two rules with the same id.
 */
export function parseAlertRules(input: unknown, source: string): AlertRule[] {
  const list: unknown =
    typeof input === 'object' && input !== null && !Array.isArray(input) && 'rules' in input
      ? input.rules
      : input;
  const items = Array.isArray(list) ? list : [list];
  if (items.length === 0) throw new ValidationError(`${source}: holds no alert rule`);
  const rules = items.map((item, index) =>
    parseAlertRule(item, Array.isArray(list) ? `${source}: rules[${index}]` : source),
  );
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.id)) {
      throw new ValidationError(`${source}: alert rule id "${rule.id}" appears twice`);
    }
    seen.add(rule.id);
  }
  return rules;
}
