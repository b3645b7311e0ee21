/**
 * Brief benchmark (issue 7 item 3): `sitewatch report` on the 2019 playbook over a home whose
 * main site (sanumdong) holds 200 images, with a daily vehicle count in each of its 3 zones and
 * at 2 zones of the linked rail transfer point (200 observations per series, 1 in 10 not
 * observable) and the seed case's 31 observations: the brief runs to about 10 PDF pages.
 *
 *   npm run bench:brief            (BENCH_RUNS=3 by default)
 *
 * Measures the whole CLI process (GNU time: wall, CPU, peak RSS) writing the PDF and the HTML
 * brief, with the page count. The image records are synthetic (no pixels), so the brief is
 * written with --no-pictures; pictures cost what `bench:figure` measures per figure.
 * Target: under 10 s on 2 cores. Writes bench/results/brief.json (or BENCH_RESULT).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { renderBriefHtml } from '../src/adapters/pdf/html-brief-writer.ts';
import { renderBriefPdf } from '../src/adapters/pdf/pdf-brief-writer.ts';
import { publishBrief } from '../src/app/publish/brief.ts';
import { SOFTWARE_VERSION } from '../src/apps/version.ts';
import { makeImageRecord } from '../src/app/contracts/fixtures.ts';
import { runCliCaptured } from '../src/apps/cli/run-cli-for-test.ts';
import { loadConfig } from '../src/apps/config.ts';
import { openSitewatch } from '../src/apps/wiring.ts';
import { seededRandom } from '../src/core/random.ts';
import { machineInfo, median } from './machine.ts';
import { hasGnuTime, measureProcess, type MeasuredRun } from './measure-process.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMAGES = 200;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SERIES: readonly (readonly [string, string])[] = [
  ['sanumdong', 'parking'],
  ['sanumdong', 'production-hall'],
  ['sanumdong', 'rail-yard'],
  ['sanumdong-rail-transfer', 'loading'],
  ['sanumdong-rail-transfer', 'parking'],
];
const DAY_MS = 86_400_000;
const PLAYBOOK = 'examples/playbooks/space-launch-preparation.yaml';

async function cli(...args: string[]): Promise<void> {
  const run = await runCliCaptured(args);
  if (run.code !== 0) throw new Error(`sitewatch ${args.join(' ')} failed: ${run.stderr}`);
}

const root = mkdtempSync(join(tmpdir(), 'bench-brief-'));
try {
  const home = join(root, 'home');
  await cli('--home', home, 'sites', 'import', join(repo, 'examples/catalog.geojson'));
  await cli(
    '--home',
    home,
    'observe',
    'import',
    join(repo, 'examples/observations/2019-sanumdong-sohae.json'),
  );
  const random = seededRandom(7);
  const observations = SERIES.flatMap(([site, zone]) =>
    Array.from({ length: IMAGES }, (_, day) => {
      const observedAt = new Date(Date.UTC(2018, 5, 1) + day * DAY_MS).toISOString();
      return random() < 0.1
        ? {
            site,
            zone,
            metric: 'vehicles',
            observedAt,
            notObservable: 'cloud over the zone',
            author: 'bench',
          }
        : {
            site,
            zone,
            metric: 'vehicles',
            observedAt,
            value: Math.round(8 + 4 * random() + (random() < 0.03 ? 25 : 0)),
            author: 'bench',
          };
    }),
  );
  const observationFile = join(root, 'observations.json');
  writeFileSync(observationFile, JSON.stringify({ observations }));
  await cli('--home', home, 'observe', 'import', observationFile);
  const sw = await openSitewatch(loadConfig({}, { home }));
  const inProcessMs = { gather: 0, pdf: 0, html: 0 };
  try {
    for (let seed = 1; seed <= IMAGES; seed += 1) {
      await sw.images.insert(makeImageRecord({ seed, sites: ['sanumdong'] }));
    }
    // In-process stages of one brief (after a warm-up), without the CLI's start-up.
    const request = {
      subject: {
        kind: 'playbook' as const,
        json: parseYaml(readFileSync(join(repo, PLAYBOOK), 'utf8')) as unknown,
        label: PLAYBOOK,
      },
      asOf: '2019-12-31T23:59:59.999Z',
      generatedAt: '2026-01-01T00:00:00.000Z',
      softwareVersion: SOFTWARE_VERSION,
    };
    const deps = {
      ...sw.assessmentDeps,
      images: sw.images,
      comparisons: sw.comparisons,
      detections: sw.detections,
    };
    await renderBriefPdf(await publishBrief(deps, request));
    let t0 = performance.now();
    const brief = await publishBrief(deps, request);
    inProcessMs.gather = Math.round(performance.now() - t0);
    t0 = performance.now();
    await renderBriefPdf(brief);
    inProcessMs.pdf = Math.round(performance.now() - t0);
    t0 = performance.now();
    renderBriefHtml(brief);
    inProcessMs.html = Math.round(performance.now() - t0);
  } finally {
    await sw.close();
  }

  if (!hasGnuTime()) throw new Error('GNU time (/usr/bin/time) is needed for the peak memory');
  const loadBefore = loadavg().map((v) => Number(v.toFixed(2)));
  const command = (format: string, out: string) => [
    join(repo, 'bin/sitewatch.js'),
    '--home',
    home,
    'report',
    '--playbook',
    PLAYBOOK,
    '--at',
    '2019-12-31',
    '--now',
    '2026-01-01T00:00:00Z',
    '--no-pictures',
    '--format',
    format,
    '--out',
    out,
  ];
  const summary = (runs: readonly MeasuredRun[]) => {
    const failed = runs.find((r) => r.failure !== null);
    if (failed !== undefined) throw new Error(`report failed: ${failed.failure ?? ''}`);
    return {
      command: runs[0]?.command.replaceAll(root, '$TMP') ?? null,
      wallSecondsMedian: Number(median(runs.map((r) => r.wallSeconds)).toFixed(3)),
      wallSeconds: runs.map((r) => Number(r.wallSeconds.toFixed(3))),
      cpuSecondsMedian: Number(median(runs.map((r) => r.userSeconds + r.systemSeconds)).toFixed(2)),
      peakRssMiB: Math.round(Math.max(...runs.map((r) => r.peakRssBytes)) / 2 ** 20),
    };
  };
  const startup = measureProcess(process.execPath, [join(repo, 'bin/sitewatch.js'), '--version'], {
    cwd: repo,
    timeoutMs: 60_000,
  });
  const pdfOut = join(root, 'brief.pdf');
  const pdfRuns = Array.from({ length: RUNS }, () =>
    measureProcess(process.execPath, command('pdf', pdfOut), { cwd: repo, timeoutMs: 120_000 }),
  );
  const pdf = readFileSync(pdfOut);
  const pages = (pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length;
  const htmlOut = join(root, 'brief.html');
  const htmlRuns = Array.from({ length: RUNS }, () =>
    measureProcess(process.execPath, command('html', htmlOut), { cwd: repo, timeoutMs: 120_000 }),
  );
  const result = {
    benchmark: 'brief',
    command: 'npm run bench:brief',
    machine: machineInfo(),
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg().map((v) => Number(v.toFixed(2))),
    input: {
      images: IMAGES,
      series: SERIES.length + 1,
      observationsPerSeries: IMAGES,
      pictures: false,
    },
    targetSeconds: 10,
    /** `sitewatch --version`: the CLI's start-up (tsx), included in every run below. */
    startup: {
      wallSeconds: Number(startup.wallSeconds.toFixed(3)),
      cpuSeconds: Number((startup.userSeconds + startup.systemSeconds).toFixed(2)),
    },
    inProcessMs,
    pdf: { ...summary(pdfRuns), pages, bytes: pdf.length },
    html: { ...summary(htmlRuns), bytes: readFileSync(htmlOut).length },
  };
  const out = process.env.BENCH_RESULT ?? join(repo, 'bench/results/brief.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(root, { recursive: true, force: true });
}
