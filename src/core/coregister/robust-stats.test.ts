import { describe, expect, it } from 'vitest';
import { quantile, weightedMedian } from './robust-stats.ts';

describe('quantile', () => {
  it('interpolates linearly between order statistics (numpy default)', () => {
    const values = [10, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(quantile(values, 0.5)).toBe(5.5);
    expect(quantile(values, 0.9)).toBeCloseTo(9.1, 12);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(10);
    expect(quantile([4], 0.9)).toBe(4);
  });

  it('ignores non-finite values and gives null without any', () => {
    expect(quantile([1, Number.NaN, 3, Number.POSITIVE_INFINITY], 0.5)).toBe(2);
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([Number.NaN], 0.5)).toBeNull();
  });
});

describe('weightedMedian', () => {
  it('follows the weights and ignores an outlier with little weight', () => {
    expect(weightedMedian([1, 2, 100], [1, 1, 1])).toBe(2);
    expect(weightedMedian([1, 2, 100], [0.1, 0.1, 5])).toBe(100);
    expect(weightedMedian([1.0, 1.1, 0.9, 50], [0.9, 0.8, 0.9, 0.2])).toBe(1.0);
  });

  it('averages the two middle values on an exact tie, and skips zero weights and NaN', () => {
    expect(weightedMedian([1, 3], [1, 1])).toBe(2);
    expect(weightedMedian([1, 3, Number.NaN, 7], [1, 1, 5, 0])).toBe(2);
    expect(weightedMedian([], [])).toBeNull();
    expect(weightedMedian([1], [0])).toBeNull();
  });
});
