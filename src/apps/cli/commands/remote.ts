/**
 * `sitewatch remote --server URL [--token T] …`: the CLI against a running `sitewatch serve`,
 * through the typed client generated from docs/openapi.json (web/src/api-client.gen.ts, the
 * one the workbench uses). Output and exit statuses as the local commands.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../../../core/errors.ts';
import { parseJobKind } from '../../../core/jobs/job-payloads.ts';
import { JOB_STATES, type JobState } from '../../../core/jobs/job.ts';
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
import { parseNumberOption, printJson, type Io } from '../context.ts';
import { formatNumber, formatTable } from '../format.ts';
import { readStructuredFile } from '../structured-file.ts';
import { callRemote, remoteOf } from '../remote/remote-client.ts';
import type { Site as CatalogSite } from '../../../core/catalog/site.ts';
import { EXPORT_WHATS } from '../../../core/export/export-layer.ts';
import type { Job as QueuedJob } from '../../../core/jobs/job.ts';
import { VECTOR_FORMATS as EXPORT_FORMATS } from '../../../app/export/export-site-layer.ts';
import { printJob as printLocalJob, printJobPage } from './jobs.ts';
import { printSite as printCatalogSite } from './sites.ts';

const PAGE = 500;

function oneOf<T extends string>(flag: string, allowed: readonly T[], text: string): T {
  const found = allowed.find((value) => value === text);
  if (found !== undefined) return found;
  throw new ValidationError(`${flag} must be one of ${allowed.join(', ')}; got "${text}"`);
}

/** @throws ValidationError naming the flag unless `text` is a whole number ≥ 1 */
function wholeOption(flag: string, text: string | undefined): number | undefined {
  const value = parseNumberOption(flag, text);
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new ValidationError(`${flag} must be a whole number of at least 1; got "${text}"`);
  }
  return value;
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

function parseState(value: string | undefined): JobState | undefined {
  return value === undefined ? undefined : oneOf('--state', JOB_STATES, value);
}

/** Writes `bytes` to `path` through a temporary file, so a failure leaves no partial file. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  const partial = `${path}.partial-${process.pid}`;
  try {
    writeFileSync(partial, bytes);
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new ValidationError(
      `--out ${path}: cannot write the file (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
}

function registerSites(remote: Command, io: Io): void {
  const sites = remote.command('sites').description('the server’s sites');
  sites
    .command('list')
    .description('list the sites')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await callRemote(remoteOf(command), (client) =>
        allPages((cursor) =>
          listSites(
            { query: { limit: PAGE, ...(cursor === undefined ? {} : { cursor }) } },
            client,
          ),
        ),
      );
      if (options.json === true) {
        printJson(io, list);
        return;
      }
      io.out(
        formatTable(list, [
          { header: 'ID', value: (s) => s.id },
          { header: 'NAME', value: (s) => s.name },
          { header: 'KIND', value: (s) => s.kind },
          { header: 'ZONES', value: (s) => String(s.zones.length), align: 'right' },
          { header: 'LINKS', value: (s) => s.links.map((l) => l.target).join(',') || '-' },
        ]),
      );
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
                  limit: PAGE,
                  ...(cursor === undefined ? {} : { cursor }),
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
  jobs
    .command('submit')
    .argument('<kind>', 'compare, detect or assess')
    .argument('<payload-file>', 'the options as YAML or JSON (as for POST /api/jobs)')
    .description('queue a job on the server')
    .option('--max-attempts <n>', 'attempts in all (default 3)')
    .option('--json', 'print the job as JSON')
    .action(
      async (
        kind: string,
        file: string,
        options: { maxAttempts?: string; json?: boolean },
        command: Command,
      ) => {
        const jobKind = parseJobKind(kind);
        const payload = readStructuredFile(file);
        const maxAttempts = wholeOption('--max-attempts', options.maxAttempts);
        const job = await callRemote(remoteOf(command), (client) =>
          createJob(
            {
              body: {
                kind: jobKind,
                payload,
                ...(maxAttempts === undefined ? {} : { maxAttempts }),
              },
            },
            client,
          ),
        );
        if (options.json === true) printJson(io, { job });
        else io.out(`queued ${job.id} (${job.kind})`);
      },
    );
  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--state <state>', `only this state (${JOB_STATES.join(', ')})`)
    .option('--kind <kind>', 'only this kind')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--cursor <cursor>', 'the page after this cursor (printed after a full page)')
    .option('--json', 'print { jobs, nextCursor } as JSON')
    .action(
      async (
        options: { state?: string; kind?: string; limit?: string; cursor?: string; json?: boolean },
        command: Command,
      ) => {
        const state = parseState(options.state);
        const kind = options.kind === undefined ? undefined : parseJobKind(options.kind);
        const limit = wholeOption('--limit', options.limit) ?? 50;
        const page = await callRemote(remoteOf(command), (client: ApiClientOptions) =>
          listJobs(
            {
              query: {
                limit,
                ...(state === undefined ? {} : { state }),
                ...(kind === undefined ? {} : { kind }),
                ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
              },
            },
            client,
          ),
        );
        if (options.json === true) {
          printJson(io, { jobs: page.items, nextCursor: page.next });
          return;
        }
        printJobPage(io, page.items as unknown as QueuedJob[], page.next);
      },
    );
  jobs
    .command('show')
    .argument('<id>', 'a job id')
    .description('a job’s state, progress, payload, result or error')
    .option('--json', 'print { "job": { "id", "state", … } } as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
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
  alerts
    .command('list')
    .description('list alerts, newest first, with each channel’s delivery state')
    .option('--rule <id>', 'only this rule’s alerts')
    .option('--limit <n>', 'at most this many')
    .option('--json', 'print as JSON')
    .action(
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
        if (options.json === true) {
          printJson(io, list);
          return;
        }
        if (list.length === 0) {
          io.out('no alerts');
          return;
        }
        io.out(
          formatTable(list, [
            { header: 'ALERT', value: (a) => a.alert.id },
            { header: 'SEVERITY', value: (a) => a.alert.severity },
            { header: 'RULE', value: (a) => a.alert.ruleId },
            { header: 'FACT TIME', value: (a) => a.alert.factAt },
            {
              header: 'DELIVERY',
              value: (a) => a.deliveries.map((d) => `${d.channel}:${d.state}`).join(' ') || '-',
            },
            { header: 'SUMMARY', value: (a) => text(a.alert.summary, '') },
          ]),
        );
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
        writeAtomically(options.out, new Uint8Array(await blob.arrayBuffer()));
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
