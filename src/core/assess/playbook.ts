/**
 * Playbooks: a hypothesis, its prior probability and the indicators that bear on it, each
 * bound to sites/zones of the catalog with a condition on a metric, likelihood ratios for
 * "seen present" and "seen absent", a time window and a decay. Parsed from plain data (the
 * YAML or JSON is read at the edge) and checked against the catalog and the metric registry;
 * every problem is reported at once, one line each, naming the indicator and the bad value.
 */
import { z } from 'zod';
import type { Site } from '../catalog/site.ts';
import { SLUG_PATTERN } from '../catalog/site.ts';
import { formatZodIssues } from '../catalog/zod-issues.ts';
import { ValidationError } from '../errors.ts';
import type { MetricRegistry } from '../activity/metrics.ts';
import { DEFAULT_BASELINE_WINDOW, type BaselineWindow } from '../activity/robust-baseline.ts';
import { formatCondition, parseCondition, type Condition } from './condition.ts';

/** Look-back for evidence when neither the indicator nor the playbook gives one, days. */
export const DEFAULT_WINDOW_DAYS = 30;

const slug = z.string().regex(SLUG_PATTERN, 'expected a slug (lowercase letters, digits, dashes)');
const positive = z.number().positive();

const baselineSchema = z
  .strictObject({
    windowDays: positive.optional(),
    windowObservations: z.number().int().positive().optional(),
    seasonal: z.boolean().optional(),
  })
  .refine((b) => b.windowDays === undefined || b.windowObservations === undefined, {
    error: 'give windowDays or windowObservations, not both',
  });

const indicatorSchema = z.strictObject({
  id: slug,
  description: z.string().optional(),
  at: z.union([z.string(), z.array(z.string()).min(1)]),
  when: z.string(),
  likelihoodRatio: z.strictObject({ present: z.number(), absent: z.number() }),
  windowDays: positive.optional(),
  halfLifeDays: positive.nullable().optional(),
  baseline: baselineSchema.optional(),
});

const playbookSchema = z.strictObject({
  hypothesis: slug,
  title: z.string().optional(),
  description: z.string().optional(),
  prior: z.number(),
  windowDays: positive.optional(),
  halfLifeDays: positive.nullable().optional(),
  baseline: baselineSchema.optional(),
  indicators: z.array(indicatorSchema).min(1),
});

type RawBaseline = z.infer<typeof baselineSchema>;

/** A place an indicator looks at: a site, or one zone of it. */
export interface IndicatorBinding {
  readonly siteId: string;
  readonly zoneId: string | null;
}

export interface LikelihoodRatios {
  /** P(seen present | hypothesis) / P(seen present | not hypothesis); > 0. */
  readonly present: number;
  /** P(seen absent | hypothesis) / P(seen absent | not hypothesis); > 0. */
  readonly absent: number;
}

export interface IndicatorBaseline {
  readonly window: BaselineWindow;
  readonly seasonal: boolean;
}

export interface Indicator {
  readonly id: string;
  readonly description: string;
  readonly bindings: readonly IndicatorBinding[];
  readonly condition: Condition;
  /** Canonical text of the condition. */
  readonly conditionText: string;
  readonly likelihoodRatio: LikelihoodRatios;
  /** Evidence older than this (before the assessment time) is not used, days. */
  readonly windowDays: number;
  /** Evidence's weight halves every this many days; null: no decay. */
  readonly halfLifeDays: number | null;
  /** For `anomaly` conditions. */
  readonly baseline: IndicatorBaseline;
}

export interface Playbook {
  readonly hypothesis: string;
  readonly title: string;
  readonly description: string;
  /** Prior probability of the hypothesis, in (0, 1). */
  readonly prior: number;
  readonly indicators: readonly Indicator[];
}

function resolveBaseline(
  own: RawBaseline | undefined,
  shared: RawBaseline | undefined,
): IndicatorBaseline {
  const pick = own ?? shared;
  const window: BaselineWindow =
    pick?.windowObservations !== undefined
      ? { kind: 'observations', count: pick.windowObservations }
      : pick?.windowDays !== undefined
        ? { kind: 'days', days: pick.windowDays }
        : DEFAULT_BASELINE_WINDOW;
  return { window, seasonal: pick?.seasonal ?? false };
}

