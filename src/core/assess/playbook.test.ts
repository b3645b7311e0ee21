import { describe, expect, it } from 'vitest';
import { makeSite, rectangle } from '../../app/contracts/fixtures.ts';
import { MetricRegistry } from '../activity/metrics.ts';
import { ValidationError } from '../errors.ts';
import { parsePlaybook } from './playbook.ts';

const catalog = [
  makeSite({
    seed: 1,
    id: 'factory',
    zones: [
      {
        id: 'parking',
        name: 'Parking',
        kind: 'parking',
        geometry: rectangle([124.705, 39.665, 124.708, 39.668]),
      },
    ],
  }),
  makeSite({ seed: 2, id: 'pad-site', zones: [] }),
];
const metrics = new MetricRegistry();

function playbook(
  overrides: Record<string, unknown> = {},
  indicator: Record<string, unknown> = {},
) {
  return {
    hypothesis: 'launch',
    prior: 0.1,
    indicators: [
      {
        id: 'surge',
        at: 'factory/parking',
        when: 'vehicles anomaly >= 2',
        likelihoodRatio: { present: 4, absent: 0.5 },
        ...indicator,
      },
    ],
    ...overrides,
  };
}

function problems(json: unknown): string {
  try {
    parsePlaybook(json, 'pb.yaml', catalog, metrics);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected the playbook to be refused');
}

describe('parsePlaybook', () => {
  it('resolves bindings, conditions, and defaults for window, decay and baseline', () => {
    const parsed = parsePlaybook(
      playbook({ halfLifeDays: 10 }, { at: ['factory/parking', 'pad-site'] }),
      'pb.yaml',
      catalog,
      metrics,
    );
    expect(parsed.prior).toBe(0.1);
    expect(parsed.title).toBe('launch');
    const [indicator] = parsed.indicators;
    expect(indicator?.bindings).toEqual([
      { siteId: 'factory', zoneId: 'parking' },
      { siteId: 'pad-site', zoneId: null },
    ]);
    expect(indicator?.conditionText).toBe('vehicles anomaly >= 2');
    expect(indicator?.windowDays).toBe(30);
    expect(indicator?.halfLifeDays).toBe(10);
    expect(indicator?.baseline).toEqual({ window: { kind: 'days', days: 90 }, seasonal: false });
  });

  it('lets an indicator switch decay off with halfLifeDays: null', () => {
    const parsed = parsePlaybook(
      playbook({ halfLifeDays: 10 }, { halfLifeDays: null }),
      'pb',
      catalog,
      metrics,
    );
    expect(parsed.indicators[0]?.halfLifeDays).toBeNull();
  });

  it.each([
    [
      {},
      { at: 'nowhere/parking' },
      'pb.yaml: indicators[0] (surge).at: unknown site "nowhere" (the catalog has factory, pad-site)',
    ],
    [
      {},
      { at: 'factory/roof' },
      'pb.yaml: indicators[0] (surge).at: unknown zone "roof" of site "factory" (it has parking)',
    ],
    [
      {},
      { when: 'tanks anomaly >= 2' },
      'pb.yaml: indicators[0] (surge).when: unknown metric "tanks"',
    ],
    [
      {},
      { likelihoodRatio: { present: 0, absent: 0.5 } },
      'indicators[0] (surge).likelihoodRatio.present: likelihood ratio must be a finite number > 0; got 0',
    ],
    [
      {},
      { likelihoodRatio: { present: 2, absent: -1 } },
      'likelihoodRatio.absent: likelihood ratio must be a finite number > 0; got -1',
    ],
    [{ prior: 1 }, {}, 'pb.yaml: prior: must be a probability strictly between 0 and 1; got 1'],
    [{ prior: 0 }, {}, 'prior: must be a probability strictly between 0 and 1; got 0'],
    [
      {},
      { when: 'vehicles >> 2' },
      'pb.yaml: indicators[0] (surge).when: condition "vehicles >> 2" is not understood',
    ],
    [{}, { when: 'vehicles' }, 'vehicles is a count, not a fact'],
    [{}, { when: 'crane-present >= 1' }, 'crane-present is a fact (true/false)'],
    [{}, { at: 'factory/parking/x' }, '"factory/parking/x" is not SITE or SITE/ZONE'],
    [{ indicators: [] }, {}, 'pb.yaml: indicators: '],
    [{ hypothesis: 'Launch Prep' }, {}, 'pb.yaml: hypothesis: expected a slug'],
    [{ priors: 0.1 }, {}, 'pb.yaml: unknown key "priors"'],
  ])('refuses %j / %j with a clear message', (top, indicator, message) => {
    expect(problems(playbook(top, indicator))).toContain(message);
  });

  it('reports every problem at once, one line each', () => {
    const json = playbook(
      { prior: 2 },
      { at: 'nowhere', likelihoodRatio: { present: -1, absent: 0 } },
    );
    const lines = problems(json).split('\n');
    expect(lines).toHaveLength(4);
    expect(problems({ ...json, indicators: [json.indicators[0], json.indicators[0]] })).toContain(
      'duplicate indicator id "surge"',
    );
  });
});
