import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { decideForAnomaly, decideForAssessment, inCooldown } from './alert-decision.ts';
import { backoffDelayMs, DEFAULT_BACKOFF } from './alert.ts';
import { parseAlertRule, parseAlertRules, type AlertRule } from './alert-rule.ts';
import { renderAtomFeed } from './atom-feed.ts';
import { formatSignature, parseSignature } from './webhook-payload.ts';

const anomalyRule = parseAlertRule(
  {
    id: 'vehicles-sanumdong',
    severity: 'warning',
    condition: { kind: 'anomaly', site: 'sanumdong', metric: 'vehicles', minScore: 2 },
    cooldownMinutes: 1440,
  },
  'test',
);
const crossRule = parseAlertRule(
  {
    id: 'launch-50',
    severity: 'critical',
    condition: { kind: 'probability-crosses', playbook: 'slp', threshold: 0.5 },
  },
  'test',
);
const riseRule = parseAlertRule(
  {
    id: 'launch-rise',
    severity: 'info',
    condition: { kind: 'probability-rises', margin: 0.2, withinDays: 7 },
  },
  'test',
);

const key = { siteId: 'sanumdong', zoneId: 'parking', metric: 'vehicles' };

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('alert rules', () => {
  it('fills defaults', () => {
    expect(anomalyRule.channels).toEqual([]);
    expect(crossRule.cooldownMinutes).toBe(60);
  });

  it('names the path and the bad value of each problem', () => {
    const text = message(() =>
      parseAlertRules(
        [
          {
            id: 'Bad Id',
            severity: 'loud',
            condition: { kind: 'probability-crosses', threshold: 1.5 },
            channels: [{ kind: 'webhook', url: 'ftp://x', secretEnv: 'S' }],
          },
        ],
        'rules.yaml',
      ),
    );
    expect(text).toContain('rules.yaml: rules[0]: id:');
    expect(text).toContain('severity: expected one of info, warning, critical, got "loud"');
    expect(text).toContain('condition.threshold');
    expect(text).toContain('channels[0].url');
  });

  it('refuses unknown keys, unknown condition kinds and duplicate ids', () => {
    expect(
      message(() =>
        parseAlertRule(
          { id: 'a', severity: 'info', condition: { kind: 'anomaly', minScore: 2, sight: 'x' } },
          'r.json',
        ),
      ),
    ).toContain('unknown key "sight"');
    expect(
      message(() =>
        parseAlertRule({ id: 'a', severity: 'info', condition: { kind: 'vibes' } }, 'r.json'),
      ),
    ).toContain('condition.kind');
    expect(message(() => parseAlertRules({ rules: [crossRule, crossRule] }, 'r.json'))).toContain(
      '"launch-50" appears twice',
    );
    expect(message(() => parseAlertRules([], 'r.json'))).toContain('holds no alert rule');
  });
});

