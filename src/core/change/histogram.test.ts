import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  createHistogramAccumulator,
  histogramAxisToValue,
  histogramValueToAxis,
} from './histogram.ts';

describe('createHistogramAccumulator', () => {
  it('bins linear values, clamping out-of-range ones into the end bins', () => {
    const histogram = createHistogramAccumulator({ binCount: 4, min: 0, max: 8 });
    histogram.add(Float32Array.from([0, 1.9, 2, 7.99, 8, 9, -1, Number.NaN]), null);
    histogram.add(Float32Array.from([3, 3]), Uint8Array.from([1, 0]));
    const result = histogram.result();
    expect(Array.from(result.counts)).toEqual([3, 2, 0, 3]);
    expect(result.below).toBe(1);
    expect(result.above).toBe(1);
    expect(result.total).toBe(8);
    expect(result.axisWidth).toBe(2);
  });

  it('bins on a log axis, with zero and negative values in bin 0', () => {
    const histogram = createHistogramAccumulator({ binCount: 3, min: 1, max: 1000, scale: 'log' });
    histogram.add(Float64Array.from([0, 1, 9.9, 10, 500, 2000]), null);
    const result = histogram.result();
    expect(Array.from(result.counts)).toEqual([3, 1, 2]);
    expect(result.below).toBe(1);
    expect(histogramAxisToValue(result, result.axisMin + result.axisWidth)).toBeCloseTo(10, 10);
    expect(histogramValueToAxis(result, 0)).toBe(-Infinity);
  });

  it('merges histograms with the same bins and refuses others', () => {
    const first = createHistogramAccumulator({ binCount: 2, min: 0, max: 2 });
    const second = createHistogramAccumulator({ binCount: 2, min: 0, max: 2 });
    first.add(Uint8Array.from([0, 1]), null);
    second.add(Uint8Array.from([1, 1]), null);
    first.merge(second.result());
    expect(Array.from(first.result().counts)).toEqual([1, 3]);
    const other = createHistogramAccumulator({ binCount: 3, min: 0, max: 2 }).result();
    expect(() => {
      first.merge(other);
    }).toThrow(/different bins/);
  });

  it('rejects bad ranges and bin counts', () => {
    expect(() => createHistogramAccumulator({ binCount: 0, min: 0, max: 1 })).toThrow(
      ValidationError,
    );
    expect(() => createHistogramAccumulator({ binCount: 4, min: 1, max: 1 })).toThrow(/max > min/);
    expect(() => createHistogramAccumulator({ binCount: 4, min: 0, max: 1, scale: 'log' })).toThrow(
      /min > 0, got 0/,
    );
  });
});
