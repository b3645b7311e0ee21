/**
 * The REST API against a real server on a random port over a real SQLite home: the scripts'
 * contract (health and OpenAPI public, every other /api/ route 401 when anonymous), roles,
 * tokens, sessions, login rate limiting, pagination, problem+json and ETags.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { routesOf } from '../../adapters/http/api-server.ts';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.ts';
import { addUser, createApiToken } from '../../app/accounts/accounts.ts';
import type { Role } from '../../core/auth/roles.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { runCliCaptured } from '../cli/run-cli-for-test.ts';
import { loadConfig } from '../config.ts';
import { openSitewatch, type Sitewatch } from '../wiring.ts';
import { apiServicesOf, startServer, type RunningServer } from './serve.ts';

/** Cheap scrypt for tests only (production uses DEFAULT_SCRYPT_COST). */
const TEST_COST = { N: 2 ** 10, r: 8, p: 1 };
const PASSWORD = 'correct horse battery';

let sw: Sitewatch;
let server: RunningServer;
const tokens: Record<Role, string> = { viewer: '', analyst: '', admin: '' };
/** The two Paris images and their comparison (with an output folder). */
let imageIds: string[] = [];
let comparisonId = '';

async function call(
  method: string,
  path: string,
  options: {
    token?: string;
    cookie?: string;
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

beforeAll(async () => {
  const home = mkdtempSync(join(tmpdir(), 'sitewatch-api-'));
  const sites = await runCliCaptured([
    '--home',
    home,
    'sites',
    'import',
    join(REPO_ROOT, 'examples/catalog.geojson'),
  ]);
  expect(sites.code, sites.stderr).toBe(0);
  const observations = await runCliCaptured([
    '--home',
    home,
    'observe',
    'import',
    join(REPO_ROOT, 'examples/observations/2019-sanumdong-sohae.json'),
  ]);
  expect(observations.code, observations.stderr).toBe(0);
  const ingest = await runCliCaptured([
    '--home',
    home,
    'images',
    'ingest',
    join(REPO_ROOT, 'examples/imagery'),
    '--json',
  ]);
  expect(ingest.code, ingest.stderr).toBe(0);
  imageIds = ingest.json<{ id: string }[]>().map((image) => image.id);
  const [imageA = '', imageB = ''] = imageIds;
  const out = join(home, 'compare-out');
  const compare = await runCliCaptured([
    '--home',
    home,
    'compare',
    imageA,
    imageB,
    '--out',
    out,
    '--json',
  ]);
  expect(compare.code, compare.stderr).toBe(0);
  comparisonId = compare.json<{ id: string }>().id;
  sw = await openSitewatch(loadConfig({}, { home }));
  const services = apiServicesOf(sw);
  const accounts = { ...services.accounts, hasher: new ScryptPasswordHasher(TEST_COST) };
  for (const role of ['viewer', 'analyst', 'admin'] as const) {
    await addUser(accounts, { name: role, role, password: PASSWORD });
    tokens[role] = (await createApiToken(accounts, { userName: role })).token;
  }
  const webDir = join(home, 'no-web-build');
  server = await startServer({ ...services, accounts }, { host: '127.0.0.1', port: 0, webDir });
});

afterAll(async () => {
  await server.close();
  await sw.close();
});

describe('the scripts’ contract', () => {
  it('answers /api/health with 200 without authentication', async () => {
    const response = await call('GET', '/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('serves the OpenAPI 3.1 document without authentication', async () => {
    const response = await call('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/api/sites/{id}');
  });

  it('answers 401 to an anonymous request on every other registered /api/ route', async () => {
    const routes = routesOf(server.app).filter(
      (r) => r.url.startsWith('/api/') && r.url !== '/api/health' && r.url !== '/api/openapi.json',
    );
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const path = route.url.replace(/:[A-Za-z0-9_]+/g, 'x');
      const response = await call(route.method, path, route.method === 'POST' ? { body: {} } : {});
      expect(response.status, `${route.method} ${route.url}`).toBe(401);
      if (route.method !== 'HEAD') {
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    }
    expect((await call('GET', '/api/no-such-route')).status).toBe(401);
  });

  it('serves the workbench placeholder at / while web/dist is not built', async () => {
    const response = await call('GET', '/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('workbench is being built');
  });
});

describe('roles and credentials', () => {
  const playbook = (): unknown =>
    parseYaml(
      readFileSync(join(REPO_ROOT, 'examples/playbooks/space-launch-preparation.yaml'), 'utf8'),
    );

  it('forbids a viewer to POST and lets an analyst', async () => {
    const body = { playbook: playbook(), asOf: '2019-03-01T00:00:00Z' };
    const viewer = await call('POST', '/api/assessments', { token: tokens.viewer, body });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { detail: string }).detail).toMatch(/analyst role/);
    const analyst = await call('POST', '/api/assessments', { token: tokens.analyst, body });
    expect(analyst.status).toBe(200);
    const assessment = (await analyst.json()) as { probability: number; evidence: unknown[] };
    expect(assessment.probability).toBeGreaterThan(0);
    expect(assessment.evidence.length).toBeGreaterThan(0);
  });

  it('keeps account management to admins', async () => {
    const body = { name: 'newcomer', role: 'viewer', password: PASSWORD };
    expect((await call('POST', '/api/users', { token: tokens.analyst, body })).status).toBe(403);
    const created = await call('POST', '/api/users', { token: tokens.admin, body });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'newcomer', role: 'viewer' });
    const weak = await call('POST', '/api/users', {
      token: tokens.admin,
      body: { name: 'weak', role: 'viewer', password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(((await weak.json()) as { detail: string }).detail).toMatch(/at least 10/);
  });

  it('authenticates an API token and refuses an unknown one', async () => {
    const ok = await call('GET', '/api/session', { token: tokens.viewer });
    expect(await ok.json()).toMatchObject({ user: { name: 'viewer', role: 'viewer' } });
    const forged = `swt_${'A'.repeat(43)}`;
    expect((await call('GET', '/api/sites', { token: forged })).status).toBe(401);
  });

  it('logs in with a secure session cookie, and out again', async () => {
    const login = await call('POST', '/api/session', {
      body: { name: 'analyst', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0] ?? '';
    expect((await call('GET', '/api/sites', { cookie })).status).toBe(200);
    expect((await call('DELETE', '/api/session', { cookie })).status).toBe(204);
    expect((await call('GET', '/api/sites', { cookie })).status).toBe(401);
  });

  it('answers 401 to a wrong password and 429 with Retry-After after five failures', async () => {
    const wrong = { name: 'admin', password: 'not the password' };
    for (let i = 0; i < 5; i++) {
      expect((await call('POST', '/api/session', { body: wrong })).status).toBe(401);
    }
    const throttled = await call('POST', '/api/session', {
      body: { name: 'admin', password: PASSWORD },
    });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts from the same address are not locked out.
    const other = await call('POST', '/api/session', {
      body: { name: 'viewer', password: PASSWORD },
    });
    expect(other.status).toBe(200);
  });
});

describe('resources', () => {
  it('pages through the sites with opaque cursors', async () => {
    const token = tokens.viewer;
    const all = (await (await call('GET', '/api/sites?limit=500', { token })).json()) as {
      items: { id: string }[];
      next: string | null;
    };
    expect(all.next).toBeNull();
    expect(all.items.length).toBeGreaterThan(2);
    const ids: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const query: string = cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = (await (await call('GET', `/api/sites?limit=2${query}`, { token })).json()) as {
        items: { id: string }[];
        next: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      ids.push(...page.items.map((s) => s.id));
      cursor = page.next;
    }
    expect(ids).toEqual(all.items.map((s) => s.id));
  });

  it('answers a bad query with problem+json naming the field', async () => {
    const response = await call('GET', '/api/observations?since=yesterday&limit=0', {
      token: tokens.viewer,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as {
      detail: string;
      invalidParams: { name: string }[];
    };
    expect(problem.invalidParams.map((p) => p.name).sort()).toEqual(['query.limit', 'query.since']);
    expect(problem.detail).toContain('yesterday');
  });

  it('answers 404 with problem+json for an unknown site', async () => {
    const response = await call('GET', '/api/sites/atlantis', { token: tokens.viewer });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toContain('atlantis');
  });

  it('filters observations by site and serves the site’s series', async () => {
    const token = tokens.viewer;
    const observations = (await (
      await call('GET', '/api/observations?site=sohae&limit=500', { token })
    ).json()) as {
      items: { siteId: string }[];
    };
    expect(observations.items.length).toBeGreaterThan(0);
    expect(new Set(observations.items.map((o) => o.siteId))).toEqual(new Set(['sohae']));
    const series = await call('GET', '/api/sites/sohae/series', { token });
    expect(series.status).toBe(200);
    expect(((await series.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });

  it('records an analyst’s review as theirs, in the audit log', async () => {
    const observations = (await (
      await call('GET', '/api/observations?site=sohae&limit=1', { token: tokens.viewer })
    ).json()) as { items: { id: string }[] };
    const targetId = observations.items[0]?.id ?? '';
    const body = { targetKind: 'observation', targetId, verdict: 'reject', reason: 'cloud shadow' };
    expect((await call('POST', '/api/reviews', { token: tokens.viewer, body })).status).toBe(403);
    const created = await call('POST', '/api/reviews', { token: tokens.analyst, body });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ targetId, verdict: 'reject', author: 'analyst' });
    const listed = (await (await call('GET', '/api/reviews', { token: tokens.viewer })).json()) as {
      items: { targetId: string }[];
    };
    expect(listed.items.map((r) => r.targetId)).toContain(targetId);
    const audit = await sw.reviewDeps.audit.list();
    expect(audit.map((e) => [e.actor, e.action, e.targetId])).toContainEqual([
      'analyst',
      'review.reject',
      targetId,
    ]);
  });

  it('answers 304 to If-None-Match with the ETag it gave', async () => {
    const token = tokens.viewer;
    const first = await call('GET', '/api/sites/sohae', { token });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/"/);
    const second = await call('GET', '/api/sites/sohae', {
      token,
      headers: { 'if-none-match': etag },
    });
    expect(second.status).toBe(304);
    expect(await second.text()).toBe('');
  });
});

describe('the workbench build', () => {
  it('serves web/dist when built, with the app for client-side routes', async () => {
    const webDir = mkdtempSync(join(tmpdir(), 'sitewatch-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>workbench</title>');
    writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log(1);');
    const web = await startServer(apiServicesOf(sw), { host: '127.0.0.1', port: 0, webDir });
    try {
      expect(await (await fetch(`${web.url}/`)).text()).toContain('workbench');
      const script = await fetch(`${web.url}/assets/app.js`);
      expect(script.headers.get('content-type')).toMatch(/javascript/);
      expect(await (await fetch(`${web.url}/sites/sohae`)).text()).toContain('workbench');
      expect((await fetch(`${web.url}/assets/missing.js`)).status).toBe(404);
      expect((await fetch(`${web.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    } finally {
      await web.close();
    }
  });
});

describe('annotations', () => {
  const box = (lon: number, lat: number) => ({
    type: 'Polygon',
    coordinates: [
      [
        [lon, lat],
        [lon + 0.001, lat],
        [lon + 0.001, lat + 0.001],
        [lon, lat + 0.001],
        [lon, lat],
      ],
    ],
  });

  it('creates, lists, edits and soft-deletes, each write audited', async () => {
    const imageId = imageIds[0] ?? '';
    const body = {
      imageId,
      geometry: box(2.37, 48.84),
      properties: { kind: 'box', color: '#ff0000' },
    };
    expect((await call('POST', '/api/annotations', { token: tokens.viewer, body })).status).toBe(
      403,
    );
    const created = await call('POST', '/api/annotations', { token: tokens.analyst, body });
    expect(created.status).toBe(201);
    const annotation = (await created.json()) as { id: string; author: string; deleted: boolean };
    expect(annotation).toMatchObject({ author: 'analyst', deleted: false, siteId: null });

    const listed = (await (
      await call('GET', `/api/annotations?imageId=${imageId}`, { token: tokens.viewer })
    ).json()) as { items: { id: string }[]; next: string | null };
    expect(listed.items.map((a) => a.id)).toEqual([annotation.id]);

    const patch = { properties: { kind: 'text', text: 'new shed' } };
    const wrongKind = await call('PATCH', `/api/annotations/${annotation.id}`, {
      token: tokens.analyst,
      body: patch,
    });
    expect(wrongKind.status).toBe(400);
    expect(((await wrongKind.json()) as { detail: string }).detail).toMatch(/^geometry\.type/);
    const edited = await call('PATCH', `/api/annotations/${annotation.id}`, {
      token: tokens.analyst,
      body: { properties: { kind: 'polygon', text: 'new shed' } },
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({
      properties: { kind: 'polygon', text: 'new shed' },
    });

    const deleted = await call('DELETE', `/api/annotations/${annotation.id}`, {
      token: tokens.admin,
    });
    expect(deleted.status).toBe(204);
    const after = (await (
      await call('GET', `/api/annotations?imageId=${imageId}`, { token: tokens.viewer })
    ).json()) as { items: unknown[] };
    expect(after.items).toEqual([]);
    expect(
      (await call('DELETE', `/api/annotations/${annotation.id}`, { token: tokens.admin })).status,
    ).toBe(404);

    const audit = await sw.reviewDeps.audit.list({ targetId: annotation.id });
    expect(audit.map((e) => [e.actor, e.action])).toEqual([
      ['analyst', 'annotation.create'],
      ['analyst', 'annotation.update'],
      ['admin', 'annotation.delete'],
    ]);
  });

  it('lets only the author or an admin change an annotation', async () => {
    const body = {
      imageId: imageIds[0] ?? '',
      geometry: { type: 'Point', coordinates: [2.37, 48.84] },
      properties: { kind: 'text', text: 'crane' },
    };
    const created = (await (
      await call('POST', '/api/annotations', { token: tokens.admin, body })
    ).json()) as { id: string };
    const response = await call('DELETE', `/api/annotations/${created.id}`, {
      token: tokens.analyst,
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toContain('admin');
  });

  it('answers malformed GeoJSON and unknown images with problem+json naming the field', async () => {
    const imageId = imageIds[0] ?? '';
    const open = box(2.37, 48.84);
    open.coordinates[0]?.pop();
    const cases = [
      [{ imageId, geometry: open, properties: { kind: 'polygon' } }, 400, /^geometry/],
      [
        {
          imageId,
          geometry: {
            type: 'LineString',
            coordinates: [
              [2.3, 48.8],
              [2.3, 'x'],
            ],
          },
          properties: { kind: 'arrow' },
        },
        400,
        /^geometry\.coordinates\[1\]\[1\]/,
      ],
      [
        { imageId, geometry: box(2.37, 48.84), properties: { kind: 'blob' } },
        400,
        /^properties\.kind/,
      ],
      [
        { imageId, geometry: box(2.37, 48.84), properties: { kind: 'box', color: 'red' } },
        400,
        /^properties\.color/,
      ],
      [
        { imageId: 'img_nope', geometry: box(2.37, 48.84), properties: { kind: 'box' } },
        404,
        /^imageId/,
      ],
    ] as const;
    for (const [body, status, detail] of cases) {
      const response = await call('POST', '/api/annotations', { token: tokens.analyst, body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
    }
  });

  it('measures lengths and areas on the server', async () => {
    const measure = async (geometry: unknown) => {
      const body = {
        imageId: imageIds[0] ?? '',
        geometry,
        properties: { kind: 'measurement', length_m: 1 },
      };
      const response = await call('POST', '/api/annotations', { token: tokens.analyst, body });
      expect(response.status).toBe(201);
      return ((await response.json()) as { properties: { length_m?: number; area_m2?: number } })
        .properties;
    };
    // 0.01° of latitude is 1,111.95 m on the 6,371,008.8 m sphere.
    const line = await measure({
      type: 'LineString',
      coordinates: [
        [2.37, 48.84],
        [2.37, 48.85],
      ],
    });
    expect(line.length_m).toBeCloseTo(1111.95, 1);
    expect(line.area_m2).toBeUndefined();
    const area = await measure(box(2.37, 48.84));
    // 0.001° × 0.001° near 48.84° N: about 111.2 m × 73.2 m.
    expect(area.area_m2).toBeGreaterThan(8100);
    expect(area.area_m2).toBeLessThan(8200);
    expect(area.length_m).toBeGreaterThan(368);
    expect(area.length_m).toBeLessThan(371);
  });
});

describe('change polygons, jobs and headers', () => {
  it('serves a comparison’s change polygons in lon/lat with its registration report', async () => {
    const response = await call('GET', `/api/comparisons/${comparisonId}/changes`, {
      token: tokens.viewer,
    });
    expect(response.status).toBe(200);
    const changes = (await response.json()) as {
      type: string;
      comparisonId: string;
      registration: { reliable: boolean };
      features: { geometry: { type: string; coordinates: number[][][] } | null }[];
    };
    expect(changes).toMatchObject({ type: 'FeatureCollection', comparisonId });
    expect(typeof changes.registration.reliable).toBe('boolean');
    expect(changes.features.length).toBeGreaterThan(0);
    const [lon = 0, lat = 0] = changes.features[0]?.geometry?.coordinates[0]?.[0] ?? [];
    expect([Math.round(lon), Math.round(lat)]).toEqual([2, 49]);
    const missing = await call('GET', '/api/comparisons/cmp_nope/changes', {
      token: tokens.viewer,
    });
    expect(missing.status).toBe(404);
  });

  it('sends a Content-Security-Policy without inline script on the workbench', async () => {
    const page = await call('GET', '/');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const script = await call('GET', '/placeholder-login.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain("fetch('/api/session'");
  });

  it('audits accounts and tokens created through the API', async () => {
    const body = { name: 'auditee', role: 'viewer', password: PASSWORD };
    expect((await call('POST', '/api/users', { token: tokens.admin, body })).status).toBe(201);
    const token = await call('POST', '/api/tokens', {
      token: tokens.admin,
      body: { user: 'auditee', label: 'ci' },
    });
    expect(token.status).toBe(201);
    const { id } = (await token.json()) as { id: string };
    const audit = await sw.reviewDeps.audit.list({ actor: 'admin' });
    expect(audit.map((e) => [e.action, e.targetId])).toEqual(
      expect.arrayContaining([
        ['user.add', 'auditee'],
        ['token.create', id],
      ]),
    );
  });
});
