/**
 * `sitewatch demo`: the quick start's main command. Sets up a data home, imports the example
 * catalog (Sanumdong, the rail transfer point, Sohae, linked) and the sample-imagery site, ingests
 * the freely licensed sample imagery shipped in examples/imagery, compares its two dates over
 * the rail yards (outputs in `<home>/demo-outputs/`), replays the 2019 seed case (observations
 * and the space-launch-preparation playbook), and prints what the home holds.
 * Safe to run again: sites are updated in place, images and observations already held are
 * recognised; each run stores one more comparison. With `--serve` it then serves the home
 * (API, workbench, jobs, alert delivery) and prints the URL and a demo login.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { importObservations } from '../../../app/activity/observe.ts';
import { assessFromPlaybook } from '../../../app/assess/assess-playbook.ts';
import { compareImages } from '../../../app/compare-images.ts';
import { ingestImage } from '../../../app/ingest-images.ts';
import { discoverIngestCandidates } from '../../../adapters/fs/discover-ingest-candidates.ts';
import { addUser } from '../../../app/accounts/accounts.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../server/serve.ts';
import type { Sitewatch } from '../../wiring.ts';
import { readJsonFile, withSitewatch, type Io } from '../context.ts';
import { parsePort, serveUntilStopped } from './serve.ts';
import { formatNumber, formatTable } from '../format.ts';
import { readStructuredFile } from '../structured-file.ts';

const DEMO_SITE = 'paris-bercy-rail';
const SEED_OBSERVATIONS = 'observations/2019-sanumdong-sohae.json';
const SEED_PLAYBOOK = 'playbooks/space-launch-preparation.yaml';
/** The end of the seed case's last reported day. */
const SEED_AS_OF = '2019-03-08T23:59:59Z';

export const EXAMPLES_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../examples',
);

interface DemoOptions {
  readonly serve?: boolean;
  readonly host?: string;
  readonly port?: string;
}

/** The demo home's analyst account. */
export const DEMO_USER = 'demo';

/**
 * The demo login: made once per home with a random password, kept (mode 0600) in
 * `<home>/demo-login.json` so that later runs can print it again.
 */
async function demoLogin(sw: Sitewatch): Promise<{ user: string; password: string | null }> {
  const file = join(sw.config.home, 'demo-login.json');
  if ((await sw.accountDeps.accounts.getUser(DEMO_USER)) === undefined) {
    const password = randomBytes(12).toString('base64url');
    await addUser(sw.accountDeps, { name: DEMO_USER, role: 'analyst', password });
    writeFileSync(file, `${JSON.stringify({ user: DEMO_USER, password })}\n`, { mode: 0o600 });
    return { user: DEMO_USER, password };
  }
  if (!existsSync(file)) return { user: DEMO_USER, password: null };
  const saved = readJsonFile(file) as { password?: unknown };
  return { user: DEMO_USER, password: typeof saved.password === 'string' ? saved.password : null };
}

