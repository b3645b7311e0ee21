/**
 * The workbench in a real browser (Debian's chromium driven by playwright-core) against a real
 * server on a random port over a temporary home holding the sample sites and the two Paris
 * Sentinel-2 dates, the 2019 Sanumdong observations and 1,000 generated sites: log in (a wrong
 * password first), page through and search the 1,000-site list, open the demo site, load both
 * dates as tile layers, swipe, blink, side by side, step dates, the help overlay, the detections
 * overlay, the time-series chart (anomaly, not-observable gap), a playbook assessment with a
 * rejected indicator, the alerts inbox and cancelling a queued job, log out. Then the analyst's
 * tools: a comparison's change polygons with its registration report and its rasters and the
 * site's layers downloaded from the Export menus; a box, a measurement and a text label drawn,
 * saved and listed again after a reload; a detection confirmed with a reason from the map; a
 * 500-image timeline (records seeded through the store) stepped from the keyboard. The map
 * views after the swipe, with the change polygons and with the annotations are compared with
 * golden PNGs within a pixel tolerance (REGEN=1 rewrites them).
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
import { makeImageRecord } from '../../app/contracts/fixtures.ts';
import { REPO_ROOT } from '../../testing/shared-data.ts';
import { createTileHome, type TileHome, type TileServices } from '../../testing/tile-home.ts';
import { runCliCaptured } from '../cli/run-cli-for-test.ts';
import { publishRoutes } from '../../adapters/http/routes/publish-routes.ts';
import { apiServicesOf, publishDepsOf, startServer, type RunningServer } from './serve.ts';
import { ensureWorkbenchBuilt } from './web-build.ts';

const CHROMIUM = '/usr/bin/chromium';
const WEB_DIST = join(REPO_ROOT, 'web/dist');
const PARIS = join(REPO_ROOT, 'examples/imagery/paris-bercy');
const GOLDEN = join(import.meta.dirname, 'testdata/workbench-swipe.png');
const GOLDEN_CHANGES = join(import.meta.dirname, 'testdata/workbench-changes.png');
const GOLDEN_ANNOTATIONS = join(import.meta.dirname, 'testdata/workbench-annotations.png');
/** Image records seeded under one synthetic site, for the timeline. */
const MANY_IMAGES = 500;
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

