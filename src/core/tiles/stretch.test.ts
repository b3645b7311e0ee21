import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { composeRgba } from './compose-rgba.ts';
import { bandHistogram, histogramPercentile, percentileStretch, stretchToByte } from './stretch.ts';
import { parseStretch, tileOptionsKey } from './tile-options.ts';

describe('percentile stretch', () => {
  // 0..999 once each, plus nodata and NaN which must be ignored.
  const samples = Float32Array.from([...Array.from({ length: 1000 }, (_, i) => i), -1, NaN]);

  it('finds percentiles of valid samples within one bin', () => {
    const histogram = bandHistogram(samples, -1);
    expect(histogram.total).toBe(1000);
    expect([histogram.min, histogram.max]).toEqual([0, 999]);
    const binWidth = 999 / 4096;
    expect(Math.abs(histogramPercentile(histogram, 2) - 20)).toBeLessThan(1 + binWidth);
    expect(Math.abs(histogramPercentile(histogram, 98) - 980)).toBeLessThan(1 + binWidth);
    expect(histogramPercentile(histogram, 0)).toBe(0);
    expect(histogramPercentile(histogram, 100)).toBeCloseTo(999, 6);
    expect(() => histogramPercentile(histogram, 101)).toThrow(ValidationError);
  });

  it('maps low to 0, high to 255 and clips beyond', () => {
    const stretch = percentileStretch(bandHistogram(samples, -1), 0, 100);
    expect(stretchToByte(-50, stretch)).toBe(0);
    expect(stretchToByte(999 / 2, stretch)).toBe(128);
    expect(stretchToByte(5000, stretch)).toBe(255);
  });

  it('keeps a flat or empty band finite', () => {
    const flat = percentileStretch(bandHistogram(new Uint16Array([7, 7, 7]), null), 2, 98);
    expect(flat).toEqual({ low: 7, high: 8 });
    expect(bandHistogram(new Float32Array([NaN]), null).total).toBe(0);
  });

  it('composes RGB and grey pixels, transparent where invalid', () => {
    const s = { low: 0, high: 255 };
    const rgb = composeRgba(
      [Float32Array.of(10, 20), Float32Array.of(30, 40), Float32Array.of(50, 60)],
      [s, s, s],
      Uint8Array.of(1, 0),
    );
    expect([...rgb]).toEqual([10, 30, 50, 255, 0, 0, 0, 0]);
    expect([...composeRgba([Float32Array.of(99)], [s], Uint8Array.of(1))]).toEqual([
      99, 99, 99, 255,
    ]);
    expect(() =>
      composeRgba([Float32Array.of(1), Float32Array.of(1)], [s, s], Uint8Array.of(1)),
    ).toThrow(ValidationError);
  });

  it('parses pLOW,pHIGH and names bad text', () => {
    expect(parseStretch(undefined)).toEqual({ lowPercent: 2, highPercent: 98 });
    expect(parseStretch('p0.5,p99.5')).toEqual({ lowPercent: 0.5, highPercent: 99.5 });
    expect(() => parseStretch('2,98')).toThrow(/stretch '2,98'/);
    expect(() => parseStretch('p50,p50')).toThrow(ValidationError);
    expect(tileOptionsKey({ bands: [3, 2, 1], stretch: { lowPercent: 2, highPercent: 98 } })).toBe(
      'bands=3,2,1;stretch=p2,p98',
    );
  });
});
