/**
 * The seed case end to end: the 2019 Sanumdong / Sohae observations replayed through the CLI
 * against the example catalog and playbook, the trajectory and evidence trail checked against
 * a golden file (REGEN=1 rewrites it), and the same observations marked not observable
 * leaving the probability at the prior.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const CATALOG = join(REPO_ROOT, 'examples/catalog.geojson');
const PLAYBOOK = join(REPO_ROOT, 'examples/playbooks/space-launch-preparation.yaml');
const OBSERVATIONS = join(REPO_ROOT, 'examples/observations/2019-sanumdong-sohae.json');
const GOLDEN = join(REPO_ROOT, 'src/apps/cli/testdata/assess-2019-golden.json');

interface EvidenceJson {
  id: string;
  indicator: string;
  site: string;
  zone: string | null;
  observed: 'present' | 'absent' | 'unobservable';
  logLikelihoodRatio: number;
  sources: { observationId: string; kind: string; note: string }[];
}

interface AssessJson {
  hypothesis: string;
  prior: number;
  probability: number;
  asOf: string;
  logOdds: number;
  priorLogOdds: number;
  evidence: EvidenceJson[];
  trajectory: { at: string; probability: number; logOdds: number }[];
}

async function seededHome(
  observationsFile: string,
): Promise<(...args: string[]) => ReturnType<typeof runCliCaptured>> {
  const home = mkdtempSync(join(tmpdir(), 'sitewatch-assess-'));
  const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
  const sites = await sw('sites', 'import', CATALOG);
  expect(sites.code, sites.stderr).toBe(0);
  const imported = await sw('observe', 'import', observationsFile, '--json');
  expect(imported.code, imported.stderr).toBe(0);
  return sw;
}

/** What the golden file holds: the trajectory and the trail, numbers rounded to 1e-9. */
function goldenView(result: AssessJson) {
  const round = (x: number) => Math.round(x * 1e9) / 1e9;
  return {
    hypothesis: result.hypothesis,
    prior: result.prior,
    asOf: result.asOf,
    probability: round(result.probability),
    trajectory: result.trajectory.map((t) => ({ at: t.at, probability: round(t.probability) })),
    evidence: result.evidence.map((e) => ({
      id: e.id,
      indicator: e.indicator,
      site: e.site,
      zone: e.zone,
      observed: e.observed,
      logLikelihoodRatio: round(e.logLikelihoodRatio),
      sources: e.sources.map((s) => s.observationId),
    })),
  };
}