/** Compares `shot` with the golden PNG at `path` (REGEN=1, or a missing golden, writes it). */
function expectLikeGolden(shot: PNG, path: string): void {
  if (process.env.REGEN === '1' || !existsSync(path)) writeFileSync(path, PNG.sync.write(shot));
  // Tolerance: label text and tile edges may anti-alias differently between chromium builds.
  expect(differingShare(shot, PNG.sync.read(readFileSync(path)), 24)).toBeLessThan(0.02);
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
  let comparisonId = '';
  const compareOut = (): string => join(home.root, 'compare-out');

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
    const earlier = await home.ingest(join(PARIS, '2016-11-30'), [
      '--acquired-at',
      '2016-11-30T10:50:00Z',
    ]);
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
    const compare = await runCliCaptured([
      '--home',
      home.home,
      'compare',
      earlier,
      later,
      '--site',
      'paris-bercy-rail',
      '--out',
      compareOut(),
      '--json',
    ]);
    expect(compare.code, compare.stderr).toBe(0);
    comparisonId = compare.json<{ id: string }>().id;
    services = await home.open();
    // A long timeline: records only (their files do not exist; no tile of them is asked for).
    for (let seed = 1; seed <= MANY_IMAGES; seed++) {
      await services.sw.images.insert(makeImageRecord({ seed, sites: ['synthetic-0000'] }));
    }
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
        extraRoutes: [
          ...jobRoutes({ queue: services.sw.jobs, outputRoot: join(home.root, 'jobs') }),
          ...publishRoutes(publishDepsOf(services.sw)),
        ],
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
    expectLikeGolden(shot, GOLDEN);
    const golden = PNG.sync.read(readFileSync(GOLDEN));
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

  it('shows the change polygons of A → B with the registration report', async () => {
    const panel = page.locator('#changes');
    await page.uncheck('#overlay-detections');
    await page.keyboard.press(']');
    expect(await page.locator('#date-b option:checked').textContent()).toBe('2017-08-29');
    await expect
      .poll(() => panel.locator('.changes-state').textContent(), POLL)
      .toMatch(new RegExp(`^${comparisonId}: \\d+ polygons, \\d+\\.\\d % changed`));
    const stored = (await page.evaluate(
      async (id) => (await fetch(`/api/comparisons/${id}`)).json(),
      comparisonId,
    )) as { registration: { dx: number; reliable: boolean; confidence: number } };
    const report = await panel.locator('dl.registration dt').allTextContents();
    expect(report).toEqual(['dx, dy', 'residual median', 'residual p90', 'confidence', 'reliable']);
    expect(await panel.locator('dl.registration dd').first().textContent()).toContain(
      stored.registration.dx.toFixed(2),
    );
    // An unreliable registration is flagged in red; this pair registers reliably.
    expect(await panel.getAttribute('class')).toBe(
      stored.registration.reliable ? 'changes' : 'changes unreliable',
    );
    expect(await panel.locator('dl.registration dd').last().textContent()).toBe(
      stored.registration.reliable ? 'yes' : 'NO: shift not applied',
    );
    await page.locator('#swipe').fill('100');
    await afterRender(() => panel.locator('input.overlay-changes').check());
    await expect.poll(() => panel.getAttribute('data-polygons'), POLL).toMatch(/^[1-9]/);
    await afterRender(() => page.locator('#swipe').fill('99'));
    expectLikeGolden(PNG.sync.read(await page.locator('#map').screenshot()), GOLDEN_CHANGES);
  });

  it('downloads the comparison’s change mask and a site layer from the Export menus', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#changes a[data-export="change-mask"]'),
    ]);
    expect(download.suggestedFilename()).toBe(`${comparisonId}-change-mask.tif`);
    const mask = readFileSync(await download.path());
    expect(mask.equals(readFileSync(join(compareOut(), 'change-mask.tif')))).toBe(true);

    const menu = page.locator('#site-export');
    await menu.locator('summary').click();
    await menu.locator('select.export-what').selectOption('changes');
    await menu.locator('select.export-format').selectOption('geojson');
    const link = menu.locator('a.export-download');
    const [layer] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(layer.suggestedFilename()).toBe('paris-bercy-rail-changes.geojson');
    const geojson = JSON.parse(readFileSync(await layer.path(), 'utf8')) as {
      features: unknown[];
    };
    expect(geojson.features.length).toBeGreaterThan(0);
    // The answer behind the link: an attachment, with the feature count.
    const answer = await page.evaluate(
      async (href) => {
        const response = await fetch(href);
        return {
          status: response.status,
          disposition: response.headers.get('content-disposition'),
          count: response.headers.get('x-sitewatch-feature-count'),
        };
      },
      (await link.getAttribute('href')) ?? '',
    );
    expect(answer).toEqual({
      status: 200,
      disposition: 'attachment; filename="paris-bercy-rail-changes.geojson"',
      count: String(geojson.features.length),
    });
    // The figure of the site on B, and the link to the site's brief.
    const [figure] = await Promise.all([
      page.waitForEvent('download'),
      menu.locator('a.export-figure').click(),
    ]);
    expect(figure.suggestedFilename()).toMatch(/^paris-bercy-rail-img_[0-9a-f]+-figure\.png$/);
    expect(
      readFileSync(await figure.path())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    // The brief takes seconds to write: its route is tested in export-routes.test.ts.
    expect(await menu.locator('a.export-brief').getAttribute('href')).toBe(
      '/api/sites/paris-bercy-rail/brief',
    );
    await menu.locator('summary').click();
    await page.uncheck('#changes input.overlay-changes');
  });

  it('draws a box, a distance, an area and a text label on B, each saved at once', async () => {
    const panel = page.locator('#annotate');
    const map = await page.locator('#map').boundingBox();
    if (map === null) throw new Error('#map is not laid out');
    const at = async (x: number, y: number): Promise<void> => {
      await page.mouse.move(map.x + x, map.y + y, { steps: 4 });
      await page.mouse.click(map.x + x, map.y + y);
    };
    await panel.locator('button[data-tool="box"]').click();
    await at(300, 200);
    await at(420, 300);
    await expect.poll(() => panel.locator('li[data-kind="box"]').count(), POLL).toBe(1);
    await panel.locator('button[data-tool="distance"]').click();
    await at(200, 400);
    await at(500, 400);
    await at(500, 400);
    await expect.poll(() => panel.locator('li[data-kind="measurement"]').count(), POLL).toBe(1);
    expect(await panel.locator('li[data-kind="measurement"] span').textContent()).toMatch(
      /^measurement · \d[\d.,]* k?m \(ana\)$/,
    );
    // An area: three corners, then the first again closes the polygon.
    await panel.locator('button[data-tool="area"]').click();
    await at(150, 450);
    await at(260, 450);
    await at(260, 540);
    await at(150, 450);
    await expect.poll(() => panel.locator('li[data-kind="measurement"]').count(), POLL).toBe(2);
    expect(await panel.locator('li[data-kind="measurement"] span').last().textContent()).toMatch(
      /^measurement · [\d.,]+ (m²|ha|km²) · perimeter [\d.,]+ k?m \(ana\)$/,
    );
    await panel.locator('input.annotation-text').fill('loading bay');
    await panel.locator('button[data-tool="text"]').click();
    await at(360, 250);
    await expect.poll(() => panel.locator('li').count(), POLL).toBe(4);
  });

  it('lists the annotations again after a reload, drawn like the golden view', async () => {
    const panel = page.locator('#annotate');
    await page.reload();
    await page.locator('#workbench').waitFor({ state: 'visible' });
    await page.fill('#site-search', 'bercy');
    await expect.poll(() => page.locator('#site-list li').count(), POLL).toBe(1);
    await afterRender(() => page.click('#site-list li[data-site-id="paris-bercy-rail"]'));
    await expect
      .poll(() => panel.locator('li span').allTextContents(), POLL)
      .toEqual([
        'box (ana)',
        expect.stringMatching(/^measurement · \d[\d.,]* k?m \(ana\)$/),
        expect.stringMatching(/^measurement · [\d.,]+ (m²|ha|km²) · perimeter /),
        'text · “loading bay” (ana)',
      ]);
    const saved = (await page.evaluate(async () => {
      const images = (await (await fetch('/api/images?site=paris-bercy-rail')).json()) as {
        items: { id: string }[];
      };
      const b = images.items[images.items.length - 1]?.id ?? '';
      return (await fetch(`/api/annotations?imageId=${b}`)).json();
    })) as { items: { properties: { kind: string; length_m?: number; area_m2?: number } }[] };
    const [line, area] = saved.items.filter((item) => item.properties.kind === 'measurement');
    // 300 px across the map at the fitted zoom: hundreds of metres over the rail yards.
    expect(line?.properties.length_m).toBeGreaterThan(50);
    expect(area?.properties.area_m2).toBeGreaterThan(1000);
    await afterRender(() => page.locator('#swipe').fill('60'));
    expectLikeGolden(PNG.sync.read(await page.locator('#map').screenshot()), GOLDEN_ANNOTATIONS);
  });

  it('confirms a detection with a reason from the map', async () => {
    await page.check('#overlay-detections');
    await expect
      .poll(() => page.locator('#detections-state').textContent(), POLL)
      .toMatch(/^[1-9]\d* detections/);
    expect(await page.locator('#detection-counts th').first().textContent()).toBe('zone');
    const review = page.locator('#detection-review');
    await page.keyboard.press('n');
    await review.waitFor({ state: 'visible' });
    const target = (await review.getAttribute('data-target')) ?? '';
    expect(target).toMatch(/^det_[0-9a-z]+#\d+$/);
    // The view is centred on it: a click beside it lets it go, one at the centre picks it again.
    await page.locator('#map').click({ position: { x: 5, y: 5 } });
    await review.waitFor({ state: 'hidden' });
    await page.locator('#map').click();
    await review.waitFor({ state: 'visible' });
    expect(await review.getAttribute('data-target')).toBe(target);
    await review.locator('button.confirm').click();
    expect(await review.locator('.review-state').textContent()).toBe(
      'Type a reason to confirm this detection.',
    );
    await review.locator('input.detection-reason').fill('two trucks by the loading dock');
    await review.locator('button.confirm').click();
    await expect
      .poll(() => review.locator('.review-state').textContent(), POLL)
      .toBe('confirmed by ana: two trucks by the loading dock');
    const reviews = (await page.evaluate(async () =>
      (await fetch('/api/reviews?targetKind=detection')).json(),
    )) as { items: { targetId: string; verdict: string; author: string }[] };
    expect(reviews.items).toEqual([
      expect.objectContaining({ targetId: target, verdict: 'confirm', author: 'ana' }),
    ]);
    await page.uncheck('#overlay-detections');
  });

  it('steps a 500-image timeline from a compact histogram and slider', async () => {
    await page.fill('#site-search', 'Synthetic site 0000');
    await expect.poll(() => page.locator('#site-list li').count(), POLL).toBe(1);
    const started = Date.now();
    await page.click('#site-list li[data-site-id="synthetic-0000"]');
    const date = page.locator('#timeline-strip .timeline-date');
    await expect.poll(() => date.textContent(), POLL).toMatch(/\(500 of 500\)$/);
    console.log(`500-image timeline shown in ${Date.now() - started} ms`);
    const bins = page.locator('#timeline-strip rect.bin');
    expect(await bins.count()).toBeLessThanOrEqual(48);
    let imagesInBins = 0;
    for (const bin of await bins.all())
      imagesInBins += Number(await bin.getAttribute('data-count'));
    expect(imagesInBins).toBe(MANY_IMAGES);
    const slider = page.locator('#timeline-slider');
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => date.textContent()).toMatch(/\(499 of 500\)$/);
    // The select of B follows: the date of its chosen option is the slider's.
    const label = (await date.textContent()) ?? '';
    expect(await page.locator('#date-b option:checked').textContent()).toBe(label.slice(2, 12));
    await page.keyboard.press('Home');
    await expect.poll(() => date.textContent()).toBe('B 2019-01-02 (1 of 500)');
    await bins.last().click();
    await expect.poll(() => date.textContent()).toMatch(/\(\d+ of 500\)$/);
    expect(await page.locator('#timeline-strip line.mark-b').count()).toBe(1);
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
