/**
 * The workbench in a real browser (Debian's chromium driven by playwright-core) against a real
 * server on a random port over a temporary home holding the sample sites and the two Paris
 * Sentinel-2 dates, the 2019 Sanumdong observations and 1,000 generated sites: log in (a wrong
 * password first), page through and search the 1,000-site list, open the demo site, load both
 * dates as tile layers, swipe, blink, side by side, step dates, the help overlay, the detections
 * overlay, the time-series chart (anomaly, not-observable gap), a playbook assessment with a
 * rejected indicator, the alerts inbox and cancelling a queued job, log out. The map view after the swipe is compared with a golden PNG within a pixel tolerance (REGEN=1 rewrites it).
 * Skips when /usr/bin/chromium is absent; builds web/dist with vite when it is missing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.ts';
import { jobRoutes } from '../../adapters/http/job-routes.ts';
import { registerTileRoutes } from '../../adapters/http/tile-routes.ts';
import { addUser } from '../../app/accounts/accounts.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { createTileHome, type TileHome, type TileServices } from '../../testing/tile-home.ts';
import { runCliCaptured } from '../cli/run-cli-for-test.ts';
import { apiServicesOf, startServer, type RunningServer } from './serve.ts';
import { ensureWorkbenchBuilt } from './web-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = join(REPO_ROOT, 'web/dist');
const PARIS = join(REPO_ROOT, 'examples/imagery/paris-bercy');
const GOLDEN = join(import.meta.dirname, 'testdata/workbench-swipe.png');
const PASSWORD = 'correct horse battery';
/** Cheap scrypt for tests only. */
const TEST_COST = { N: 2 ** 10, r: 8, p: 1 };
const haveChromium = existsSync(CHROMIUM);
/** Generated sites, far from the demo sites (south Atlantic), to load the site list. */
const MANY_SITES = 1000;
/** Waiting (not timing): the machine may be loaded, so give the page time to settle. */
const POLL = { timeout: 30_000 };

if (!haveChromium) {
  console.warn(`workbench browser test skipped: ${CHROMIUM} is absent (apt install chromium)`);
}

/** A catalog of MANY_SITES small square sites named "Synthetic site 0000" … */
function manySitesCatalog(): unknown {
  return {
    type: 'FeatureCollection',
    features: Array.from({ length: MANY_SITES }, (_, index) => {
      const lon = -30 + (index % 40) * 0.05;
      const lat = -40 + Math.floor(index / 40) * 0.05;
      const ring = [
        [lon, lat],
        [lon + 0.01, lat],
        [lon + 0.01, lat + 0.01],
        [lon, lat + 0.01],
        [lon, lat],
      ];
      const number = String(index).padStart(4, '0');
      return {
        type: 'Feature',
        id: `synthetic-${number}`,
        geometry: { type: 'Polygon', coordinates: [ring] },
        properties: { name: `Synthetic site ${number}`, kind: 'depot' },
      };
    }),
  };
}

/** Share of channel samples that differ by more than `threshold` between two equal-size PNGs. */
function differingShare(actual: PNG, expected: PNG, threshold: number): number {
  expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
  let off = 0;
  for (let i = 0; i < actual.data.length; i++) {
    if (Math.abs((actual.data[i] ?? 0) - (expected.data[i] ?? 0)) > threshold) off++;
  }
  return off / actual.data.length;
}

