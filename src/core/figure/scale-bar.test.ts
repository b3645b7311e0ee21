import { describe, expect, it } from 'vitest';
import { formatMeters, niceScaleBar } from './scale-bar.ts';

describe('niceScaleBar', () => {
  it.each([
    [1, 400, 200, '200 m'],
    [10.7, 400, 2000, '2 km'],
    [0.5, 100, 50, '50 m'],
    [0.3, 300, 50, '50 m'],
    [3, 400, 1000, '1 km'],
    [0.01, 250, 2, '2 m'],
  ])('%f m/px within %i px → %i m', (mpp, maxPx, meters, label) => {
    const bar = niceScaleBar(mpp, maxPx);
    expect(bar.meters).toBe(meters);
    expect(bar.label).toBe(label);
    expect(bar.lengthPx).toBeLessThanOrEqual(maxPx);
    expect(bar.lengthPx).toBeGreaterThan(maxPx / 5);
  });

  it('names the bad value', () => {
    expect(() => niceScaleBar(0, 100)).toThrow(/metersPerPixel .* got 0/);
    expect(() => niceScaleBar(1, Number.NaN)).toThrow(/maxLengthPx .* got NaN/);
  });

  it('formats metres and kilometres', () => {
    expect(formatMeters(750)).toBe('750 m');
    expect(formatMeters(1500)).toBe('1.5 km');
  });
});
