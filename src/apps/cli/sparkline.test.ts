import { describe, expect, it } from 'vitest';
import { NOT_OBSERVABLE_MARK, sparkline } from './sparkline.ts';

const DAY_MS = 86_400_000;

describe('sparkline', () => {
  it('scales values from the lowest to the highest block, in time order', () => {
    const points = [0, 7, 14].map((day, i) => ({ atMs: day * DAY_MS, value: [10, 0, 5][i] ?? 0 }));
    expect(sparkline([...points].reverse())).toBe('█▁▅');
  });

  it('marks not-observable points, never drawing them as a low value', () => {
    const line = sparkline([
      { atMs: 0, value: 3 },
      { atMs: 7 * DAY_MS, value: null },
      { atMs: 14 * DAY_MS, value: 9 },
    ]);
    expect(line).toBe(`▁${NOT_OBSERVABLE_MARK}█`);
  });

  it('opens a space before a gap longer than three times the usual spacing', () => {
    const weekly = [0, 7, 14, 21, 70].map((day) => ({ atMs: day * DAY_MS, value: 1 }));
    expect(sparkline(weekly)).toBe('▁▁▁▁ ▁');
  });
});
