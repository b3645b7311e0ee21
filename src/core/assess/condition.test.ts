import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { compare, formatCondition, parseCondition } from './condition.ts';

describe('parseCondition', () => {
  it.each([
    ['crane-present', { kind: 'fact', metric: 'crane-present', expected: true }],
    ['not  crane-present', { kind: 'fact', metric: 'crane-present', expected: false }],
    [
      'vehicles anomaly >= 2',
      { kind: 'threshold', metric: 'vehicles', measure: 'anomaly', operator: '>=', threshold: 2 },
    ],
    [
      'changed-fraction >= 5%',
      {
        kind: 'threshold',
        metric: 'changed-fraction',
        measure: 'value',
        operator: '>=',
        threshold: 0.05,
      },
    ],
    [
      'vehicles<3',
      { kind: 'threshold', metric: 'vehicles', measure: 'value', operator: '<', threshold: 3 },
    ],
    [
      'vehicles anomaly <= -1.5',
      {
        kind: 'threshold',
        metric: 'vehicles',
        measure: 'anomaly',
        operator: '<=',
        threshold: -1.5,
      },
    ],
  ])('reads "%s"', (text, expected) => {
    expect(parseCondition(text)).toEqual(expected);
  });

  it.each(['vehicles >> 2', 'vehicles anomaly', 'vehicles = 2', '>= 2', 'vehicles >= two', ''])(
    'refuses "%s", naming it and the expected forms',
    (text) => {
      expect(() => parseCondition(text)).toThrow(ValidationError);
      expect(() => parseCondition(text)).toThrow(`condition "${text}" is not understood`);
    },
  );

  it('prints back a canonical form that parses to the same condition', () => {
    for (const text of [
      'crane-present',
      'not crane-present',
      'vehicles anomaly >= 2',
      'changed-fraction > 5%',
    ]) {
      const condition = parseCondition(text);
      expect(parseCondition(formatCondition(condition))).toEqual(condition);
    }
  });
});

describe('compare', () => {
  it('applies each operator', () => {
    expect([
      compare(2, '>=', 2),
      compare(2, '>', 2),
      compare(2, '<=', 2),
      compare(2, '<', 2),
      compare(2, '==', 2),
    ]).toEqual([true, false, true, false, true]);
  });
});
