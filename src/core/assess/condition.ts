/**
 * Indicator conditions, as written in playbooks:
 *
 *   crane-present                 a boolean fact is true
 *   not crane-present             a boolean fact is false
 *   changed-fraction >= 0.05      a value compared with a number (`5%` means 0.05)
 *   vehicles anomaly >= 2         the anomaly score (robust z) compared with a number
 *
 * Operators: >=, >, <=, <, ==.
 */
import { ValidationError } from '../errors.ts';

export const COMPARISON_OPERATORS = ['>=', '>', '<=', '<', '=='] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export type Condition =
  | { readonly kind: 'fact'; readonly metric: string; readonly expected: boolean }
  | {
      readonly kind: 'threshold';
      readonly metric: string;
      readonly measure: 'value' | 'anomaly';
      readonly operator: ComparisonOperator;
      readonly threshold: number;
    };

const METRIC = '([a-z0-9][a-z0-9-]*)';
const FACT = new RegExp(`^(not\\s+)?${METRIC}$`);
const THRESHOLD = new RegExp(
  `^${METRIC}(?:\\s+(anomaly))?\\s*(>=|<=|==|>|<)\\s*(-?\\d+(?:\\.\\d+)?(?:e-?\\d+)?)(%?)$`,
  'i',
);

/**
 * Parses a condition.
 * @throws ValidationError naming the text and the expected forms.
 */
export function parseCondition(text: string): Condition {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const fact = FACT.exec(trimmed);
  if (fact !== null) {
    return { kind: 'fact', metric: fact[2] ?? '', expected: fact[1] === undefined };
  }
  const threshold = THRESHOLD.exec(trimmed);
  if (threshold !== null) {
    const [, metric = '', anomaly, operator = '', number = '', percent] = threshold;
    const value = Number(number) / (percent === '%' ? 100 : 1);
    return {
      kind: 'threshold',
      metric: metric.toLowerCase(),
      measure: anomaly === undefined ? 'value' : 'anomaly',
      operator: operator as ComparisonOperator,
      threshold: value,
    };
  }
  throw new ValidationError(
    `condition "${text}" is not understood; expected METRIC, not METRIC, METRIC OP NUMBER or ` +
      'METRIC anomaly OP NUMBER with OP one of >=, >, <=, <, == (e.g. "vehicles anomaly >= 2", ' +
      '"crane-present", "changed-fraction >= 5%")',
  );
}

/** Whether `value` satisfies `operator threshold`. */
export function compare(value: number, operator: ComparisonOperator, threshold: number): boolean {
  switch (operator) {
    case '>=':
      return value >= threshold;
    case '>':
      return value > threshold;
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
    case '==':
      return value === threshold;
  }
}

/** The canonical text of a condition, e.g. `vehicles anomaly >= 2`. */
export function formatCondition(condition: Condition): string {
  if (condition.kind === 'fact') {
    return condition.expected ? condition.metric : `not ${condition.metric}`;
  }
  const measure = condition.measure === 'anomaly' ? ' anomaly' : '';
  return `${condition.metric}${measure} ${condition.operator} ${condition.threshold}`;
}
