/** `sitewatch images …`: ingest dated imagery and look it up. */
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { ingestImage, type IngestResult } from '../../../app/ingest-images.ts';
import {
  parseAcquisitionTime,
  type PartialAcquisition,
} from '../../../core/imagery/acquisition.ts';
import { SitewatchError, describeError } from '../../../core/errors.ts';
import { discoverIngestCandidates } from '../../../adapters/fs/discover-ingest-candidates.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { formatNumber, formatTable } from '../format.ts';
import { imageJson, resolveImage } from '../image-view.ts';
import type { ImageRecord } from '../../../core/imagery/image.ts';

interface IngestOptions {
  site?: string;
  acquiredAt?: string;
  sensor?: string;
  provider?: string;
  crs?: string;
  link?: boolean;
  json?: boolean;
}

/** Thrown after a batch in which some files failed; each was already reported. */
export class BatchFailedError extends Error {
  constructor(
    readonly failed: number,
    readonly exitCode: number,
  ) {
    super(`${failed} file(s) failed`);
  }
}

function flagsFrom(options: IngestOptions): PartialAcquisition {
  return {
    ...(options.acquiredAt !== undefined
      ? { acquiredAt: parseAcquisitionTime(options.acquiredAt, '--acquired-at') }
      : {}),
    ...(options.sensor !== undefined ? { sensor: options.sensor } : {}),
    ...(options.provider !== undefined ? { provider: options.provider } : {}),
  };
}

function printImages(io: Io, images: readonly ImageRecord[], duplicates?: ReadonlySet<string>) {
  io.out(
    formatTable(images, [
      { header: 'ID', value: (i) => i.id },
      { header: 'ACQUIRED', value: (i) => i.acquisition.acquiredAt.replace('.000Z', 'Z') },
      { header: 'SIZE', value: (i) => `${i.width}×${i.height}×${i.bands.length}`, align: 'right' },
      { header: 'TYPE', value: (i) => i.dataType },
      { header: 'CRS', value: (i) => i.crs ?? 'pixel-only' },
      { header: 'GSD_M', value: (i) => formatNumber(i.gsdMeters), align: 'right' },
      { header: 'SENSOR', value: (i) => i.acquisition.sensor ?? '-' },
      { header: 'SITES', value: (i) => i.sites.join(',') || '-' },
      ...(duplicates
        ? [
            {
              header: 'NOTE',
              value: (i: ImageRecord) => (duplicates.has(i.id) ? 'already held' : 'new'),
            },
          ]
        : []),
    ]),
  );
}

function printImage(io: Io, image: ImageRecord): void {
  const a = image.acquisition;
  io.out(
    [
      image.id,
      `  sha256:     ${image.sha256}`,
      `  format:     ${image.format} (${image.layout.compression}, ${image.layout.tiled ? `tiled ${image.layout.blockWidth}×${image.layout.blockHeight}` : 'striped'}, ${image.layout.overviewCount} overviews${image.layout.cloudOptimized ? ', COG' : ''})`,
      `  size:       ${image.width}×${image.height}, ${image.bands.length} bands (${image.bands.map((b) => b.name).join(', ')}), ${image.dataType}, nodata ${image.nodata ?? '-'}`,
      `  crs:        ${image.crs ?? 'none (pixel-only imagery)'}`,
      `  gsd:        ${image.gsdMeters === null ? '-' : `${image.gsdMeters.toFixed(3)} m`}`,
      `  acquired:   ${a.acquiredAt} (from ${a.sources.acquiredAt ?? '?'})`,
      `  sensor:     ${a.sensor ?? '-'}   provider: ${a.provider ?? '-'}`,
      `  sun:        elevation ${formatNumber(a.sunElevationDeg, 1)}°, azimuth ${formatNumber(a.sunAzimuthDeg, 1)}°   off-nadir ${formatNumber(a.offNadirDeg, 1)}°   cloud ${formatNumber(a.cloudCoverPercent, 1)}%`,
      `  credit:     ${a.credit ?? '-'}${a.license ? ` (${a.license})` : ''}`,
      `  sites:      ${image.sites.join(', ') || '-'}`,
      `  files:`,
      ...image.files.map(
        (f) => `    ${f.role.padEnd(10)} ${f.originalPath}${f.linked ? ' (linked)' : ''}`,
      ),
      `  band stats (min / max / mean / std):`,
      ...image.stats.map(
        (s, i) =>
          `    ${(image.bands[i]?.name ?? String(i)).padEnd(6)} ${s.min} / ${s.max} / ${s.mean.toFixed(2)} / ${s.stdDev.toFixed(2)}`,
      ),
    ].join('\n'),
  );
}

