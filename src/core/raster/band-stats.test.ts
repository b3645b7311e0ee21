import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { createBandStatsAccumulator } from './band-stats.ts';

function direct(values: readonly number[], nodata: number | null) {
  const valid = values.filter((v) => !Number.isNaN(v) && v !== nodata);
  const mean = valid.reduce((a, b) => a + b, 0) / valid.length;
  const variance = valid.reduce((a, b) => a + (b - mean) ** 2, 0) / valid.length;
  return {
    min: Math.min(...valid),
    max: Math.max(...valid),
    mean,
    stdDev: Math.sqrt(variance),
    validCount: valid.length,
  };
}

describe('createBandStatsAccumulator', () => {
  it('matches a direct computation however the samples are split into windows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -500, max: 500 }), fc.constant(-9999)), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        (values, chunkSizes) => {
          const accumulator = createBandStatsAccumulator(2, -9999);
          let start = 0;
          let chunk = 0;
          while (start < values.length) {
            const size = chunkSizes[chunk % chunkSizes.length] ?? 1;
            accumulator.add(1, Int16Array.from(values.slice(start, start + size)));
            start += size;
            chunk += 1;
          }
          const [empty, stats] = accumulator.result();
          expect(empty?.validCount).toBe(0);
          const expected = direct(values, -9999);
          if (expected.validCount === 0) {
            expect(stats?.validCount).toBe(0);
            return;
          }
          expect(stats?.validCount).toBe(expected.validCount);
          expect(stats?.min).toBe(expected.min);
          expect(stats?.max).toBe(expected.max);
          expect(stats?.mean).toBeCloseTo(expected.mean, 9);
          expect(stats?.stdDev).toBeCloseTo(expected.stdDev, 9);
        },
      ),
      { seed: 1729, numRuns: 200 },
    );
  });

  it('treats NaN as nodata for float bands, whatever the nodata value', () => {
    const accumulator = createBandStatsAccumulator(1, null);
    accumulator.add(0, Float32Array.from([1, Number.NaN, 3]));
    accumulator.add(0, Float64Array.from([Number.NaN, 5]));
    expect(accumulator.result()).toEqual([
      { min: 1, max: 5, mean: 3, stdDev: Math.sqrt(8 / 3), validCount: 3 },
    ]);
  });

  it('keeps precision for large offsets (float64 Welford, not naive sums)', () => {
    const accumulator = createBandStatsAccumulator(1, null);
    for (let i = 0; i < 1000; i += 1)
      accumulator.add(0, Float64Array.from([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]));
    const [stats] = accumulator.result();
    expect(stats?.mean).toBeCloseTo(1e9 + 10, 6);
    expect(stats?.stdDev).toBeCloseTo(Math.sqrt(22.5), 6);
  });

  it('reports zeros and validCount 0 for a band with only nodata', () => {
    const accumulator = createBandStatsAccumulator(1, 0);
    accumulator.add(0, Uint8Array.from([0, 0]));
    expect(accumulator.result()).toEqual([{ min: 0, max: 0, mean: 0, stdDev: 0, validCount: 0 }]);
  });

  it('rejects a band index outside the band count and a bad band count', () => {
    const accumulator = createBandStatsAccumulator(3, null);
    expect(() => {
      accumulator.add(3, new Uint8Array(1));
    }).toThrow(ValidationError);
    expect(() => {
      accumulator.add(-1, new Uint8Array(1));
    }).toThrow(/band index -1/);
    expect(() => createBandStatsAccumulator(1.5, null)).toThrow(ValidationError);
  });
});
