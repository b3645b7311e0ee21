/**
 * `sitewatch figure` on a home set up by the real use cases (demo: two Sentinel-2 dates and a
 * comparison with change polygons; a seeded detection run; annotations): a PNG figure compared
 * with a golden within a tolerance (REGEN=1 rewrites it), before/after, GIF frames, SVG and PDF
 * output, one-line errors for unknown ids, and the credit-line warning.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnnotation } from '../../app/annotations/annotations.ts';
import { makeFigureDetections } from '../../app/publish/figure-fixtures.ts';
import { bboxOfGeometry } from '../../core/geo/bbox.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { loadConfig } from '../config.ts';
import { openSitewatch } from '../wiring.ts';
import { runCliCaptured } from './run-cli-for-test.ts';

const SITE = 'paris-bercy-rail';
const GOLDEN = join(
  dirname(fileURLToPath(import.meta.url)),
  'testdata',
  'figure-paris-800x600.png',
);
/** Mean absolute difference per channel (0–255) allowed against the golden. */
const MEAN_TOLERANCE = 2;
/** Share of pixels allowed to differ by more than 48 in some channel. */
const PIXEL_SHARE_TOLERANCE = 0.01;

let home = '';
let out = '';
let before = '';
let after = '';

const sw = (...args: string[]) => runCliCaptured(['--home', home, ...args]);

async function rgbaOf(path: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(path)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'sitewatch-figure-'));
  out = mkdtempSync(join(tmpdir(), 'sitewatch-figure-out-'));
  const demo = await sw('demo');
  expect(demo.code, demo.stderr).toBe(0);
  const images = (await sw('images', 'list', '--json')).json<{ id: string }[]>();
  before = images[0]!.id;
  after = images[1]!.id;
  const opened = await openSitewatch(loadConfig({}, { home }));
  try {
    const site = await opened.sites.get(SITE);
    const { run, detections } = makeFigureDetections(
      after,
      bboxOfGeometry(site!.geometry),
      40,
      7,
      '2026-01-01T00:00:00.000Z',
    );
    await opened.detections.insert(run, detections);
    const analyst = { name: 'ana', role: 'analyst' as const };
    const notes = [
      {
        geometry: { type: 'Point' as const, coordinates: [2.3755, 48.8385] as const },
        properties: { kind: 'text' as const, text: 'Gare de Lyon platforms' },
      },
      {
        geometry: {
          type: 'LineString' as const,
          coordinates: [
            [2.378, 48.833],
            [2.381, 48.836],
          ] as const,
        },
        properties: { kind: 'arrow' as const, text: 'new siding' },
      },
    ];
    for (const note of notes) {
      await createAnnotation(
        opened.annotationDeps,
        { imageId: after, siteId: SITE, ...note },
        analyst,
      );
    }
  } finally {
    await opened.close();
  }
}, 300_000);

