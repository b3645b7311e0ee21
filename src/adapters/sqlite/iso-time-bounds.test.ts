import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import { canonicalIsoInstant, normaliseSince, normaliseUntil } from './iso-time-bounds.ts';

describe('canonicalIsoInstant', () => {
  it.each([
    ['2019-02-22T02:10:00Z', '2019-02-22T02:10:00.000Z'],
    ['2019-02-22T02:10Z', '2019-02-22T02:10:00.000Z'],
    ['2019-02-22T11:10:00.5+09:00', '2019-02-22T02:10:00.500Z'],
    ['2019-02-21T21:10:00-0500', '2019-02-22T02:10:00.000Z'],
    ['2019-02-22 02:10:00Z', '2019-02-22T02:10:00.000Z'],
  ])('reads %s as %s', (text, expected) => {
    expect(canonicalIsoInstant(text, 'acquiredAt')).toBe(expected);
  });

  it.each([
    '2019-02-22',
    '2019-02-22T02:10:00',
    '2019-02-30T00:00:00Z',
    '2019-02-22T24:00:00Z',
    'soon',
  ])('refuses %s, naming the label and the value', (text) => {
    expect(() => canonicalIsoInstant(text, 'acquiredAt')).toThrow(ValidationError);
    expect(() => canonicalIsoInstant(text, 'acquiredAt')).toThrow(`acquiredAt '${text}'`);
  });

  it('orders as text exactly as the instants order', () => {
    const instant = fc.date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2099-12-31T23:59:59Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const textA = canonicalIsoInstant(a.toISOString(), 'a');
        const textB = canonicalIsoInstant(b.toISOString(), 'b');
        const textOrder = textA < textB ? -1 : textA > textB ? 1 : 0;
        expect(textOrder).toBe(Math.sign(a.getTime() - b.getTime()));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('normaliseSince / normaliseUntil', () => {
  it('widens a date to the whole UTC day', () => {
    expect(normaliseSince('2019-02-01')).toBe('2019-02-01T00:00:00.000Z');
    expect(normaliseUntil('2019-02-01')).toBe('2019-02-01T23:59:59.999Z');
    expect(normaliseUntil('2020-02-29')).toBe('2020-02-29T23:59:59.999Z');
  });

  it('takes a date-time as the instant it names', () => {
    expect(normaliseSince('2019-02-01T09:00:00+09:00')).toBe('2019-02-01T00:00:00.000Z');
    expect(normaliseUntil('2019-02-01T12:00:00Z')).toBe('2019-02-01T12:00:00.000Z');
  });

  it('refuses impossible days and other shapes, naming the filter', () => {
    expect(() => normaliseSince('2019-02-29')).toThrow(/since '2019-02-29'/);
    expect(() => normaliseUntil('2019-13-01')).toThrow(/until '2019-13-01'/);
    expect(() => normaliseUntil('02/01/2019')).toThrow(ValidationError);
  });
});
