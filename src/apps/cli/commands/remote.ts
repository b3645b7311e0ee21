/**
 * `sitewatch remote --server URL [--token T] …`: the CLI against a running `sitewatch serve`,
 * through the typed client generated from docs/openapi.json (web/src/api-client.gen.ts, the
 * one the workbench uses). Output and exit statuses as the local commands.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../../core/errors.ts';
import {
  cancelJob,
  createJob,
  exportSite,
  getJob,
  getSite,
  listAlerts,
  listImages,
  listJobs,
  listSites,
  type ApiClientOptions,
  type Image,
  type Job,
  type Site,
} from '../../../../web/src/api-client.gen.ts';
import { printJson, type Io } from '../context.ts';
import { formatNumber, formatTable } from '../format.ts';
import { callRemote, remoteOf } from '../remote/remote-client.ts';
import type { Site as CatalogSite } from '../../../core/catalog/site.ts';
import { EXPORT_WHATS } from '../../../core/export/export-layer.ts';
import type { Job as QueuedJob } from '../../../core/jobs/job.ts';
import { VECTOR_FORMATS as EXPORT_FORMATS } from '../../../app/export/export-site-layer.ts';
import { alertListCommand, printAlertList } from './alerts.ts';
import {
  jobListCommand,
  jobListFilter,
  jobShowCommand,
  jobSubmitCommand,
  parseJobSubmission,
  printJob as printLocalJob,
  printJobPage,
  wholeOption,
  type JobListOptions,
  type JobSubmitOptions,
} from './jobs.ts';
import { printSite as printCatalogSite, printSiteList } from './sites.ts';
import { writeAtomically } from '../write-atomically.ts';

const PAGE = 500;

function oneOf<T extends string>(flag: string, allowed: readonly T[], text: string): T {
  const found = allowed.find((value) => value === text);
  if (found !== undefined) return found;
  throw new ValidationError(`${flag} must be one of ${allowed.join(', ')}; got "${text}"`);
}

/** Every item of a paginated list, following `next` cursors. */
async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const answer = await page(cursor);
    items.push(...answer.items);
    if (answer.next === null) return items;
    cursor = answer.next;
  }
}

/** The query of one page of a list: up to PAGE items, after `cursor`. */
function pageQuery(cursor: string | undefined): { limit: number; cursor?: string } {
  return { limit: PAGE, ...(cursor === undefined ? {} : { cursor }) };
}

/** A field of a loosely typed record (the API's open objects), as text. */
function field(record: Readonly<Record<string, unknown>>, ...path: string[]): unknown {
  let value: unknown = record;
  for (const name of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

function text(value: unknown, fallback = '-'): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function printImages(io: Io, images: readonly Image[]): void {
  const bandCount = (i: Image): number => {
    const bands = field(i, 'bands');
    return Array.isArray(bands) ? bands.length : 0;
  };
  io.out(
    formatTable(images, [
      { header: 'ID', value: (i) => i.id },
      {
        header: 'ACQUIRED',
        value: (i) =>
          text(field(i, 'acquisition', 'acquiredAt'), i.acquiredAt).replace('.000Z', 'Z'),
      },
      { header: 'SIZE', value: (i) => `${i.width}×${i.height}×${bandCount(i)}`, align: 'right' },
      { header: 'TYPE', value: (i) => text(field(i, 'dataType')) },
      { header: 'CRS', value: (i) => i.crs ?? 'pixel-only' },
      { header: 'GSD_M', value: (i) => formatNumber(i.gsdMeters), align: 'right' },
      { header: 'SENSOR', value: (i) => text(field(i, 'acquisition', 'sensor')) },
      { header: 'SITES', value: (i) => i.sites.join(',') || '-' },
    ]),
  );
}

// The API serves the catalog's sites and the queue's jobs as they are (its schemas describe
// them), so the local commands' views print them.
function printSite(io: Io, site: Site): void {
  printCatalogSite(io, site as unknown as CatalogSite);
}

function printJob(io: Io, job: Job, json: boolean | undefined): void {
  printLocalJob(io, job as unknown as QueuedJob, json);
}

function registerSites(remote: Command, io: Io): void {
  const sites = remote.command('sites').description('the server’s sites');
  sites
    .command('list')
    .description('list the sites')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await callRemote(remoteOf(command), (client) =>
        allPages((cursor) => listSites({ query: pageQuery(cursor) }, client)),
      );
      printSiteList(io, list, options.json);
    });
  sites
    .command('show <id>')
    .description('show one site with its zones and links')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const site = await callRemote(remoteOf(command), (client) =>
        getSite({ path: { id } }, client),
      );
      if (options.json === true) printJson(io, site);
      else printSite(io, site);
    });
}

function registerImages(remote: Command, io: Io): void {
  const images = remote.command('images').description('the server’s images');
  images
    .command('list')
    .description('list images, oldest first, optionally of one site and a date range')
    .option('--site <id>', 'only images of this site')
    .option('--since <date>', 'acquired on or after this date')
    .option('--until <date>', 'acquired on or before this date')
    .option('--json', 'print a JSON array')
    .action(
      async (
        options: { site?: string; since?: string; until?: string; json?: boolean },
        command: Command,
      ) => {
        const remoteSw = remoteOf(command);
        const list = await callRemote(remoteSw, async (client) => {
          // As the local command: an unknown site is an error, not an empty list.
          if (options.site !== undefined) await getSite({ path: { id: options.site } }, client);
          return allPages((cursor) =>
            listImages(
              {
                query: {
                  ...pageQuery(cursor),
                  ...(options.site === undefined ? {} : { site: options.site }),
                  ...(options.since === undefined ? {} : { since: options.since }),
                  ...(options.until === undefined ? {} : { until: options.until }),
                },
              },
              client,
            ),
          );
        });
        if (options.json === true) printJson(io, list);
        else if (list.length === 0) io.out('no images');
        else printImages(io, list);
      },
    );
}