export function registerDemoCommand(program: Command, io: Io): void {
  program
    .command('demo')
    .description(
      'set up a data home with the example catalog and sample imagery, and show it; with --serve, serve it with a demo login',
    )
    .option('--serve', 'then serve the home (API and workbench) until Ctrl-C')
    .option('--host <host>', `with --serve: address to bind (default ${DEFAULT_HOST})`)
    .option('--port <port>', `with --serve: TCP port (default ${DEFAULT_PORT})`)
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch demo --home ./demo-home\n  $ sitewatch demo --serve',
    )
    .action(async (options: DemoOptions, command: Command) => {
      const port = options.serve === true ? parsePort(options.port) : DEFAULT_PORT;
      await withSitewatch(command, async (sw) => {
        io.out(`data home: ${sw.config.home}`);
        for (const file of ['catalog.geojson', 'imagery/sample-sites.geojson']) {
          const path = join(EXAMPLES_DIR, file);
          const summary = await sw.catalog.importGeoJson(readJsonFile(path));
          io.out(
            `catalog ${file}: ${summary.added.length} added, ${summary.updated.length} already held`,
          );
        }
        const discovery = await discoverIngestCandidates([join(EXAMPLES_DIR, 'imagery')], sw.crs);
        for (const problem of discovery.problems) throw problem.error;
        for (const candidate of discovery.candidates) {
          const result = await ingestImage(sw.ingestDeps, candidate);
          io.out(
            `image ${result.image.id} ${result.duplicate ? 'already held' : 'ingested'}: ${candidate.label.slice(EXAMPLES_DIR.length + 1)}`,
          );
        }
        const dated = (await sw.images.list())
          .filter((i) => i.sites.includes(DEMO_SITE))
          .sort((x, y) => x.acquisition.acquiredAt.localeCompare(y.acquisition.acquiredAt));
        const first = dated[0];
        const last = dated[dated.length - 1];
        if (first !== undefined && last !== undefined && first.id !== last.id) {
          const outDir = join(sw.config.home, 'demo-outputs', `compare-${DEMO_SITE}`);
          const { comparison } = await compareImages(sw.compareDeps, {
            imageA: first.id,
            imageB: last.id,
            siteId: DEMO_SITE,
            outDir,
          });
          io.out(
            `compare ${first.acquisition.acquiredAt.slice(0, 10)} → ${last.acquisition.acquiredAt.slice(0, 10)} over ${DEMO_SITE}: ` +
              `${formatNumber(comparison.changedFraction * 100, 1)} % changed (${comparison.id}), outputs in ${outDir}`,
          );
        }
        const observationsFile = join(EXAMPLES_DIR, SEED_OBSERVATIONS);
        const imported = await importObservations(
          sw.observeDeps,
          readStructuredFile(observationsFile),
          observationsFile,
          { author: 'sitewatch demo' },
        );
        io.out(
          `observations ${SEED_OBSERVATIONS}: ${imported.inserted.length} added, ${imported.existing.length} already held`,
        );
        const playbookFile = join(EXAMPLES_DIR, SEED_PLAYBOOK);
        const assessment = await assessFromPlaybook(
          sw.assessmentDeps,
          readStructuredFile(playbookFile),
          playbookFile,
          SEED_AS_OF,
        );
        io.out(
          `assess ${assessment.hypothesis} as of ${SEED_AS_OF.slice(0, 10)}: prior ${formatNumber(assessment.prior * 100, 1)} % → ` +
            `${formatNumber(assessment.probability * 100, 1)} % from ${assessment.evidence.length} indicators`,
        );
        const sites = await sw.catalog.list();
        io.out('\nSites');
        io.out(
          formatTable(sites, [
            { header: 'ID', value: (s) => s.id },
            { header: 'NAME', value: (s) => s.name },
            { header: 'KIND', value: (s) => s.kind },
            { header: 'ZONES', value: (s) => s.zones.map((z) => z.id).join(',') || '-' },
            {
              header: 'LINKS',
              value: (s) => s.links.map((l) => `${l.relation}→${l.target}`).join(', ') || '-',
            },
          ]),
        );
        const images = await sw.images.list();
        io.out('\nImages');
        io.out(
          formatTable(images, [
            { header: 'ID', value: (i) => i.id },
            { header: 'ACQUIRED', value: (i) => i.acquisition.acquiredAt.slice(0, 10) },
            { header: 'SENSOR', value: (i) => i.acquisition.sensor ?? '-' },
            { header: 'SIZE', value: (i) => `${i.width}×${i.height}×${i.bands.length}` },
            { header: 'CRS', value: (i) => i.crs ?? 'pixel-only' },
            { header: 'GSD_M', value: (i) => formatNumber(i.gsdMeters, 1), align: 'right' },
            { header: 'SITES', value: (i) => i.sites.join(',') || '-' },
          ]),
        );
        io.out(
          `\nNext: sitewatch --home ${sw.config.home} images list --site ${DEMO_SITE}\n` +
            `      sitewatch --home ${sw.config.home} assess --playbook examples/${SEED_PLAYBOOK} --at 2019-03-08\n` +
            `      sitewatch --home ${sw.config.home} series sanumdong --zone parking --metric vehicles`,
        );
        if (options.serve !== true) return;
        const login = await demoLogin(sw);
        await serveUntilStopped(sw, io, { host: options.host ?? DEFAULT_HOST, port }, () => {
          io.out(
            login.password === null
              ? `log in as "${login.user}" with the password set when this home was made`
              : `log in as "${login.user}" with password ${login.password}`,
          );
        });
      });
    });
}
