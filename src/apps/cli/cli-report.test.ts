/**
 * `sitewatch report`: the 2019 seed case as a PDF brief (first page rendered by pdftoppm and
 * compared with a golden PNG within a tolerance; REGEN=1 rewrites it), byte-identical PDF and
 * HTML for the same clock, a self-contained HTML file, one-line errors, and thumbnails with a
 * before/after figure over the Paris sample imagery.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured, type CliRun } from './run-cli-for-test.ts';

const CATALOG = join(REPO_ROOT, 'examples/catalog.geojson');
/** Relative, as a user types it: the brief names the playbook file. */
const PLAYBOOK = 'examples/playbooks/space-launch-preparation.yaml';
const OBSERVATIONS = join(REPO_ROOT, 'examples/observations/2019-sanumdong-sohae.json');
const GOLDEN_PAGE = join(REPO_ROOT, 'src/apps/cli/testdata/report-2019-page1.png');
const PARIS = join(REPO_ROOT, 'examples/imagery/paris-bercy');
const NOW = '2026-01-01T00:00:00Z';

function hasPdftoppm(): boolean {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function rawPixels(png: Buffer | string) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('report on the 2019 seed case', () => {
  let dir: string;
  let sw: (...args: string[]) => Promise<CliRun>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sitewatch-report-'));
    const home = join(dir, 'home');
    sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);
    expect((await sw('sites', 'import', CATALOG)).code).toBe(0);
    expect((await sw('observe', 'import', OBSERVATIONS)).code).toBe(0);
  });

  const report = (out: string, ...extra: string[]) =>
    sw(
      'report',
      '--playbook',
      PLAYBOOK,
      '--at',
      '2019-03-08',
      '--now',
      NOW,
      '--out',
      out,
      ...extra,
    );

  it('writes the same PDF twice for the same clock, its first page matching the golden', async () => {
    const a = join(dir, 'a.pdf');
    const b = join(dir, 'b.pdf');
    const first = await report(a, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(first.json<{ sections: string[] }>().sections).toEqual([
      'subject',
      'assessment',
      'evidence',
      'series',
      'gaps',
      'methods',
    ]);
    expect((await report(b)).code).toBe(0);
    const bytes = readFileSync(a);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.equals(readFileSync(b))).toBe(true);
    expect(bytes.toString('latin1')).toContain('(D:20260101000000Z)');

    if (!hasPdftoppm()) {
      console.warn('pdftoppm (poppler-utils) not installed: the golden page check is skipped');
      return;
    }
    execFileSync('pdftoppm', [
      '-r',
      '50',
      '-f',
      '1',
      '-l',
      '1',
      '-png',
      '-singlefile',
      a,
      join(dir, 'page'),
    ]);
    const page = join(dir, 'page.png');
    if (process.env.REGEN === '1' || !existsSync(GOLDEN_PAGE)) {
      mkdirSync(join(REPO_ROOT, 'src/apps/cli/testdata'), { recursive: true });
      writeFileSync(GOLDEN_PAGE, readFileSync(page));
    }
    const got = await rawPixels(page);
    const want = await rawPixels(GOLDEN_PAGE);
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    let sum = 0;
    let far = 0;
    for (let i = 0; i < got.data.length; i += 1) {
      const d = Math.abs((got.data[i] ?? 0) - (want.data[i] ?? 0));
      sum += d;
      if (d > 64) far += 1;
    }
    // Tolerance for font rasterisation differences between poppler builds.
    expect(sum / got.data.length).toBeLessThan(2);
    expect(far / got.data.length).toBeLessThan(0.01);
  });

  it('writes one self-contained HTML file, the same for the same clock', async () => {
    const a = join(dir, 'a.html');
    const b = join(dir, 'b.html');
    expect((await report(a)).code).toBe(0);
    expect((await report(b, '--format', 'html')).code).toBe(0);
    const html = readFileSync(a, 'utf8');
    expect(html).toBe(readFileSync(b, 'utf8'));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).toContain('Probability over time');
    expect(html).toContain('Methods and provenance');
    expect(html).toContain('2026-01-01T00:00:00.000Z');
    // Nothing to fetch: no external scripts, styles, images or fonts.
    expect(html).not.toMatch(/<(script|link|iframe)\b/i);
    expect(html).not.toMatch(/(src|href)="(?!data:)/i);
    expect(html).not.toMatch(/url\(/i);
  });

  it('covers a site and its linked sites', async () => {
    const out = join(dir, 'site.html');
    const run = await sw('report', '--site', 'sanumdong', '--now', NOW, '--out', out);
    expect(run.code, run.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('sanumdong-rail-transfer');
    expect(html).toContain('sanumdong/parking vehicles');
    expect(html).toContain('No playbook assessment covers this site');
  });

  it('fails with one line and no file for an unknown site or playbook', async () => {
    const out = join(dir, 'nothing.pdf');
    const site = await sw('report', '--site', 'atlantis', '--out', out);
    expect(site.code).not.toBe(0);
    expect(site.stderr.trim().split('\n')).toHaveLength(1);
    expect(site.stderr).toContain('atlantis');
    const playbook = await sw('report', '--playbook', join(dir, 'missing.yaml'), '--out', out);
    expect(playbook.code).not.toBe(0);
    expect(playbook.stderr.trim().split('\n')).toHaveLength(1);
    expect(playbook.stderr).toContain('missing.yaml');
    const both = await sw('report', '--site', 'sohae', '--playbook', PLAYBOOK, '--out', out);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('exactly one of');
    const format = await sw('report', '--site', 'sohae', '--format', 'docx', '--out', out);
    expect(format.stderr).toContain('"docx"');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).some((f) => f.includes('.partial-'))).toBe(false);
  });
});

describe('report with pictures', () => {
  it('has thumbnails of the latest images and a before/after figure of the latest comparison', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sitewatch-report-pictures-'));
    const sw = (...args: string[]) => runCliCaptured(['--home', join(dir, 'home'), ...args]);
    const sites = await sw(
      'sites',
      'import',
      join(REPO_ROOT, 'examples/imagery/sample-sites.geojson'),
    );
    expect(sites.code, sites.stderr).toBe(0);
    const ingest = await sw('images', 'ingest', PARIS, '--json');
    expect(ingest.code, ingest.stderr).toBe(0);
    const ids = ingest
      .json<{ id: string; acquisition: { acquiredAt: string } }[]>()
      .sort((x, y) => x.acquisition.acquiredAt.localeCompare(y.acquisition.acquiredAt))
      .map((i) => i.id);
    const compared = await sw(
      'compare',
      ids[0] ?? '',
      ids[1] ?? '',
      '--site',
      'paris-bercy-rail',
      '--json',
    );
    expect(compared.code, compared.stderr).toBe(0);
    const out = join(dir, 'paris.html');
    const run = await sw(
      'report',
      '--site',
      'paris-bercy-rail',
      '--now',
      '2099-01-01T00:00:00Z',
      '--out',
      out,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<{ sections: string[] }>().sections).toContain('imagery');
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<img width="\d+" alt="Before \d{4}-\d{2}-\d{2}/);
    expect(html).toContain('src="data:image/png;base64,');
    for (const id of ids) expect(html).toContain(`alt="${id} `);
    const pdf = join(dir, 'paris.pdf');
    expect(
      (
        await sw(
          'report',
          '--site',
          'paris-bercy-rail',
          '--now',
          '2099-01-01T00:00:00Z',
          '--out',
          pdf,
        )
      ).code,
    ).toBe(0);
    expect(readFileSync(pdf).toString('latin1')).toContain('/Subtype /Image');
  });
});
