/**
 * The analyst has the last word, end to end on the 2019 seed case: rejecting the observation
 * behind an indicator changes the assessment and shows the evidence overridden; confirming
 * it changes nothing; every review is in the audit log.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const PLAYBOOK = join(REPO_ROOT, 'examples/playbooks/space-launch-preparation.yaml');

interface EvidenceJson {
  id: string;
  indicator: string;
  observed: string;
  logLikelihoodRatio: number;
  sources: { observationId: string }[];
  review: { verdict: string; reason: string; author: string; at: string; target: string } | null;
  overridden: boolean;
}

interface AssessJson {
  probability: number;
  evidence: EvidenceJson[];
}

describe('review and audit on the 2019 seed case', () => {
  let sw: (...args: string[]) => ReturnType<typeof runCliCaptured>;
  let baseline: AssessJson;
  const assess = async () => {
    const run = await sw('assess', '--playbook', PLAYBOOK, '--at', '2019-03-08', '--json');
    expect(run.code, run.stderr).toBe(0);
    return run.json<AssessJson>();
  };
  const deciding = (a: AssessJson, indicator: string) =>
    a.evidence.find((e) => e.indicator === indicator);

  beforeAll(async () => {
    const home = mkdtempSync(join(tmpdir(), 'sitewatch-review-'));
    sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
    expect((await sw('sites', 'import', join(REPO_ROOT, 'examples/catalog.geojson'))).code).toBe(0);
    const imported = await sw(
      'observe',
      'import',
      join(REPO_ROOT, 'examples/observations/2019-sanumdong-sohae.json'),
    );
    expect(imported.code, imported.stderr).toBe(0);
    baseline = await assess();
  });

  it('shows no review and nothing overridden before anyone reviews', () => {
    expect(baseline.evidence.every((e) => e.review === null && !e.overridden)).toBe(true);
  });

  it('confirming the deciding observation changes nothing; rejecting it changes the assessment', async () => {
    const evidence = deciding(baseline, 'sohae-pad-reassembly');
    expect(evidence?.observed).toBe('present');
    const observationId = evidence?.sources[0]?.observationId ?? '';
    const confirm = await sw(
      'review',
      'confirm',
      'observation',
      observationId,
      '--reason',
      'seen on the image',
      '--by',
      'kim',
    );
    expect(confirm.code, confirm.stderr).toBe(0);
    expect(confirm.stdout).toContain(
      `confirmed observation ${observationId} (rev_1, by kim): seen on the image`,
    );
    const confirmed = await assess();
    expect(confirmed.probability).toBe(baseline.probability);
    expect(deciding(confirmed, 'sohae-pad-reassembly')).toMatchObject({
      overridden: false,
      review: { verdict: 'confirm', author: 'kim', reason: 'seen on the image' },
    });

    const reject = await sw(
      'review',
      'reject',
      'observation',
      observationId,
      '--reason',
      'the crane is a shadow',
      '--by',
      'lee',
      '--json',
    );
    expect(reject.code, reject.stderr).toBe(0);
    expect(reject.json<{ id: string; verdict: string }>()).toMatchObject({
      id: 'rev_2',
      verdict: 'reject',
    });
    const rejected = await assess();
    expect(rejected.probability).toBeLessThan(baseline.probability);
    const overridden = deciding(rejected, 'sohae-pad-reassembly');
    expect(overridden).toMatchObject({
      overridden: true,
      review: {
        verdict: 'reject',
        author: 'lee',
        reason: 'the crane is a shadow',
        target: `observation ${observationId}`,
      },
    });
    expect(overridden?.sources.map((s) => s.observationId)).not.toContain(observationId);
    const text = await sw('assess', '--playbook', PLAYBOOK, '--at', '2019-03-08');
    expect(text.stdout).toMatch(/^! . sohae-pad-reassembly: /m);
    expect(text.stdout).toContain(`OVERRIDDEN: observation ${observationId} rejected by lee`);

    const list = await sw('review', 'list', '--target', observationId);
    expect(list.stdout).toMatch(/rev_1 .* superseded/);
    expect(list.stdout).toMatch(/rev_2 .* yes/);
    const again = await sw(
      'review',
      'confirm',
      'observation',
      observationId,
      '--reason',
      'checked the stereo pair',
      '--by',
      'kim',
    );
    expect(again.code).toBe(0);
    expect((await assess()).probability).toBe(baseline.probability);
  });

  it('a rejected indicator contributes nothing', async () => {
    const before = deciding(baseline, 'sanumdong-vehicle-surge');
    expect(before?.logLikelihoodRatio).toBeGreaterThan(0);
    const run = await sw(
      'review',
      'reject',
      'indicator',
      'space-launch-preparation/sanumdong-vehicle-surge',
      '--reason',
      'a parade rehearsal',
      '--playbook',
      PLAYBOOK,
    );
    expect(run.code, run.stderr).toBe(0);
    const after = deciding(await assess(), 'sanumdong-vehicle-surge');
    expect(after).toMatchObject({
      logLikelihoodRatio: 0,
      overridden: true,
      review: { verdict: 'reject' },
    });
  });

  it('refuses unknown targets (exit 4), a missing reason (exit 2) and a bad id (exit 3)', async () => {
    const unknown = await sw(
      'review',
      'reject',
      'observation',
      'obs_ffffffffffffffff',
      '--reason',
      'x',
    );
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('no observation "obs_ffffffffffffffff"');
    const run = await sw('review', 'reject', 'detection', 'det_ffffffffffffffff', '--reason', 'x');
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('no detection run "det_ffffffffffffffff"');
    const indicator = await sw(
      'review',
      'reject',
      'indicator',
      'no-such-thing',
      '--reason',
      'x',
      '--playbook',
      PLAYBOOK,
    );
    expect(indicator.code).toBe(4);
    expect(indicator.stderr).toContain('the playbook has no indicator "no-such-thing"');
    expect((await sw('review', 'reject', 'observation', 'obs_ffffffffffffffff')).code).toBe(2);
    const empty = await sw(
      'review',
      'reject',
      'observation',
      'obs_ffffffffffffffff',
      '--reason',
      ' ',
    );
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain('a reason is required');
    const kind = await sw('review', 'reject', 'image', 'img_1', '--reason', 'x');
    expect(kind.code).toBe(3);
    expect(kind.stderr).toContain('review target kind "image"');
  });

  it('keeps every review in the audit log, filtered by actor and time', async () => {
    const all = await sw('audit', 'list', '--json');
    expect(all.code, all.stderr).toBe(0);
    const entries =
      all.json<{ action: string; actor: string; reason: string | null; at: string }[]>();
    // The import is in the log too, written in the transaction that stored its observations.
    const imports = entries.filter((e) => e.action === 'observation.import');
    expect(imports).toHaveLength(1);
    expect(imports[0]?.actor).toMatch(/./);
    const reviews = entries.filter((e) => e.action.startsWith('review.'));
    expect(reviews.map((e) => [e.action, e.actor])).toEqual([
      ['review.confirm', 'kim'],
      ['review.reject', 'lee'],
      ['review.confirm', 'kim'],
      ['review.reject', expect.any(String)],
    ]);
    const kim = (await sw('audit', 'list', '--actor', 'kim', '--json')).json<unknown[]>();
    expect(kim).toHaveLength(2);
    expect(
      (await sw('audit', 'list', '--since', '2999-01-01', '--json')).json<unknown[]>(),
    ).toEqual([]);
    const text = await sw('audit', 'list', '--actor', 'lee');
    expect(text.stdout).toContain('review.reject');
    expect(text.stdout).toContain('the crane is a shadow');
  });
});