function parseBinding(
  text: string,
  where: string,
  sites: ReadonlyMap<string, Site>,
  problems: string[],
): IndicatorBinding | undefined {
  const [siteId = '', zoneId, extra] = text.trim().split('/');
  if (extra !== undefined || siteId === '' || zoneId === '') {
    problems.push(`${where}: "${text}" is not SITE or SITE/ZONE`);
    return undefined;
  }
  const site = sites.get(siteId);
  if (site === undefined) {
    const known = [...sites.keys()].sort().join(', ') || 'none';
    problems.push(`${where}: unknown site "${siteId}" (the catalog has ${known})`);
    return undefined;
  }
  if (zoneId !== undefined && !site.zones.some((zone) => zone.id === zoneId)) {
    const known = site.zones.map((zone) => zone.id).join(', ') || 'none';
    problems.push(`${where}: unknown zone "${zoneId}" of site "${siteId}" (it has ${known})`);
    return undefined;
  }
  return { siteId, zoneId: zoneId ?? null };
}

function checkCondition(
  text: string,
  where: string,
  metrics: MetricRegistry,
  problems: string[],
): Condition | undefined {
  let condition: Condition;
  try {
    condition = parseCondition(text);
  } catch (error) {
    problems.push(`${where}: ${(error as Error).message}`);
    return undefined;
  }
  const metric = metrics.get(condition.metric);
  if (metric === undefined) {
    problems.push(
      `${where}: unknown metric "${condition.metric}" (known: ${metrics.ids().join(', ')})`,
    );
    return undefined;
  }
  if (condition.kind === 'fact' && metric.kind !== 'boolean') {
    problems.push(
      `${where}: "${text}": ${metric.id} is a ${metric.kind}, not a fact; compare it, e.g. "${metric.id} anomaly >= 2"`,
    );
    return undefined;
  }
  if (condition.kind === 'threshold' && metric.kind === 'boolean') {
    problems.push(
      `${where}: "${text}": ${metric.id} is a fact (true/false); write "${metric.id}" or "not ${metric.id}"`,
    );
    return undefined;
  }
  return condition;
}

function checkRatio(value: number, where: string, problems: string[]): void {
  if (!(value > 0) || !Number.isFinite(value)) {
    problems.push(`${where}: likelihood ratio must be a finite number > 0; got ${value}`);
  }
}

/**
 * Parses and checks a playbook against the catalog and the metrics.
 * @param label names the playbook (its file) in messages.
 * @throws ValidationError listing every problem, one per line, each naming the indicator and
 *   the bad value: unknown site, zone or metric, a likelihood ratio ≤ 0, a prior outside
 *   (0, 1), a condition that cannot be parsed, duplicate indicator ids, a bad shape.
 */
export function parsePlaybook(
  json: unknown,
  label: string,
  catalog: readonly Site[],
  metrics: MetricRegistry,
): Playbook {
  const parsed = playbookSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    throw new ValidationError(
      formatZodIssues(parsed.error.issues)
        .map((line) => `${label}: ${line}`)
        .join('\n'),
    );
  }
  const raw = parsed.data;
  const problems: string[] = [];
  if (!(raw.prior > 0 && raw.prior < 1)) {
    problems.push(`prior: must be a probability strictly between 0 and 1; got ${raw.prior}`);
  }
  const sites = new Map(catalog.map((site) => [site.id, site]));
  const seen = new Set<string>();
  const indicators: Indicator[] = [];
  raw.indicators.forEach((item, index) => {
    const where = `indicators[${index}] (${item.id})`;
    if (seen.has(item.id)) problems.push(`${where}: duplicate indicator id "${item.id}"`);
    seen.add(item.id);
    const places = typeof item.at === 'string' ? [item.at] : item.at;
    const bindings = places
      .map((text) => parseBinding(text, `${where}.at`, sites, problems))
      .filter((binding): binding is IndicatorBinding => binding !== undefined);
    const condition = checkCondition(item.when, `${where}.when`, metrics, problems);
    checkRatio(item.likelihoodRatio.present, `${where}.likelihoodRatio.present`, problems);
    checkRatio(item.likelihoodRatio.absent, `${where}.likelihoodRatio.absent`, problems);
    if (condition === undefined || bindings.length !== places.length) return;
    indicators.push({
      id: item.id,
      description: item.description ?? '',
      bindings,
      condition,
      conditionText: formatCondition(condition),
      likelihoodRatio: item.likelihoodRatio,
      windowDays: item.windowDays ?? raw.windowDays ?? DEFAULT_WINDOW_DAYS,
      halfLifeDays:
        item.halfLifeDays !== undefined ? item.halfLifeDays : (raw.halfLifeDays ?? null),
      baseline: resolveBaseline(item.baseline, raw.baseline),
    });
  });
  if (problems.length > 0) {
    throw new ValidationError(problems.map((line) => `${label}: ${line}`).join('\n'));
  }
  return {
    hypothesis: raw.hypothesis,
    title: raw.title ?? raw.hypothesis,
    description: raw.description ?? '',
    prior: raw.prior,
    indicators,
  };
}
