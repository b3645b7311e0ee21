/** `sitewatch sites …`: the catalog of watched sites. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ZONE_KINDS, type Site, type ZoneKind } from '../../../core/catalog/site.ts';
import type { PolygonalGeometry } from '../../../core/geo/types.ts';
import { geodesicAreaSquareMeters } from '../../../core/geo/geodesy.ts';
import { ValidationError } from '../../../core/errors.ts';
import { printJson, readJsonFile, withSitewatch, type Io } from '../context.ts';
import { formatTable } from '../format.ts';
import { bboxArgToGeometry, listArg, readGeometryArg } from '../geometry-arg.ts';

interface GeometryOptions {
  geometry?: string;
  bbox?: string;
}

function geometryFrom(options: GeometryOptions, label: string): PolygonalGeometry | undefined {
  if (options.geometry !== undefined && options.bbox !== undefined) {
    throw new ValidationError(`${label}: give --geometry or --bbox, not both`);
  }
  if (options.geometry !== undefined) return readGeometryArg(options.geometry, label);
  if (options.bbox !== undefined) return bboxArgToGeometry(options.bbox, label);
  return undefined;
}

function zoneKind(value: string): ZoneKind {
  const kind = ZONE_KINDS.find((k) => k === value);
  if (!kind) {
    throw new ValidationError(`--kind "${value}": expected one of ${ZONE_KINDS.join(', ')}`);
  }
  return kind;
}

/** The detail view of one site (`sites show`, and `remote sites show`). */
export function printSite(io: Io, site: Site): void {
  const km2 = geodesicAreaSquareMeters(site.geometry) / 1e6;
  io.out(
    [
      `${site.id}  ${site.name}`,
      `  kind:   ${site.kind}`,
      `  area:   ${km2.toFixed(3)} km²`,
      `  tags:   ${site.tags.join(', ') || '-'}`,
      `  notes:  ${site.notes || '-'}`,
      `  zones:  ${site.zones.length === 0 ? '-' : ''}`,
      ...site.zones.map((z) => `    ${z.id} (${z.kind}) ${z.name}`),
      `  links:  ${site.links.length === 0 ? '-' : ''}`,
      ...site.links.map((l) => `    → ${l.target} [${l.relation}]${l.note ? ` ${l.note}` : ''}`),
    ].join('\n'),
  );
}