afterAll(() => {
  for (const dir of [home, out]) if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('sitewatch figure', () => {
  it('renders an annotated PNG matching the golden within tolerance', async () => {
    const path = join(out, 'figure.png');
    const run = await sw(
      'figure',
      '--site',
      SITE,
      '--image',
      after,
      '--size',
      '800x600',
      '--out',
      path,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<{ width: number; height: number; credits: string[] }>();
    expect([result.width, result.height]).toEqual([800, 600]);
    expect(result.credits[0]).toMatch(/^Image © European Space Agency/);
    if (process.env.REGEN === '1' || !existsSync(GOLDEN)) {
      mkdirSync(dirname(GOLDEN), { recursive: true });
      copyFileSync(path, GOLDEN);
      if (process.env.REGEN !== '1')
        throw new Error(`golden ${GOLDEN} was missing: written, check it in`);
    }
    const [got, want] = await Promise.all([rgbaOf(path), rgbaOf(GOLDEN)]);
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    let sum = 0;
    let far = 0;
    for (let i = 0; i < got.data.length; i += 4) {
      let worst = 0;
      for (let c = 0; c < 4; c += 1) {
        const d = Math.abs((got.data[i + c] ?? 0) - (want.data[i + c] ?? 0));
        sum += d;
        worst = Math.max(worst, d);
      }
      if (worst > 48) far += 1;
    }
    const pixels = got.width * got.height;
    expect(sum / (pixels * 4), 'mean absolute difference').toBeLessThan(MEAN_TOLERANCE);
    expect(far / pixels, 'share of pixels far off').toBeLessThan(PIXEL_SHARE_TOLERANCE);
  }, 60_000);

  it('writes before/after stacked with one extent, an animated GIF, an SVG and a PDF', async () => {
    const pair = join(out, 'pair.jpeg');
    const stacked = await sw(
      'figure',
      '--site',
      SITE,
      '--before',
      before,
      '--after',
      after,
      '--layout',
      'stacked',
      '--size',
      '600x900',
      '--format',
      'jpeg',
      '--out',
      pair,
    );
    expect(stacked.code, stacked.stderr).toBe(0);
    const meta = await sharp(pair).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 600, 900]);

    const gif = join(out, 'flip.gif');
    const flip = await sw(
      'figure',
      '--site',
      SITE,
      '--before',
      before,
      '--after',
      after,
      '--format',
      'gif',
      '--size',
      '320x240',
      '--delay',
      '700',
      '--out',
      gif,
      '--json',
    );
    expect(flip.code, flip.stderr).toBe(0);
    expect(flip.json<{ frames: number }>().frames).toBe(2);
    const gifMeta = await sharp(gif, { animated: true }).metadata();
    expect([gifMeta.format, gifMeta.pages, gifMeta.pageHeight]).toEqual(['gif', 2, 240]);
    expect(gifMeta.delay).toEqual([700, 700]);

    const timeline = await sw(
      'figure',
      '--site',
      SITE,
      '--timeline',
      '--format',
      'webp',
      '--size',
      '320x240',
      '--out',
      join(out, 't.webp'),
      '--json',
    );
    expect(timeline.code, timeline.stderr).toBe(0);
    expect(timeline.json<{ frames: number }>().frames).toBe(2);

    const svgPath = join(out, 'figure.svg');
    const svg = await sw(
      'figure',
      '--site',
      SITE,
      '--image',
      after,
      '--size',
      '400x300',
      '--format',
      'svg',
      '--with',
      'annotations',
      '--out',
      svgPath,
    );
    expect(svg.code, svg.stderr).toBe(0);
    const text = readFileSync(svgPath, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text).toContain('href="data:image/png;base64,');
    expect(text).not.toContain('<text');
    const rendered = await sharp(Buffer.from(text)).metadata();
    expect([rendered.width, rendered.height]).toEqual([400, 300]);

    const zone = await sw(
      'figure',
      '--site',
      SITE,
      '--image',
      after,
      '--zone',
      'yards',
      '--scale',
      '2.5',
      '--size',
      '400x300',
      '--out',
      join(out, 'zone.png'),
      '--json',
    );
    expect(zone.code, zone.stderr).toBe(0);
    expect(zone.json<{ width: number }>().width).toBe(400);

    const pdfPath = join(out, 'figure.pdf');
    const pdf = await sw(
      'figure',
      '--site',
      SITE,
      '--image',
      after,
      '--size',
      '400x300',
      '--format',
      'pdf',
      '--out',
      pdfPath,
    );
    expect(pdf.code, pdf.stderr).toBe(0);
    expect(readFileSync(pdfPath).subarray(0, 5).toString()).toBe('%PDF-');
  }, 120_000);

  it.each([
    [
      'site',
      ['--site', 'no-such-site', '--image', 'IMAGE'],
      /^sitewatch: site no-such-site not found\n$/,
    ],
    [
      'image',
      ['--site', SITE, '--image', 'img_0000000000000000'],
      /^sitewatch: image img_0000000000000000 not found\n$/,
    ],
    [
      'zone',
      ['--site', SITE, '--image', 'IMAGE', '--zone', 'nope'],
      /^sitewatch: zone nope is not a zone of site paris-bercy-rail .*\n$/,
    ],
  ])(
    'exits non-zero with one line for an unknown %s, writing nothing',
    async (_what, args, message) => {
      const path = join(out, `unknown-${_what}.png`);
      const run = await sw(
        'figure',
        ...args.map((a) => (a === 'IMAGE' ? after : a)),
        '--out',
        path,
      );
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(message);
      expect(existsSync(path)).toBe(false);
    },
  );

  it('warns and says so in the caption when the image has no credit line', async () => {
    const dir = mkdtempSync(join(out, 'nocredit-'));
    const band = join(dir, 'b04.tif');
    copyFileSync(
      join(
        REPO_ROOT,
        'examples/imagery/paris-bercy/2016-11-30/S2A_20161130_T31UDQ_paris-bercy_B04.tif',
      ),
      band,
    );
    const ingest = await sw('images', 'ingest', band, '--acquired-at', '2016-11-30', '--json');
    expect(ingest.code, ingest.stderr).toBe(0);
    const [image] = ingest.json<{ id: string; acquisition: { credit: string | null } }[]>();
    expect(image!.acquisition.credit).toBeNull();
    const run = await sw(
      'figure',
      '--site',
      SITE,
      '--image',
      image!.id,
      '--size',
      '400x300',
      '--out',
      join(dir, 'f.png'),
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: image img_[0-9a-f]{16} has no credit line recorded/);
    expect(run.json<{ credits: string[] }>().credits).toEqual([
      'no credit line recorded for this image',
    ]);
    writeFileSync(join(dir, 'done'), '');
  }, 60_000);
});