describe.skipIf(!haveChromium)('the workbench in chromium', () => {
  let home: TileHome;
  let services: TileServices;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const tileStatuses: number[] = [];

  /** Waits until the map has finished a render after `action` (all tiles loaded). */
  async function afterRender(action: () => Promise<void>): Promise<void> {
    const renders = async (): Promise<number> =>
      Number((await page.locator('#map').getAttribute('data-render-count')) ?? '0');
    const before = await renders();
    await action();
    await expect.poll(renders, POLL).toBeGreaterThan(before);
  }

  beforeAll(async () => {
    await ensureWorkbenchBuilt(WEB_DIST, () => undefined);
    home = createTileHome('sitewatch-workbench-');
    const manySites = join(home.root, 'many-sites.geojson');
    writeFileSync(manySites, JSON.stringify(manySitesCatalog()));
    for (const catalog of [
      join(REPO_ROOT, 'examples/catalog.geojson'),
      join(REPO_ROOT, 'examples/imagery/sample-sites.geojson'),
      manySites,
    ]) {
      const run = await runCliCaptured(['--home', home.home, 'sites', 'import', catalog]);
      expect(run.code, run.stderr).toBe(0);
    }
    const observe = await runCliCaptured([
      '--home',
      home.home,
      'observe',
      'import',
      join(REPO_ROOT, 'examples/observations/2019-sanumdong-sohae.json'),
    ]);
    expect(observe.code, observe.stderr).toBe(0);
    await home.ingest(join(PARIS, '2016-11-30'), ['--acquired-at', '2016-11-30T10:50:00Z']);
    const later = await home.ingest(join(PARIS, '2017-08-29'), [
      '--acquired-at',
      '2017-08-29T10:50:00Z',
    ]);
    // A real detection run for the overlay: the top-hat baseline (no model file) told the
    // pixels are 2 m, so that it finds vehicle-sized blobs in the 10 m sample.
    const detect = await runCliCaptured([
      '--home',
      home.home,
      'detect',
      later,
      '--model',
      'tophat-baseline',
      '--gsd',
      '2',
      '--min-score',
      '0.1',
    ]);
    expect(detect.code, detect.stderr).toBe(0);
    services = await home.open();
    const api = apiServicesOf(services.sw);
    const accounts = { ...api.accounts, hasher: new ScryptPasswordHasher(TEST_COST) };
    await addUser(accounts, { name: 'ana', role: 'analyst', password: PASSWORD });
    server = await startServer(
      { ...api, accounts },
      {
        host: '127.0.0.1',
        port: 0,
        webDir: WEB_DIST,
        // The job routes without a runner: a submitted job stays queued until cancelled.
        extraRoutes: jobRoutes({ queue: services.sw.jobs, outputRoot: join(home.root, 'jobs') }),
        extensions: [
          (app) => {
            registerTileRoutes(app, services.deps);
          },
        ],
      },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 700 }, deviceScaleFactor: 1 });
    page.on('response', (response) => {
      if (response.url().includes('/tiles/')) tileStatuses.push(response.status());
    });
  }, 180_000);

  afterAll(async () => {
    await browser.close();
    await server.close();
    await services.close();
    home.remove();
  });

  it('refuses a wrong password with the server’s reason, then logs in', async () => {
    await page.goto(server.url);
    await page.fill('input[name=name]', 'ana');
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('#login-error').textContent(), POLL).not.toBe('');
    expect(await page.locator('#workbench').isHidden()).toBe(true);

    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.locator('#workbench').waitFor({ state: 'visible' });
    expect(await page.locator('#user').textContent()).toBe('ana (analyst)');
    await expect.poll(() => page.locator('#site-list li').count(), POLL).toBeGreaterThan(1);
  });

  it('lists a 1,000-site catalog a page at a time and searches it', async () => {
    const total = MANY_SITES + 4;
    await expect.poll(() => page.locator('#site-list li').count(), POLL).toBe(200);
    expect(await page.locator('#site-more').textContent()).toBe(
      `Show more (${total - 200} of ${total} not listed)`,
    );
    await page.click('#site-more');
    expect(await page.locator('#site-list li').count()).toBe(400);
    await page.fill('#site-search', 'Synthetic site 0999');
    await expect.poll(() => page.locator('#site-list li').count(), POLL).toBe(1);
    expect(await page.locator('#site-list li').textContent()).toBe('Synthetic site 0999');
    expect(await page.locator('#site-more').isHidden()).toBe(true);
  });

  it('finds the demo site by name and shows both dates as tile layers', async () => {
    await page.fill('#site-search', 'bercy');
    await expect.poll(() => page.locator('#site-list li').count(), POLL).toBe(1);
    await page.click('#site-list li[data-site-id="paris-bercy-rail"]');
    await expect.poll(() => page.locator('#date-a option').count(), POLL).toBe(2);
    const map = page.locator('#map');
    const loaded = async (): Promise<boolean> =>
      (await map.getAttribute('data-loading')) === 'false' &&
      Number(await map.getAttribute('data-tiles-loaded')) > 0;
    await expect.poll(loaded, POLL).toBe(true);
    expect(await page.locator('#date-a option').allTextContents()).toEqual([
      '2016-11-30',
      '2017-08-29',
    ]);
    expect(await page.locator('#date-b').inputValue()).not.toBe(
      await page.locator('#date-a').inputValue(),
    );
    expect(tileStatuses.length).toBeGreaterThan(0);
    expect(tileStatuses.filter((status) => status !== 200 && status !== 304)).toEqual([]);
  });

  it('swipes B over A like the golden view (REGEN=1 rewrites it)', async () => {
    await afterRender(() => page.locator('#swipe').fill('30'));
    const shot = PNG.sync.read(await page.locator('#map').screenshot());
    if (process.env.REGEN === '1' || !existsSync(GOLDEN)) {
      writeFileSync(GOLDEN, PNG.sync.write(shot));
    }
    const golden = PNG.sync.read(readFileSync(GOLDEN));
    // Tolerance: label text and tile edges may anti-alias differently between chromium builds.
    expect(differingShare(shot, golden, 24)).toBeLessThan(0.02);
    // The swipe changed the picture: the view at 70 % differs from the golden at 30 %.
    await afterRender(() => page.locator('#swipe').fill('70'));
    const moved = PNG.sync.read(await page.locator('#map').screenshot());
    expect(differingShare(moved, golden, 24)).toBeGreaterThan(0.02);
  });

  it('blinks, steps dates and shows the shortcuts from the keyboard', async () => {
    await page.locator('#map').click();
    await page.keyboard.press('b');
    expect(await page.locator('#blink-state').textContent()).toBe('Showing A');
    expect(await page.locator('#mode-blink').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#swipe').isHidden()).toBe(true);
    await page.keyboard.press('b');
    expect(await page.locator('#blink-state').textContent()).toBe('Showing B');
    await page.keyboard.press('[');
    expect(await page.locator('#date-b option:checked').textContent()).toBe('2016-11-30');
    await page.keyboard.press(']');
    expect(await page.locator('#date-b option:checked').textContent()).toBe('2017-08-29');
    await page.keyboard.press('s');
    expect(await page.locator('#swipe').isVisible()).toBe(true);
    await page.keyboard.press('?');
    expect(await page.locator('#help').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.locator('#help').isHidden()).toBe(true);
  });

  it('cycles to a side-by-side view of A and B with `v`, and back to swipe', async () => {
    const box = async (id: string): Promise<{ x: number; width: number }> => {
      const found = await page.locator(id).boundingBox();
      if (found === null) throw new Error(`${id} is not laid out`);
      return found;
    };
    const full = await box('#map');
    await page.keyboard.press('v');
    expect(await page.locator('#mode-blink').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('v');
    expect(await page.locator('#mode-side').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#swipe').isHidden()).toBe(true);
    await page.locator('#map-b').waitFor({ state: 'visible' });
    const [left, right] = [await box('#map'), await box('#map-b')];
    expect(left.width).toBeCloseTo(full.width / 2, 0);
    expect(right.x).toBeCloseTo(left.x + left.width, 0);
    // B's map draws the image: its picture is not one flat colour.
    const varied = async (): Promise<boolean> => {
      const shot = PNG.sync.read(await page.locator('#map-b').screenshot());
      return new Set(shot.data.filter((_, index) => index % 4 === 1)).size > 16;
    };
    await expect.poll(varied, POLL).toBe(true);
    await page.keyboard.press('v');
    expect(await page.locator('#mode-swipe').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#map-b').isHidden()).toBe(true);
    expect((await box('#map')).width).toBeCloseTo(full.width, 0);
  });

  it('overlays the newest detection run of date B', async () => {
    const shot = async (): Promise<PNG> => PNG.sync.read(await page.locator('#map').screenshot());
    const without = await shot();
    await page.check('#overlay-detections');
    await expect
      .poll(() => page.locator('#detections-state').textContent(), POLL)
      .toMatch(/^[1-9]\d* detections \(tophat-baseline 1\.0\.0\)$/);
    // The boxes are drawn: the map changes.
    await expect
      .poll(async () => differingShare(await shot(), without, 24), POLL)
      .toBeGreaterThan(0);
    await page.keyboard.press('[');
    await expect
      .poll(() => page.locator('#detections-state').textContent(), POLL)
      .toBe('No detection run for this date.');
  });

  it('charts a zone’s series with its anomaly and its not-observable gap', async () => {
    await page.fill('#site-search', 'sanumdong');
    await page.click('#site-list li[data-site-id="sanumdong"]');
    const key = page.locator('#series-key');
    await expect
      .poll(() => key.locator('option').allTextContents(), POLL)
      .toContain('Vehicle park by the production hall · vehicles');
    await key.selectOption({ label: 'Vehicle park by the production hall · vehicles' });
    const chart = page.locator('#series svg');
    expect(await chart.locator('circle.point').count()).toBe(12);
    expect(await chart.locator('circle.anomaly').getAttribute('data-at')).toMatch(/^2019-02-22/);
    // 2019-03-08 could not be seen: a hatched band, not a point at zero.
    expect(await chart.locator('rect.gap').getAttribute('data-at')).toMatch(/^2019-03-08/);
    expect(await chart.locator('circle[data-at^="2019-03-08"]').count()).toBe(0);
    expect(await page.locator('#series .series-state').textContent()).toBe(
      '12 observed, 1 not observable, 1 anomaly',
    );
    // Clicking a point asks for that date as B; this site has no imagery to show.
    await chart.locator('circle.anomaly').click();
    expect(await page.locator('#status').textContent()).toBe(
      'No image of this site to show for 2019-02-22.',
    );
  });

  it('assesses a playbook file, jumps to evidence, and recomputes after a rejection', async () => {
    const panel = page.locator('#assessment');
    // As of the day after the 2019 reporting, when the surge still weighs.
    await panel.locator('.as-of').fill('2019-03-09');
    await page.setInputFiles(
      '#playbook-file',
      join(REPO_ROOT, 'examples/playbooks/space-launch-preparation.yaml'),
    );
    const state = panel.locator('.assessment-state');
    await expect.poll(() => state.textContent(), POLL).toMatch(/ \d+ % as of \d{4}-\d{2}-\d{2}$/);
    const before = Number(/ (\d+) % as of/.exec((await state.textContent()) ?? '')?.[1]);
    expect(await panel.locator('.trajectory-chart circle.point').count()).toBeGreaterThan(1);
    const surge = panel.locator('li[data-indicator="sanumdong-vehicle-surge"]');
    expect(await surge.locator('.jump').textContent()).toMatch(/^sanumdong-vehicle-surge \+/);

    // The evidence is at Sohae's neighbour: the jump selects its site.
    await page.fill('#site-search', 'bercy');
    await expect.poll(() => page.locator('#site-list li').count(), POLL).toBe(1);
    await surge.locator('.jump').click();
    await expect
      .poll(() => page.locator('#site-list li[aria-selected=true]').getAttribute('data-site-id'))
      .toBe('sanumdong');

    // Without a reason nothing is recorded; with one the assessment is computed again.
    await surge.locator('button.reject').click();
    expect(await state.textContent()).toBe(
      'Type a reason to reject space-launch-preparation/sanumdong-vehicle-surge.',
    );
    await panel.locator('.review-reason').fill('a parade rehearsal');
    await surge.locator('button.reject').click();
    await expect.poll(() => state.textContent(), POLL).toMatch(/\(1 overridden by review\)$/);
    const after = Number(/ (\d+) % as of/.exec((await state.textContent()) ?? '')?.[1]);
    expect(after).toBeLessThan(before);
    expect(await surge.getAttribute('class')).toBe('overridden');
    expect(await surge.locator('.review').textContent()).toBe('rejected: a parade rehearsal');
  });

  it('lists alerts and jobs and cancels a queued job', async () => {
    const inbox = page.locator('#inbox');
    const created = await page.evaluate(async () => {
      const response = await fetch('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'assess',
          payload: { playbook: { id: 'p' }, asOf: '2019-03-08' },
        }),
      });
      return response.status;
    });
    expect(created).toBe(202);
    await inbox.locator('button.refresh').click();
    await expect
      .poll(() => inbox.locator('ul.alerts li').allTextContents(), POLL)
      .toEqual(['No alerts.']);
    const job = inbox.locator('ul.jobs li.job');
    await expect.poll(() => job.textContent(), POLL).toBe('assess queued Cancel');
    await job.locator('button').click();
    await expect.poll(() => job.textContent(), POLL).toBe('assess cancelled');
  });

  it('logs out back to the login form', async () => {
    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });
    const session = await page.evaluate(async () => (await fetch('/api/session')).status);
    expect(session).toBe(401);
  });
});
