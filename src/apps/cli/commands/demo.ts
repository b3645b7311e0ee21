/**
 * `sitewatch demo`: the quick start's main command. Sets up a data home, imports the example
 * catalog (Sanumdong, the rail transfer point, Sohae, linked) and the sample-imagery site, ingests
 * the freely licensed sample imagery shipped in examples/imagery, and prints what the home holds.
 * Safe to run again: sites are updated in place and images already held are recognised.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ingestImage } from '../../../app/ingest-images.ts';
import { discoverIngestCandidates } from '../../../adapters/fs/discover-ingest-candidates.ts';
import { readJsonFile, withSitewatch, type Io } from '../context.ts';
import { formatNumber, formatTable } from '../format.ts';

export const EXAMPLES_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../examples',
);

export function registerDemoCommand(program: Command, io: Io): void {
  program
    .command('demo')
    .description('set up a data home with the example catalog and sample imagery, and show it')
    .addHelpText('after', '\nExample:\n  $ sitewatch demo --home ./demo-home')
    .action(async (_options: unknown, command: Command) => {
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
          `\nNext: sitewatch --home ${sw.config.home} images list --site paris-bercy-rail\n      sitewatch --home ${sw.config.home} sites show sanumdong`,
        );
      });
    });
}
