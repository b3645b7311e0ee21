/**
 * The workbench in a real browser (Debian's chromium driven by playwright-core) against a real
 * server on a random port over a temporary home holding the sample sites and the two Paris
 * Sentinel-2 dates: log in (a wrong password first), search and open the demo site, load both
 * dates as tile layers, swipe, blink, step dates, the help overlay, the detections overlay,
 * log out. The map view after the swipe is compared with a golden PNG within a pixel tolerance (REGEN=1 rewrites it).
 * Skips when /usr/bin/chromium is absent; builds web/dist with vite when it is missing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScryptPasswordHasher } from '../../adapters/crypto/scrypt-password-hasher.ts';
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
/** Waiting (not timing): the machine may be loaded, so give the page time to settle. */
const POLL = { timeout: 30_000 };

if (!haveChromium) {
  console.warn(`workbench browser test skipped: ${CHROMIUM} is absent (apt install chromium)`);
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
    for (const catalog of ['examples/catalog.geojson', 'examples/imagery/sample-sites.geojson']) {
      const run = await runCliCaptured([
        '--home',
        home.home,
        'sites',
        'import',
        join(REPO_ROOT, catalog),
      ]);
      expect(run.code, run.stderr).toBe(0);
    }
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

  it('logs out back to the login form', async () => {
    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });
    const session = await page.evaluate(async () => (await fetch('/api/session')).status);
    expect(session).toBe(401);
  });
});