describe('the 2019 seed case', () => {
  let sw: Awaited<ReturnType<typeof seededHome>>;
  beforeAll(async () => {
    sw = await seededHome(OBSERVATIONS);
  });

  it('imports the observations once: a second import adds nothing', async () => {
    const again = await sw('observe', 'import', OBSERVATIONS, '--json');
    expect(again.code, again.stderr).toBe(0);
    const result = again.json<{ inserted: string[]; existing: string[] }>();
    expect(result.inserted).toEqual([]);
    expect(result.existing).toHaveLength(31);
  });

  it('matches the golden trajectory and evidence trail (REGEN=1 rewrites it)', async () => {
    const run = await sw('assess', '--playbook', PLAYBOOK, '--at', '2019-03-08', '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<AssessJson>();
    const view = goldenView(result);
    if (process.env.REGEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(view, null, 2)}\n`);
    expect(existsSync(GOLDEN), `${GOLDEN} is missing: run with REGEN=1`).toBe(true);
    expect(view).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
  });

  it('tells the 2019 story: low before February, high once Sanumdong and Sohae light up', async () => {
    const run = await sw('assess', '--playbook', PLAYBOOK, '--at', '2019-03-08', '--json');
    const result = run.json<AssessJson>();
    expect(result.hypothesis).toBe('space-launch-preparation');
    expect(result.prior).toBe(0.1);
    expect(result.asOf).toBe('2019-03-08T23:59:59.999Z');
    const at = (day: string) =>
      result.trajectory.find((t) => t.at.startsWith(day))?.probability ?? NaN;
    expect(at('2019-02-16')).toBeLessThan(0.1);
    expect(at('2019-02-22')).toBeGreaterThan(0.5);
    expect(at('2019-03-02')).toBeGreaterThan(at('2019-02-22'));
    const byIndicator = new Map(result.evidence.map((e) => [e.indicator, e]));
    expect(byIndicator.get('sanumdong-vehicle-surge')?.observed).toBe('present');
    expect(byIndicator.get('rail-transfer-activity')?.site).toBe('sanumdong-rail-transfer');
    expect(byIndicator.get('sohae-pad-reassembly')?.observed).toBe('present');
    expect(byIndicator.get('sohae-pad-change')).toMatchObject({
      observed: 'unobservable',
      logLikelihoodRatio: 0,
    });
    for (const e of result.evidence.filter((item) => item.observed !== 'unobservable')) {
      expect(e.sources[0]?.kind).toBe('manual');
      expect(e.sources[0]?.note).not.toBe('');
    }
    const sum = result.evidence.reduce((s, e) => s + e.logLikelihoodRatio, 0);
    expect(result.logOdds).toBeCloseTo(result.priorLogOdds + sum, 12);
  });

  it('knows nothing before the first observation: the prior', async () => {
    const run = await sw('assess', '--playbook', PLAYBOOK, '--at', '2018-11-01', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<AssessJson>().probability).toBeCloseTo(0.1, 12);
  });

  it('prints the trail readably in text mode', async () => {
    const run = await sw('assess', '--playbook', PLAYBOOK, '--at', '2019-03-08');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^space-launch-preparation — Preparation of a space launch from Sohae/,
    );
    expect(run.stdout).toMatch(/probability \d+\.\d% \(prior 10\.0%/);
    expect(run.stdout).toContain(
      '+ sanumdong-vehicle-surge: PRESENT — vehicles anomaly >= 2 at sanumdong/parking',
    );
    expect(run.stdout).toContain('sohae-pad-change: UNOBSERVABLE');
    expect(run.stdout).toMatch(
      /from obs_[0-9a-f]{16} \(manual, by example-analyst\): Many cars and trucks/,
    );
    expect(run.stdout).toContain('probability over time');
  });

  it('shows the vehicle series with the 3 m image as a gap, never a zero', async () => {
    const run = await sw('series', 'sanumdong', '--zone', 'parking', '--metric', 'vehicles');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('sanumdong/parking  vehicles: 12 observed, 1 not observable');
    expect(run.stdout).toMatch(/█×/);
    expect(run.stdout).toContain('too few observations to say');
    expect(run.stdout).toContain('GSD 3.00 m is coarser than the 1 m vehicle metrics need');
    const json = await sw('series', 'sanumdong', '--zone', 'parking', '--json');
    const [series] = json.json<
      {
        metric: string;
        points: { observable: boolean; value?: number; anomalyScore?: number | null }[];
      }[]
    >();
    expect(series?.metric).toBe('vehicles');
    expect(series?.points.at(-1)).toMatchObject({ observable: false });
    expect(series?.points.at(-1)).not.toHaveProperty('value');
    expect(series?.points.at(-2)?.anomalyScore).toBeGreaterThan(10);
  });
});

describe('the seed case with every observation marked not observable', () => {
  it('leaves the probability at the prior, every indicator unobservable', async () => {
    const doc = JSON.parse(readFileSync(OBSERVATIONS, 'utf8')) as {
      observations: Record<string, unknown>[];
    };
    const hidden = doc.observations.map((o) => ({
      ...o,
      notObservable: 'clouds over every zone (test)',
    }));
    const file = join(mkdtempSync(join(tmpdir(), 'sitewatch-hidden-')), 'hidden.json');
    writeFileSync(file, JSON.stringify(hidden));
    const sw = await seededHome(file);
    const run = await sw('assess', '--playbook', PLAYBOOK, '--at', '2019-03-08', '--json');
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<AssessJson>();
    expect(result.evidence.every((e) => e.observed === 'unobservable')).toBe(true);
    expect(result.evidence.every((e) => e.logLikelihoodRatio === 0)).toBe(true);
    expect(result.logOdds).toBe(result.priorLogOdds);
    expect(result.probability).toBeCloseTo(0.1, 12);
    expect(result.trajectory.length).toBeGreaterThan(10);
    for (const t of result.trajectory) expect(t.probability).toBeCloseTo(0.1, 12);
  });
});

describe('bad input to observe and assess', () => {
  let sw: Awaited<ReturnType<typeof seededHome>>;
  let dir: string;
  beforeAll(async () => {
    sw = await seededHome(OBSERVATIONS);
    dir = mkdtempSync(join(tmpdir(), 'sitewatch-bad-'));
  });

  it.each([
    ['unknown site', 'at: nowhere/parking', 'unknown site "nowhere"'],
    ['unknown zone', 'at: sohae/roof', 'unknown zone "roof" of site "sohae"'],
    ['unknown metric', 'when: tanks anomaly >= 2', 'unknown metric "tanks"'],
    [
      'ratio ≤ 0',
      'likelihoodRatio: { present: 0, absent: 0.5 }',
      'likelihood ratio must be a finite number > 0; got 0',
    ],
  ])('refuses a playbook with an %s (exit 3)', async (_name, line, message) => {
    const file = join(dir, `${_name.replace(/\W+/g, '-')}.yaml`);
    const indicator = {
      at: 'sohae/pad',
      when: 'crane-present',
      likelihoodRatio: '{ present: 2, absent: 0.5 }',
    };
    const key = line.slice(0, line.indexOf(':'));
    const fields = Object.entries({ ...indicator, [key]: line.slice(key.length + 2) })
      .map(([k, v]) => `    ${k}: ${v}`)
      .join('\n');
    writeFileSync(file, `hypothesis: h\nprior: 0.2\nindicators:\n  - id: x\n${fields}\n`);
    const run = await sw('assess', '--playbook', file, '--at', '2019-03-08');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain(message);
  });

  it('refuses a prior outside (0, 1) and YAML that does not parse, naming the file', async () => {
    const file = join(dir, 'prior.yaml');
    writeFileSync(
      file,
      'hypothesis: h\nprior: 1.5\nindicators:\n  - { id: x, at: sohae, when: crane-present, likelihoodRatio: { present: 2, absent: 0.5 } }\n',
    );
    const run = await sw('assess', '--playbook', file);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('prior: must be a probability strictly between 0 and 1; got 1.5');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'hypothesis: [h\n');
    const bad = await sw('assess', '--playbook', broken);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain(`${broken}: not valid YAML`);
  });

  it('refuses observations it cannot place or read, storing nothing from a bad file', async () => {
    expect(
      (
        await sw(
          'observe',
          'add',
          '--site',
          'nowhere',
          '--metric',
          'vehicles',
          '--value',
          '3',
          '--at',
          '2019-01-01',
        )
      ).code,
    ).toBe(4);
    const fraction = await sw(
      'observe',
      'add',
      '--site',
      'sohae',
      '--metric',
      'changed-fraction',
      '--value',
      '7',
      '--at',
      '2019-01-01',
    );
    expect(fraction.code).toBe(3);
    expect(fraction.stderr).toContain(
      'value 7 does not fit metric "changed-fraction" (fraction); expected a number from 0 to 1',
    );
    const noValue = await sw(
      'observe',
      'add',
      '--site',
      'sohae',
      '--metric',
      'vehicles',
      '--at',
      '2019-01-01',
    );
    expect(noValue.code).toBe(3);
    expect(noValue.stderr).toContain('give the value seen, or notObservable');
    const file = join(dir, 'mixed.yaml');
    writeFileSync(
      file,
      '- { site: sohae, zone: pad, metric: crane-present, value: true, observedAt: 2019-04-01 }\n- { site: sohae, zone: pad, metric: crane-present, value: 3, observedAt: 2019-04-02 }\n- { site: sohae, zone: nope, metric: crane-present, value: true, observedAt: 2019-04-03 }\n',
    );
    const before = (await sw('observe', 'list', '--json')).json<unknown[]>().length;
    const run = await sw('observe', 'import', file);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`${file}: [1]: value 3 does not fit metric "crane-present"`);
    expect(run.stderr).toContain(`${file}: [2]: zone "nope" is not a zone of site "sohae"`);
    expect((await sw('observe', 'list', '--json')).json<unknown[]>()).toHaveLength(before);
    const good = join(dir, 'good.yml');
    writeFileSync(
      good,
      'observations:\n  - site: sohae\n    zone: pad\n    metric: crane-present\n    value: true\n    observedAt: 2019-04-01\n    author: lee\n',
    );
    const ok = await sw('observe', 'import', good);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('1 added, 0 already held');
    const [stored] = (
      await sw('observe', 'list', '--site', 'sohae', '--since', '2019-04-01', '--json')
    ).json<{ author: string; value: boolean; observedAt: string }[]>();
    expect(stored).toMatchObject({
      author: 'lee',
      value: true,
      observedAt: '2019-04-01T00:00:00.000Z',
    });
  });

  it('records who entered an observation and marks a coarse image not observable for vehicles', async () => {
    const run = await sw(
      'observe',
      'add',
      '--site',
      'sohae',
      '--zone',
      'pad',
      '--metric',
      'vehicles',
      '--value',
      '4',
      '--at',
      '2019-05-01',
      '--gsd',
      '3',
      '--author',
      'kim',
      '--note',
      'Planet',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const [o] = run.json<{
      observations: {
        author: string;
        enteredAt: string;
        observability: { state: string; reasons: { rule: string }[] };
      }[];
    }>().observations;
    expect(o?.author).toBe('kim');
    expect(Date.parse(o?.enteredAt ?? '')).toBeGreaterThan(Date.parse('2024-01-01'));
    expect(o?.observability.state).toBe('not-observable');
    expect(o?.observability.reasons.map((r) => r.rule)).toEqual(['gsd']);
    const list = await sw(
      'observe',
      'list',
      '--site',
      'sohae',
      '--zone',
      'pad',
      '--metric',
      'vehicles',
    );
    expect(list.stdout).toContain('not observable');
  });
});

describe('observations from an ingested image', () => {
  it("take the image's time, GSD and footprint: 10 m Sentinel-2 sees change but not vehicles", async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-obs-img-'));
    const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
    expect(
      (await sw('sites', 'import', join(REPO_ROOT, 'examples/imagery/sample-sites.geojson'))).code,
    ).toBe(0);
    const ingest = await sw('images', 'ingest', join(REPO_ROOT, 'examples/imagery'), '--json');
    expect(ingest.code, ingest.stderr).toBe(0);
    const [image] = ingest.json<{ id: string; acquiredAt: string; gsdMeters: number }[]>();
    const add = (metric: string, value: string) =>
      sw(
        'observe',
        'add',
        '--site',
        'paris-bercy-rail',
        '--zone',
        'yards',
        '--metric',
        metric,
        '--value',
        value,
        '--image',
        image!.id,
        '--author',
        'test',
        '--json',
      );
    type Added = {
      observations: {
        observedAt: string;
        source: { imageId: string };
        observability: { state: string; zoneVisibleShare: number; gsdMeters: number };
      }[];
    };
    const vehicles = (await add('vehicles', '7')).json<Added>().observations[0];
    expect(vehicles?.observedAt).toBe(image!.acquiredAt);
    expect(vehicles?.source.imageId).toBe(image!.id);
    expect(vehicles?.observability.state).toBe('not-observable');
    expect(vehicles?.observability.gsdMeters).toBe(image!.gsdMeters);
    const change = (await add('changed-fraction', '0.02')).json<Added>().observations[0];
    expect(change?.observability.state).toBe('observed');
    expect(change?.observability.zoneVisibleShare).toBeGreaterThan(0.5);
  });
});