function registerJobs(remote: Command, io: Io): void {
  const jobs = remote.command('jobs').description('the server’s job queue');
  jobSubmitCommand(jobs, 'queue a job on the server').action(
    async (kind: string, file: string, options: JobSubmitOptions, command: Command) => {
      const submission = parseJobSubmission(kind, file, options);
      const job = await callRemote(remoteOf(command), (client) =>
        createJob({ body: submission }, client),
      );
      if (options.json === true) printJson(io, { job });
      else io.out(`queued ${job.id} (${job.kind})`);
    },
  );
  jobListCommand(jobs).action(async (options: JobListOptions, command: Command) => {
    const filter = jobListFilter(options);
    const page = await callRemote(remoteOf(command), (client: ApiClientOptions) =>
      listJobs({ query: { limit: filter.limit ?? 50, ...filter } }, client),
    );
    if (options.json === true) {
      printJson(io, { jobs: page.items, nextCursor: page.next });
      return;
    }
    printJobPage(io, page.items as unknown as QueuedJob[], page.next);
  });
  jobShowCommand(jobs).action(async (id: string, options: { json?: boolean }, command: Command) => {
    const job = await callRemote(remoteOf(command), (client) => getJob({ path: { id } }, client));
    printJob(io, job, options.json);
  });
  jobs
    .command('cancel')
    .argument('<id>', 'a job id')
    .description('cancel a queued job, or ask the worker running it to stop')
    .option('--json', 'print the job as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const job = await callRemote(remoteOf(command), (client) =>
        cancelJob({ path: { id } }, client),
      );
      if (options.json === true) printJson(io, { job });
      else
        io.out(
          job.state === 'cancelled' ? `cancelled ${job.id}` : `cancel requested for ${job.id}`,
        );
    });
}

function registerAlerts(remote: Command, io: Io): void {
  const alerts = remote.command('alerts').description('the server’s alerts');
  alertListCommand(alerts).action(
    async (options: { rule?: string; limit?: string; json?: boolean }, command: Command) => {
      const limit = wholeOption('--limit', options.limit);
      const list = await callRemote(remoteOf(command), async (client) => {
        const query = (cursor: string | undefined) => ({
          query: {
            limit: Math.min(limit ?? PAGE, PAGE),
            ...(cursor === undefined ? {} : { cursor }),
            ...(options.rule === undefined ? {} : { rule: options.rule }),
          },
        });
        if (limit !== undefined && limit <= PAGE) {
          return (await listAlerts(query(undefined), client)).items;
        }
        const all = await allPages((cursor) => listAlerts(query(cursor), client));
        return limit === undefined ? all : all.slice(0, limit);
      });
      printAlertList(io, list, options.json);
    },
  );
}

function registerExport(remote: Command, io: Io): void {
  remote
    .command('export')
    .description('download one layer of a site (GET /api/sites/:id/export) to a file')
    .requiredOption('--site <id>', 'the site')
    .requiredOption('--what <what>', EXPORT_WHATS.join('|'))
    .requiredOption('--format <format>', EXPORT_FORMATS.join('|'))
    .requiredOption('--out <path>', 'output file')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        options: { site: string; what: string; format: string; out: string; json?: boolean },
        command: Command,
      ) => {
        const what = oneOf('--what', EXPORT_WHATS, options.what);
        const format = oneOf('--format', EXPORT_FORMATS, options.format);
        const remoteSw = remoteOf(command);
        const blob = await callRemote(remoteSw, (client) =>
          exportSite({ path: { id: options.site }, query: { what, format } }, client),
        );
        writeAtomically(
          options.out,
          new Uint8Array(await blob.arrayBuffer()),
          `--out ${options.out}`,
          'the file',
        );
        const header = remoteSw.lastHeaders()?.get('x-sitewatch-feature-count');
        const featureCount = header === null || header === undefined ? undefined : Number(header);
        const result = {
          path: options.out,
          ...(featureCount === undefined ? {} : { featureCount }),
        };
        if (options.json === true) printJson(io, result);
        else
          io.out(
            `wrote ${result.path}${featureCount === undefined ? '' : `: ${featureCount} features`}`,
          );
      },
    );
}

export function registerRemoteCommands(program: Command, io: Io): void {
  const remote = program
    .command('remote')
    .description('the CLI against a running `sitewatch serve`, through its REST API')
    .option('--server <url>', 'the server (default $SITEWATCH_SERVER), e.g. http://127.0.0.1:8080')
    .option(
      '--token <token>',
      'API token (default $SITEWATCH_TOKEN; see `sitewatch tokens create`)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ export SITEWATCH_TOKEN=$(sitewatch tokens create --user alice | tail -n 1)\n  $ sitewatch remote --server http://127.0.0.1:8080 sites list\n  $ sitewatch remote --server http://127.0.0.1:8080 jobs submit assess job.yaml',
    );
  registerSites(remote, io);
  registerImages(remote, io);
  registerJobs(remote, io);
  registerAlerts(remote, io);
  registerExport(remote, io);
}