/** The sites table (or JSON array): the catalog's sites, or the API's (`remote sites list`). */
export function printSiteList(
  io: Io,
  list: readonly {
    readonly id: string;
    readonly name: string;
    readonly kind: string;
    readonly zones: readonly unknown[];
    readonly links: readonly { readonly target: string }[];
  }[],
  json: boolean | undefined,
): void {
  if (json === true) {
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
}

export function registerSitesCommands(program: Command, io: Io): void {
  const sites = program
    .command('sites')
    .description('the catalog of watched sites: polygons, zones and links');

  sites
    .command('import <file>')
    .description('add or replace the sites of a catalog GeoJSON FeatureCollection')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  $ sitewatch sites import examples/catalog.geojson')
    .action(async (file: string, options: { json?: boolean }, command: Command) => {
      const json = readJsonFile(file);
      const summary = await withSitewatch(command, (sw) => sw.catalog.importGeoJson(json));
      if (options.json) printJson(io, summary);
      else
        io.out(
          `imported ${file}: ${summary.added.length} added, ${summary.updated.length} updated`,
        );
    });

  sites
    .command('export')
    .description('write the catalog as a GeoJSON FeatureCollection (stdout, or --out FILE)')
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText('after', '\nExample:\n  $ sitewatch sites export --out catalog.geojson')
    .action(async (options: { out?: string }, command: Command) => {
      const fc = await withSitewatch(command, (sw) => sw.catalog.exportGeoJson());
      const text = `${JSON.stringify(fc, null, 2)}\n`;
      if (options.out === undefined) io.out(text);
      else writeFileSync(options.out, text);
    });

  sites
    .command('list')
    .description('list the sites')
    .option('--json', 'print a JSON array')
    .addHelpText('after', '\nExample:\n  $ sitewatch sites list --json')
    .action(async (options: { json?: boolean }, command: Command) => {
      const list = await withSitewatch(command, (sw) => sw.catalog.list());
      printSiteList(io, list, options.json);
    });

  sites
    .command('show <id>')
    .description('show one site with its zones and links')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ sitewatch sites show sohae')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const site = await withSitewatch(command, (sw) => sw.catalog.get(id));
      if (options.json) printJson(io, site);
      else printSite(io, site);
    });

  sites
    .command('add <id>')
    .description('add a site')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--kind <kind>', 'free text, e.g. missile-factory, launch-site, rail-transfer')
    .option('--geometry <geojson|file>', 'Polygon/MultiPolygon (or a Feature) in lon/lat')
    .option('--bbox <minLon,minLat,maxLon,maxLat>', 'a rectangle instead of --geometry')
    .option('--tags <a,b>', 'comma-separated tags')
    .option('--notes <text>', 'notes')
    .option('--json', 'print the stored site as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch sites add yard-7 --name "Yard 7" --kind depot --bbox 125.70,39.00,125.72,39.01',
    )
    .action(
      async (
        id: string,
        options: GeometryOptions & {
          name: string;
          kind: string;
          tags?: string;
          notes?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const geometry = geometryFrom(options, `site "${id}"`);
        if (!geometry) throw new ValidationError(`site "${id}": give --geometry or --bbox`);
        const site: Site = {
          id,
          name: options.name,
          kind: options.kind,
          tags: listArg(options.tags),
          notes: options.notes ?? '',
          geometry,
          zones: [],
          links: [],
        };
        const stored = await withSitewatch(command, (sw) => sw.catalog.add(site));
        if (options.json) printJson(io, stored);
        else io.out(`added site ${stored.id}`);
      },
    );

  sites
    .command('update <id>')
    .description("change a site's name, kind, tags, notes or geometry")
    .option('--name <name>', 'display name')
    .option('--kind <kind>', 'site kind')
    .option('--geometry <geojson|file>', 'new Polygon/MultiPolygon in lon/lat')
    .option('--bbox <minLon,minLat,maxLon,maxLat>', 'a rectangle instead of --geometry')
    .option('--tags <a,b>', 'replace the tags')
    .option('--notes <text>', 'replace the notes')
    .option('--json', 'print the stored site as JSON')
    .addHelpText('after', '\nExample:\n  $ sitewatch sites update sohae --tags launch,priority')
    .action(
      async (
        id: string,
        options: GeometryOptions & {
          name?: string;
          kind?: string;
          tags?: string;
          notes?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const geometry = geometryFrom(options, `site "${id}"`);
        const stored = await withSitewatch(command, (sw) =>
          sw.catalog.update(id, (site) => ({
            ...site,
            ...(options.name !== undefined ? { name: options.name } : {}),
            ...(options.kind !== undefined ? { kind: options.kind } : {}),
            ...(options.tags !== undefined ? { tags: listArg(options.tags) } : {}),
            ...(options.notes !== undefined ? { notes: options.notes } : {}),
            ...(geometry !== undefined ? { geometry } : {}),
          })),
        );
        if (options.json) printJson(io, stored);
        else io.out(`updated site ${stored.id}`);
      },
    );

  sites
    .command('rm <id>')
    .description('remove a site (refused while other sites link to it)')
    .addHelpText('after', '\nExample:\n  $ sitewatch sites rm yard-7')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withSitewatch(command, (sw) => sw.catalog.remove(id));
      io.out(`removed site ${id}`);
    });

  sites
    .command('zone-add <site> <zone>')
    .description('add a zone (parking, pad, rail, building, road, other) inside a site')
    .requiredOption('--kind <kind>', `one of ${ZONE_KINDS.join(', ')}`)
    .option('--name <name>', 'display name (default: the zone id)')
    .option('--geometry <geojson|file>', 'Polygon/MultiPolygon in lon/lat, inside the site')
    .option('--bbox <minLon,minLat,maxLon,maxLat>', 'a rectangle instead of --geometry')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch sites zone-add sohae pad --kind pad --bbox 124.705,39.659,124.707,39.661',
    )
    .action(
      async (
        siteId: string,
        zoneId: string,
        options: GeometryOptions & { kind: string; name?: string },
        command: Command,
      ) => {
        const geometry = geometryFrom(options, `site "${siteId}" zone "${zoneId}"`);
        if (!geometry) throw new ValidationError(`zone "${zoneId}": give --geometry or --bbox`);
        const zone = {
          id: zoneId,
          name: options.name ?? zoneId,
          kind: zoneKind(options.kind),
          geometry,
        };
        await withSitewatch(command, (sw) => sw.catalog.addZone(siteId, zone));
        io.out(`added zone ${zoneId} to site ${siteId}`);
      },
    );

  sites
    .command('zone-rm <site> <zone>')
    .description('remove a zone from a site')
    .addHelpText('after', '\nExample:\n  $ sitewatch sites zone-rm yard-7 north')
    .action(async (siteId: string, zoneId: string, _options: unknown, command: Command) => {
      await withSitewatch(command, (sw) => sw.catalog.removeZone(siteId, zoneId));
      io.out(`removed zone ${zoneId} from site ${siteId}`);
    });

  sites
    .command('link <site> <target>')
    .description('link a site to another (e.g. a factory ships-to a rail transfer point)')
    .requiredOption('--relation <relation>', 'e.g. ships-to, supplies, launches-from')
    .option('--note <text>', 'why the link is believed')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch sites link sanumdong sohae-rail-transfer --relation ships-to',
    )
    .action(
      async (
        siteId: string,
        target: string,
        options: { relation: string; note?: string },
        command: Command,
      ) => {
        const link = {
          target,
          relation: options.relation,
          ...(options.note !== undefined ? { note: options.note } : {}),
        };
        await withSitewatch(command, (sw) => sw.catalog.addLink(siteId, link));
        io.out(`linked ${siteId} → ${target} [${options.relation}]`);
      },
    );

  sites
    .command('unlink <site> <target>')
    .description('remove links from a site to a target (all relations, or --relation)')
    .option('--relation <relation>', 'only this relation')
    .addHelpText('after', '\nExample:\n  $ sitewatch sites unlink yard-7 sohae --relation ships-to')
    .action(
      async (siteId: string, target: string, options: { relation?: string }, command: Command) => {
        await withSitewatch(command, (sw) =>
          sw.catalog.removeLink(siteId, target, options.relation),
        );
        io.out(`unlinked ${siteId} → ${target}`);
      },
    );
}