export function registerImagesCommands(program: Command, io: Io): void {
  const images = program.command('images').description('dated imagery: ingest, list, show');

  images
    .command('ingest <paths...>')
    .description(
      'ingest GeoTIFF/COG files, PNG/JPEG with world files, and band sets (files, folders or globs)',
    )
    .option(
      '--site <id>',
      'associate with this site (must intersect; required for pixel-only imagery)',
    )
    .option('--acquired-at <date>', 'acquisition time when no sidecar/STAC/file metadata gives one')
    .option('--sensor <name>', 'sensor, e.g. WorldView-3, Sentinel-2A MSI')
    .option('--provider <name>', 'imagery provider, e.g. Maxar, ESA')
    .option(
      '--crs <EPSG:n>',
      'CRS for world-file images without .prj, or GeoTIFFs without a known CRS',
    )
    .option('--link', 'reference the files in place instead of copying them into the store')
    .option('--json', 'print a JSON array, one object per ingested image')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch images ingest scene.tif --acquired-at 2019-02-22 --sensor WorldView-2\n  $ sitewatch images ingest examples/imagery --json\n  $ sitewatch images ingest "data/**/*.tif" --link',
    )
    .action(async (paths: string[], options: IngestOptions, command: Command) => {
      const flags = flagsFrom(options);
      await withSitewatch(command, async (sw) => {
        const discovery = await discoverIngestCandidates(
          paths,
          sw.crs,
          options.crs !== undefined ? { crs: options.crs } : {},
        );
        const failures: SitewatchError[] = discovery.problems.map((p) => p.error);
        for (const f of failures) io.err(`sitewatch: ${f.message}`);
        const results: IngestResult[] = [];
        const bar =
          io.isTty && discovery.candidates.length > 1
            ? new SingleBar(
                { format: 'ingest [{bar}] {value}/{total} {file}', stream: process.stderr },
                Presets.legacy,
              )
            : undefined;
        bar?.start(discovery.candidates.length, 0, { file: '' });
        for (const candidate of discovery.candidates) {
          bar?.update({ file: candidate.label });
          try {
            const result = await ingestImage(sw.ingestDeps, candidate, {
              flags,
              link: options.link === true,
              ...(options.site !== undefined ? { siteId: options.site } : {}),
            });
            results.push(result);
            for (const w of result.warnings) io.err(`sitewatch: warning: ${w}`);
          } catch (error) {
            if (!(error instanceof SitewatchError)) throw error;
            failures.push(error);
            bar?.stop();
            io.err(`sitewatch: ${describeError(error)}`);
            bar?.start(discovery.candidates.length, results.length + failures.length);
          }
          bar?.increment();
        }
        bar?.stop();
        if (options.json) {
          printJson(
            io,
            results.map((r) => imageJson(r.image, r.duplicate)),
          );
        } else if (results.length > 0) {
          printImages(
            io,
            results.map((r) => r.image),
            new Set(results.filter((r) => r.duplicate).map((r) => r.image.id)),
          );
        }
        if (failures.length > 0) {
          const code = failures[0]?.code;
          throw new BatchFailedError(failures.length, code === 'NOT_FOUND' ? 4 : 3);
        }
      });
    });

  images
    .command('list')
    .description('list images, oldest first, optionally of one site and a date range')
    .option('--site <id>', 'only images of this site')
    .option('--since <date>', 'acquired on or after this date')
    .option('--until <date>', 'acquired on or before this date (a date alone includes that day)')
    .option('--json', 'print a JSON array')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch images list --site sanumdong --since 2019-01-01',
    )
    .action(
      async (
        options: { site?: string; since?: string; until?: string; json?: boolean },
        command: Command,
      ) => {
        const list = await withSitewatch(command, async (sw) => {
          if (options.site !== undefined) await sw.catalog.get(options.site);
          return sw.images.list({
            ...(options.site !== undefined ? { siteId: options.site } : {}),
            ...(options.since !== undefined
              ? { since: parseAcquisitionTime(options.since, '--since') }
              : {}),
            ...(options.until !== undefined ? { until: untilOf(options.until) } : {}),
          });
        });
        if (options.json)
          printJson(
            io,
            list.map((i) => imageJson(i)),
          );
        else if (list.length === 0) io.out('no images');
        else printImages(io, list);
      },
    );

  images
    .command('show <image>')
    .description('show one image by id, sha256 or the path it was ingested from')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ sitewatch images show img_3f2a9c0d1e2b4a5c')
    .action(async (ref: string, options: { json?: boolean }, command: Command) => {
      const image = await withSitewatch(command, (sw) => resolveImage(sw.images, ref));
      if (options.json) printJson(io, imageJson(image));
      else printImage(io, image);
    });
}

/** `--until 2019-02-22` includes the whole day. */
function untilOf(value: string): string {
  const iso = parseAcquisitionTime(value, '--until');
  return /^\d{4}-\d{2}-\d{2}$/.test(value.trim())
    ? new Date(Date.parse(iso) + 86_400_000 - 1).toISOString()
    : iso;
}