describe('deciding alerts', () => {
  it('fires an anomaly rule at or above k on a matching series only', () => {
    const fact = { seriesKey: key, observationId: 'obs_1', at: '2019-02-22T00:00:00.000Z' };
    expect(decideForAnomaly([anomalyRule], { ...fact, anomalyScore: 2 })).toHaveLength(1);
    expect(decideForAnomaly([anomalyRule], { ...fact, anomalyScore: 1.99 })).toEqual([]);
    expect(decideForAnomaly([anomalyRule], { ...fact, anomalyScore: null })).toEqual([]);
    expect(
      decideForAnomaly([anomalyRule], {
        ...fact,
        seriesKey: { ...key, siteId: 'sohae' },
        anomalyScore: 5,
      }),
    ).toEqual([]);
    const [c] = decideForAnomaly([anomalyRule], { ...fact, anomalyScore: 3 });
    expect(c?.dedupKey).toBe('vehicles-sanumdong|anomaly|obs_1');
    expect(c?.cooldownKey).toBe('vehicles-sanumdong|series|sanumdong/parking:vehicles');
    expect(c?.severity).toBe('warning');
  });

  it('fires a crossing only upwards through the threshold', () => {
    const base = { playbookId: 'slp', hypothesis: 'h', at: '2019-03-01T00:00:00.000Z' };
    const fire = (previousProbability: number, probability: number) =>
      decideForAssessment([crossRule], { ...base, previousProbability, probability }).length;
    expect(fire(0.4, 0.5)).toBe(1);
    expect(fire(0.4, 0.6)).toBe(1);
    expect(fire(0.5, 0.7)).toBe(0);
    expect(fire(0.7, 0.4)).toBe(0);
    expect(
      decideForAssessment([crossRule], {
        ...base,
        playbookId: 'other',
        previousProbability: 0.1,
        probability: 0.9,
      }),
    ).toEqual([]);
  });

  it('fires a rise against the lowest point within the window only', () => {
    const fact = {
      playbookId: 'slp',
      hypothesis: 'h',
      at: '2019-03-10T00:00:00.000Z',
      probability: 0.5,
      previousProbability: 0.45,
    };
    expect(decideForAssessment([riseRule], fact)).toEqual([]);
    const history = [
      { at: '2019-03-05T00:00:00.000Z', probability: 0.25 },
      { at: '2019-02-01T00:00:00.000Z', probability: 0.01 },
    ];
    const [c] = decideForAssessment([riseRule], { ...fact, history });
    expect(c?.subject).toMatchObject({ kind: 'assessment', fromProbability: 0.25 });
    expect(
      decideForAssessment([riseRule], { ...fact, history: [history[1] ?? history[0]!] }),
    ).toEqual([]);
  });

  it('measures the cooldown in fact time', () => {
    const [c] = decideForAnomaly([anomalyRule], {
      seriesKey: key,
      observationId: 'obs_2',
      at: '2019-02-22T12:00:00.000Z',
      anomalyScore: 4,
    });
    if (c === undefined) throw new Error('expected a candidate');
    expect(inCooldown(c, null)).toBe(false);
    expect(inCooldown(c, '2019-02-22T00:00:00.000Z')).toBe(true);
    expect(inCooldown(c, '2019-02-21T12:00:00.000Z')).toBe(false);
    expect(inCooldown({ ...c, cooldownMinutes: 0 }, c.factAt)).toBe(false);
  });
});

describe('backoff, signature and feed', () => {
  it('doubles the wait up to the cap and stops after the last attempt', () => {
    const policy = { baseMs: 1000, maxMs: 5000, maxAttempts: 5 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(policy, a))).toEqual([
      1000,
      2000,
      4000,
      5000,
      null,
    ]);
    expect(backoffDelayMs(DEFAULT_BACKOFF, 1)).toBe(DEFAULT_BACKOFF.baseMs);
  });

  it('round-trips the signature header and refuses other forms', () => {
    const hex = 'AB'.repeat(32);
    expect(parseSignature(formatSignature(hex))).toBe(hex.toLowerCase());
    expect(parseSignature('sha1=abcd')).toBeNull();
    expect(parseSignature(`sha256=${'a'.repeat(63)}`)).toBeNull();
    expect(parseSignature(undefined)).toBeNull();
  });

  it('renders entries newest first with escaped text', () => {
    const rule: AlertRule = anomalyRule;
    const alerts = ['2019-02-22T00:00:00.000Z', '2019-03-01T00:00:00.000Z'].map((at, i) => ({
      ...decideForAnomaly([rule], {
        seriesKey: key,
        observationId: `obs_${i}`,
        at,
        anomalyScore: 3,
      })[0]!,
      title: `<b>&"${i}"`,
      id: `alt_${i}`,
      decidedAt: at,
    }));
    const xml = renderAtomFeed(alerts, {
      feedId: 'urn:x',
      title: 'T',
      emptyUpdated: '2000-01-01T00:00:00.000Z',
    });
    expect(xml).toContain('&lt;b&gt;&amp;&quot;1&quot;');
    expect(xml.indexOf('alt_1')).toBeLessThan(xml.indexOf('alt_0'));
    expect(xml).toContain('<updated>2019-03-01T00:00:00.000Z</updated>');
    expect(renderAtomFeed([], { feedId: 'urn:x', title: 'T', emptyUpdated: 'E' })).toContain(
      '<updated>E</updated>',
    );
  });
});
