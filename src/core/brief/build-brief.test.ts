import { describe, expect, it } from 'vitest';
import type { Assessment } from '../assess/assessment.ts';
import type { Site } from '../catalog/site.ts';
import type { BriefInputs } from './brief-inputs.ts';
import { buildBrief } from './build-brief.ts';
import type { BriefBlock } from './document.ts';
import { parameterText } from './methods.ts';

const site: Site = {
  id: 'yard',
  name: 'Yard',
  kind: 'depot',
  tags: [],
  notes: '',
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ],
    ],
  },
  zones: [],
  links: [{ target: 'pad', relation: 'ships-to' }],
};

const assessment: Assessment = {
  hypothesis: 'launch',
  title: 'A launch',
  prior: 0.1,
  priorLogOdds: -2.197,
  probability: 0.8,
  logOdds: 1.386,
  asOf: '2019-03-08T23:59:59.999Z',
  evidence: [
    {
      id: 'ev1',
      indicator: 'surge',
      site: 'yard',
      zone: null,
      metric: 'vehicles',
      condition: 'vehicles anomaly >= 2',
      observed: 'unobservable',
      observedAt: null,
      ageDays: null,
      weight: 0,
      likelihoodRatio: null,
      logLikelihoodRatio: 0,
      value: null,
      anomalyScore: null,
      baseline: null,
      reason: 'cloud',
      sources: [],
      review: null,
      overridden: false,
    },
  ],
  trajectory: [
    { at: '2019-02-01T00:00:00.000Z', probability: 0.1, logOdds: -2.197 },
    { at: '2019-03-01T00:00:00.000Z', probability: 0.8, logOdds: 1.386 },
  ],
};

function inputs(overrides: Partial<BriefInputs> = {}): BriefInputs {
  return {
    subject: { kind: 'site', siteId: 'yard' },
    generatedAt: '2026-01-01T00:00:00.000Z',
    softwareVersion: '0.1.0',
    sites: [site],
    assessment,
    snapshots: [],
    series: [
      {
        series: {
          key: { siteId: 'yard', zoneId: null, metric: 'vehicles' },
          observed: [],
          notObservable: [
            {
              at: '2019-02-10T00:00:00.000Z',
              atMs: Date.parse('2019-02-10T00:00:00.000Z'),
              observationId: 'obs_1',
              reasons: [{ rule: 'cloud-cover', message: 'cloud cover 80 % is above 20 %' }],
            },
          ],
        },
        scored: [],
      },
    ],
    images: [],
    comparisons: [],
    detectionRuns: [],
    thumbnails: new Map(),
    beforeAfter: null,
    caveats: ['Pictures were not rendered for this brief.'],
    ...overrides,
  };
}

const texts = (blocks: readonly BriefBlock[]) =>
  blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));

describe('buildBrief', () => {
  it('has the sections in order and states the timestamp', () => {
    const brief = buildBrief(inputs());
    expect(brief.sections.map((s) => s.id)).toEqual([
      'subject',
      'assessment',
      'evidence',
      'series',
      'gaps',
      'methods',
    ]);
    expect(brief.generatedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(brief.title).toBe('sitewatch brief: Yard');
  });

  it('is deterministic', () => {
    expect(JSON.stringify(buildBrief(inputs()))).toBe(JSON.stringify(buildBrief(inputs())));
  });

  it('lists gaps and caveats: unobservable evidence, given caveats, no images', () => {
    const gaps = buildBrief(inputs()).sections.find((s) => s.id === 'gaps');
    const table = gaps?.blocks.find((b) => b.kind === 'table');
    expect(table?.kind === 'table' ? table.rows : []).toEqual([
      ['yard vehicles', '2019-02-10 00:00', 'cloud cover 80 % is above 20 %'],
    ]);
    const caveats = texts(gaps?.blocks ?? []);
    expect(caveats).toContain(
      '• surge at yard: not observable, so it did not update the probability.',
    );
    expect(caveats).toContain('• Pictures were not rendered for this brief.');
    expect(caveats).toContain('• No images of these sites are held.');
  });

  it('says when no assessment covers the site', () => {
    const brief = buildBrief(inputs({ assessment: null }));
    expect(brief.sections.map((s) => s.id)).not.toContain('evidence');
    const section = brief.sections.find((s) => s.id === 'assessment');
    expect(texts(section?.blocks ?? [])[0]).toMatch(/No playbook assessment covers this site/);
  });
});

describe('parameterText', () => {
  it('sorts names and writes objects as JSON', () => {
    expect(parameterText({ b: 2, a: 'x', c: { d: [1] }, e: null })).toBe(
      'a=x, b=2, c={"d":[1]}, e=null',
    );
  });
});
