import { describe, expect, it } from 'vitest';
import { rectangle } from '../../app/contracts/fixtures.ts';
import {
  assessObservability,
  MAX_CLOUD_COVER_PERCENT,
  MAX_GSD_METERS_BY_FAMILY,
  MIN_ZONE_VISIBLE_SHARE,
  zoneShareInsideFootprint,
} from './observability.ts';

const clear = { zoneVisibleShare: 1, cloudCoverPercent: 0, gsdMeters: 0.5, analystReason: null };

describe('assessObservability', () => {
  it('observes a fully visible, clear zone at fine GSD, with nothing unchecked', () => {
    const result = assessObservability(clear, 'vehicle');
    expect(result.state).toBe('observed');
    expect(result.reasons).toEqual([]);
    expect(result.unchecked).toEqual([]);
  });

  it('needs 1 m for vehicles but 5 m for structures', () => {
    const planet = { ...clear, gsdMeters: 3 };
    const vehicles = assessObservability(planet, 'vehicle');
    expect(vehicles.state).toBe('not-observable');
    expect(vehicles.reasons).toEqual([
      { rule: 'gsd', message: 'GSD 3.00 m is coarser than the 1 m vehicle metrics need' },
    ]);
    expect(assessObservability(planet, 'structure').state).toBe('observed');
    expect(assessObservability({ ...clear, gsdMeters: 10 }, 'change').state).toBe('observed');
    expect(MAX_GSD_METERS_BY_FAMILY.vehicle).toBe(1);
  });

  it('applies the thresholds at their boundaries: at the limit is still observable', () => {
    const atLimits = {
      zoneVisibleShare: MIN_ZONE_VISIBLE_SHARE,
      cloudCoverPercent: MAX_CLOUD_COVER_PERCENT,
      gsdMeters: MAX_GSD_METERS_BY_FAMILY.vehicle,
      analystReason: null,
    };
    expect(assessObservability(atLimits, 'vehicle').state).toBe('observed');
    const beyond = assessObservability(
      { ...atLimits, zoneVisibleShare: 0.49, cloudCoverPercent: 20.5 },
      'vehicle',
    );
    expect(beyond.reasons.map((r) => r.rule)).toEqual(['zone-visible-share', 'cloud-cover']);
    expect(beyond.reasons[0]?.message).toBe(
      'only 49.0% of the zone is inside the footprint and not nodata; need 50%',
    );
    expect(beyond.reasons[1]?.message).toBe('cloud cover 20.5% is above 20%');
  });

  it('records unknown facts as unchecked instead of failing them', () => {
    const unknown = assessObservability(
      { zoneVisibleShare: null, cloudCoverPercent: null, gsdMeters: null, analystReason: null },
      'vehicle',
    );
    expect(unknown.state).toBe('observed');
    expect(unknown.unchecked).toEqual(['zone-visible-share', 'cloud-cover', 'gsd']);
  });

  it("takes the analyst's word that the zone could not be seen", () => {
    const result = assessObservability(
      { ...clear, analystReason: 'haze over the pad' },
      'structure',
    );
    expect(result.state).toBe('not-observable');
    expect(result.reasons).toEqual([{ rule: 'analyst', message: 'analyst: haze over the pad' }]);
  });
});

describe('zoneShareInsideFootprint', () => {
  const zone = rectangle([125.0, 39.0, 125.01, 39.01]);

  it('is 1 inside, 0 outside, and about the overlap when half covered', () => {
    expect(zoneShareInsideFootprint(zone, rectangle([124.9, 38.9, 125.1, 39.1]))).toBe(1);
    expect(zoneShareInsideFootprint(zone, rectangle([126, 39, 126.1, 39.1]))).toBe(0);
    const half = zoneShareInsideFootprint(zone, rectangle([125.005, 38.9, 125.1, 39.1]));
    expect(half).toBeCloseTo(0.5, 2);
    const quarter = zoneShareInsideFootprint(zone, rectangle([125.0075, 39.0, 125.1, 39.1]));
    expect(quarter).toBeCloseTo(0.25, 1);
  });
});
