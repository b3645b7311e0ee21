import { describe, expect, it } from 'vitest';
import { makeObservation } from '../../app/contracts/observation-repository.contract.ts';
import type { Observation } from './observation.ts';
import {
  median,
  MIN_BASELINE_POINTS,
  MIN_SEASONAL_POINTS,
  scoreSeries,
} from './robust-baseline.ts';
import { assembleSeries } from './series.ts';

const KEY = { siteId: 'site-1', zoneId: 'parking', metric: 'vehicles' };

function at(date: string, value: number | null, seed: number): Observation {
  const observed = value !== null;
  return makeObservation(seed, {
    observedAt: new Date(date).toISOString(),
    value,
    observability: {
      state: observed ? 'observed' : 'not-observable',
      reasons: observed ? [] : [{ rule: 'cloud-cover', message: 'cloud cover 90.0% is above 20%' }],
      unchecked: [],
      zoneVisibleShare: 1,
      gsdMeters: 0.5,
      cloudCoverPercent: observed ? 0 : 90,
    },
  });
}

function weekly(start: string, values: readonly (number | null)[], seed0 = 0): Observation[] {
  const startMs = Date.parse(start);
  return values.map((v, i) =>
    at(new Date(startMs + i * 7 * 86_400_000).toISOString(), v, seed0 + i),
  );
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('scoreSeries', () => {
  const options = { window: { kind: 'days' as const, days: 90 }, seasonal: false, madFloor: 1 };

  it(`says "too few observations" below ${MIN_BASELINE_POINTS} prior points, then scores`, () => {
    const series = assembleSeries(weekly('2019-01-04', [5, 4, 6, 5, 3, 5, 23]), KEY);
    const scored = scoreSeries(series, options);
    expect(scored.slice(0, 5).map((p) => p.anomalyScore)).toEqual([null, null, null, null, null]);
    expect(scored[4]?.reason).toBe(
      'too few observations to say: 4 observed in the 90 days before; need 5',
    );
    expect(scored[5]?.baseline).toMatchObject({ kind: 'trailing', median: 5, mad: 1, count: 5 });
    expect(scored[5]?.anomalyScore).toBe(0);
    // 23 against median 5, MAD 1 (values 5,4,6,5,3,5: deviations 0,1,1,0,2,0 → MAD 0.5, floored to 1).
    expect(scored[6]?.anomalyScore).toBeCloseTo(18 / 1.4826, 10);
  });

  it('keeps not-observable points apart: never a zero, never in a baseline', () => {
    const series = assembleSeries(weekly('2019-01-04', [5, null, 5, 5, null, 5, 5, 5]), KEY);
    expect(series.observed.map((p) => p.value)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(series.notObservable).toHaveLength(2);
    const last = scoreSeries(series, options).at(-1);
    expect(last?.baseline?.count).toBe(5);
    expect(last?.anomalyScore).toBe(0);
    expect(series.observed[1]?.daysSincePrevious).toBe(14);
  });

  it('floors the MAD so that a flat series does not make every change infinite', () => {
    const series = assembleSeries(weekly('2019-01-04', [2, 2, 2, 2, 2, 3]), KEY);
    const last = scoreSeries(series, { ...options, madFloor: 0.5 }).at(-1);
    expect(last?.baseline?.mad).toBe(0);
    expect(last?.anomalyScore).toBeCloseTo(1 / (1.4826 * 0.5), 10);
  });

  it('limits a days window to the days before, and an observations window to the last n', () => {
    const values = [100, 100, 100, 100, 100, 1, 1, 1, 1, 1, 1];
    const series = assembleSeries(weekly('2019-01-04', values), KEY);
    const byDays = scoreSeries(series, { ...options, window: { kind: 'days', days: 35 } }).at(-1);
    expect(byDays?.baseline).toMatchObject({ median: 1, count: 5 });
    const byCount = scoreSeries(series, {
      ...options,
      window: { kind: 'observations', count: 8 },
    }).at(-1);
    expect(byCount?.baseline).toMatchObject({ median: 1, count: 8 });
  });

  it(`uses the same months of earlier years once there are ${MIN_SEASONAL_POINTS} of them`, () => {
    // Two winters at 20 vehicles, summers at 2; the trailing window sees the low autumn.
    const observations: Observation[] = [];
    let seed = 0;
    for (const year of [2016, 2017]) {
      for (const month of [0, 1, 5, 6, 11]) {
        for (const day of [3, 17]) {
          const value = month === 5 || month === 6 ? 2 : 20;
          const mm = String(month + 1).padStart(2, '0');
          observations.push(
            at(`${year}-${mm}-${String(day).padStart(2, '0')}T00:00:00Z`, value, seed++),
          );
        }
      }
    }
    for (const day of ['01', '08', '15', '22', '29']) {
      observations.push(at(`2017-10-${day}T00:00:00Z`, 2, seed++));
    }
    observations.push(at('2018-01-10T00:00:00Z', 20, seed++));
    const series = assembleSeries(observations, KEY);
    const seasonal = scoreSeries(series, { ...options, seasonal: true });
    const january2018 = seasonal.find((p) => p.at.startsWith('2018-01-10'));
    expect(january2018?.baseline?.kind).toBe('seasonal');
    expect(january2018?.baseline?.median).toBe(20);
    expect(january2018?.anomalyScore).toBe(0);
    const trailing = scoreSeries(series, options).find((p) => p.at.startsWith('2018-01-10'));
    expect(trailing?.baseline).toMatchObject({ kind: 'trailing', median: 2 });
    expect(trailing?.anomalyScore).toBeGreaterThan(2);
  });
});
