/**
 * `sitewatch export`: a site's records as GeoJSON, GeoPackage, KML or CSV; a comparison's
 * change mask or magnitude as a Cloud-Optimized GeoTIFF; a site's derived products as a STAC
 * Collection.
 */
import type { Command } from 'commander';
import {
  exportComparisonRaster,
  exportSiteStac,
  COMPARISON_RASTERS,
  type ComparisonRaster,
} from '../../../app/export/export-products.ts';
import {
  exportSiteLayer,
  VECTOR_FORMATS,
  type VectorFormat,
} from '../../../app/export/export-site-layer.ts';
import { ValidationError } from '../../../core/errors.ts';
import { EXPORT_WHATS, type ExportWhat } from '../../../core/export/export-layer.ts';
import { LocalExportFiles } from '../../../adapters/fs/local-export-files.ts';
import type { Sitewatch } from '../../wiring.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';

interface ExportOptions {
  site?: string;
  comparison?: string;
  what?: string;
  format: string;
  out: string;
  json?: boolean;
}

const FORMATS = [...VECTOR_FORMATS, 'cog', 'stac'] as const;

function oneOf<T extends string>(flag: string, allowed: readonly T[], text: string): T {
  const found = allowed.find((value) => value === text);
  if (found !== undefined) return found;
  throw new ValidationError(`${flag} must be one of ${allowed.join(', ')}; got "${text}"`);
}

function requireOption(flag: string, value: string | undefined, why: string): string {
  if (value === undefined) throw new ValidationError(`${flag} is required ${why}`);
  return value;
}

/** What every export reports: the path written and, by kind, what it holds. */
interface ExportOutcome {
  readonly path: string;
  readonly featureCount?: number;
  readonly itemCount?: number;
  readonly skipped?: readonly string[];
}

async function runExport(sw: Sitewatch, options: ExportOptions): Promise<ExportOutcome> {
  const format = oneOf('--format', FORMATS, options.format);
  const deps = {
    sites: sw.sites,
    images: sw.images,
    comparisons: sw.comparisons,
    detections: sw.detections,
    observations: sw.observeDeps.observations,
    annotations: sw.annotationDeps.annotations,
    crs: sw.crs,
    files: new LocalExportFiles(),
  };
  if (format === 'cog') {
    const comparisonId = requireOption('--comparison', options.comparison, 'with --format cog');
    const what = requireOption('--what', options.what, 'with --format cog');
    const raster: ComparisonRaster = oneOf('--what', COMPARISON_RASTERS, what);
    return exportComparisonRaster(deps, comparisonId, raster, options.out);
  }
  const siteId = requireOption('--site', options.site, `with --format ${format}`);
  if (format === 'stac') return exportSiteStac(deps, siteId, options.out);
  const what: ExportWhat = oneOf(
    '--what',
    EXPORT_WHATS,
    requireOption('--what', options.what, `with --format ${format}`),
  );
  const vector: VectorFormat = format;
  return exportSiteLayer(deps, { siteId, what, format: vector, outPath: options.out });
}

export function registerExportCommand(program: Command, io: Io): void {
  program
    .command('export')
    .description("write a site's records, a comparison's rasters or derived products for GIS tools")
    .option('--site <id>', 'the site (vector and STAC exports)')
    .option('--comparison <id>', 'the comparison (COG exports)')
    .option(
      '--what <what>',
      `vector: ${EXPORT_WHATS.join('|')}; cog: ${COMPARISON_RASTERS.join('|')}`,
    )
    .requiredOption('--format <format>', FORMATS.join('|'))
    .requiredOption('--out <path>', 'output file (a folder for stac)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch export --site sohae --what detections --format gpkg --out sohae.gpkg\n  $ sitewatch export --comparison cmp_0123456789abcdef --what change-mask --format cog --out mask.tif\n  $ sitewatch export --site sohae --format stac --out stac/',
    )
    .action(async (options: ExportOptions, command: Command) => {
      const result = await withSitewatch(command, (sw) => runExport(sw, options));
      if (options.json === true) {
        printJson(io, result);
        return;
      }
      const count =
        result.featureCount !== undefined
          ? `: ${result.featureCount} features`
          : result.itemCount !== undefined
            ? `: ${result.itemCount} STAC items`
            : '';
      io.out(`wrote ${result.path}${count}`);
      for (const line of result.skipped ?? []) io.err(`skipped ${line}`);
    });
}
