/**
 * The export downloads against a real server over a real home (the sample Paris site, its two
 * Sentinel-2 dates and their comparison): each answer holds the bytes `sitewatch export`
 * writes, as an attachment; bad parameters answer 400 naming the field, unknown ids 404, and
 * no scratch folder is left behind. The figure (PNG) and brief (PDF) downloads of the same
 * server answer with their files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from '../../crypto/scrypt-password-hasher.ts';
import { addUser, createApiToken } from '../../../app/accounts/accounts.ts';
import { runCliCaptured } from '../../../apps/cli/run-cli-for-test.ts';
import { loadConfig } from '../../../apps/config.ts';
import {
  apiServicesOf,
  publishDepsOf,
  startServer,
  type RunningServer,
} from '../../../apps/server/serve.ts';
import { publishRoutes } from './publish-routes.ts';
import { openSitewatch, type Sitewatch } from '../../../apps/wiring.ts';
import { REPO_ROOT } from '../../../testing/shared-data.ts';

const SITE = 'paris-bercy-rail';
let home = '';
let sw: Sitewatch;
let server: RunningServer;
let token = '';
let comparisonId = '';
let imageB = '';

async function cli(args: string[]): Promise<string> {
  const run = await runCliCaptured(['--home', home, ...args]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

function get(path: string, auth = true): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    headers: auth ? { authorization: `Bearer ${token}` } : {},
  });
}

function scratchFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('sitewatch-download-'));
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'sitewatch-export-routes-'));
  await cli(['sites', 'import', join(REPO_ROOT, 'examples/imagery/sample-sites.geojson')]);
  const ingested = await cli(['images', 'ingest', join(REPO_ROOT, 'examples/imagery'), '--json']);
  const [a = '', b = ''] = (JSON.parse(ingested) as { id: string }[]).map((image) => image.id);
  imageB = b;
  const compared = await cli([
    'compare',
    a,
    b,
    '--site',
    SITE,
    '--out',
    join(home, 'compare-out'),
    '--json',
  ]);
  comparisonId = (JSON.parse(compared) as { id: string }).id;
  sw = await openSitewatch(loadConfig({}, { home }));
  const services = apiServicesOf(sw);
  const accounts = {
    ...services.accounts,
    hasher: new ScryptPasswordHasher({ N: 1024, r: 8, p: 1 }),
  };
  await addUser(accounts, { name: 'vera', role: 'viewer', password: 'correct horse battery' });
  token = (await createApiToken(accounts, { userName: 'vera' })).token;
  server = await startServer(
    { ...services, accounts },
    {
      host: '127.0.0.1',
      port: 0,
      webDir: join(home, 'no-web'),
      extraRoutes: publishRoutes(publishDepsOf(sw)),
    },
  );
}, 120_000);

afterAll(async () => {
  await server.close();
  await sw.close();
  rmSync(home, { recursive: true, force: true });
});

describe('export downloads', () => {
  it('serves a site layer as the same file `sitewatch export` writes', async () => {
    const before = scratchFolders();
    for (const format of ['geojson', 'csv', 'kml'] as const) {
      const response = await get(`/api/sites/${SITE}/export?what=changes&format=${format}`);
      expect(response.status, format).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(
        `attachment; filename="${SITE}-changes.${format}"`,
      );
      const out = join(home, `cli-changes.${format}`);
      await cli(['export', '--site', SITE, '--what', 'changes', '--format', format, '--out', out]);
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(out)), format).toBe(
        true,
      );
    }
    const geojson = await get(`/api/sites/${SITE}/export?what=changes`);
    expect(geojson.headers.get('content-type')).toBe('application/geo+json');
    expect(Number(geojson.headers.get('x-sitewatch-feature-count'))).toBeGreaterThan(0);
    const gpkg = await get(`/api/sites/${SITE}/export?what=sites&format=gpkg`);
    expect(gpkg.headers.get('content-type')).toBe('application/geopackage+sqlite3');
    const bytes = Buffer.from(await gpkg.arrayBuffer());
    expect(bytes.subarray(0, 15).toString('latin1')).toBe('SQLite format 3');
    expect(scratchFolders()).toEqual(before);
  });

  it('serves a comparison’s change mask and magnitude as the COGs compare wrote', async () => {
    for (const what of ['change-mask', 'change-magnitude'] as const) {
      const response = await get(`/api/comparisons/${comparisonId}/export?what=${what}`);
      expect(response.status, what).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^image\/tiff/);
      const out = join(home, `cli-${what}.tif`);
      await cli([
        'export',
        '--comparison',
        comparisonId,
        '--what',
        what,
        '--format',
        'cog',
        '--out',
        out,
      ]);
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(out)), what).toBe(true);
    }
  });

  it('answers bad parameters, unknown ids and anonymous callers with problem+json', async () => {
    const before = scratchFolders();
    const bad = await get(`/api/sites/${SITE}/export?what=changes&format=shp`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('format');
    expect((await get(`/api/comparisons/${comparisonId}/export?what=mask`)).status).toBe(400);
    const site = await get('/api/sites/no-such-site/export?what=sites');
    expect(site.status).toBe(404);
    expect(((await site.json()) as { detail: string }).detail).toContain('no-such-site');
    expect((await get('/api/comparisons/cmp_nope/export?what=change-mask')).status).toBe(404);
    expect((await get(`/api/sites/${SITE}/export?what=sites`, false)).status).toBe(401);
    expect(scratchFolders()).toEqual(before);
  });
});

describe('figure and brief downloads', () => {
  it('serves an annotated figure of the site on an image as a PNG', async () => {
    const response = await get(`/api/sites/${SITE}/figure?image=${imageB}&size=400x300`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${SITE}-${imageB}-figure.png"`,
    );
    const png = Buffer.from(await response.arrayBuffer());
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([400, 300]);
    const bad = await get(`/api/sites/${SITE}/figure?image=${imageB}&with=clouds`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toContain('clouds');
    expect((await get(`/api/sites/${SITE}/figure?image=img_nope`)).status).toBe(404);
  });

  it('serves the site’s brief as a PDF', async () => {
    const response = await get(`/api/sites/${SITE}/brief`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="${SITE}-brief.pdf"`,
    );
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect((await get('/api/sites/no-such-site/brief')).status).toBe(404);
  }, 60_000);
});
