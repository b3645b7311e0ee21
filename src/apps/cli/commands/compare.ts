/** `sitewatch compare A B`: change detection between two ingested images. */
import type { Command } from 'commander';
import { compareImages } from '../../../app/compare-images.ts';
import type { Comparison } from '../../../core/change/comparison.ts';
import { ValidationError } from '../../../core/errors.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { formatNumber } from '../format.ts';
import { resolveImage } from '../image-view.ts';

interface CompareOptions {
  site?: string;
  method: string;
  threshold?: string;
  minArea?: string;
  out?: string;
  json?: boolean;
}

function parseNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new ValidationError(`${flag} must be a number; got "${text}"`);
  }
  return value;
}

function parseMethod(text: string): 'irmad' | 'cva' {
  if (text === 'irmad' || text === 'cva') return text;
  throw new ValidationError(`--method must be irmad or cva; got "${text}"`);
}

/** The `--json` contract: registration, changedFraction, outputs, and the stored record. */
export function comparisonJson(comparison: Comparison) {
  return {
    id: comparison.id,
    imageA: comparison.imageA,
    imageB: comparison.imageB,
    method: comparison.parameters.method,
    registration: comparison.registration,
    changedFraction: comparison.changedFraction,
    changedPixels: comparison.changedPixels,
    validPixels: comparison.validPixels,
    polygonCount: comparison.polygonCount,
    threshold: comparison.parameters.threshold,
    zones: comparison.zones,
    outputs: comparison.outputs,
    parameters: comparison.parameters,
    grid: comparison.grid,
    softwareVersion: comparison.softwareVersion,
    timingsMs: comparison.timingsMs,
    createdAt: comparison.createdAt,
  };
}

function printSummary(io: Io, c: Comparison): void {
  const r = c.registration;
  io.out(
    [
      `comparison ${c.id}: ${c.imageA} → ${c.imageB} (${c.parameters.method})`,
      `  registration: dx ${formatNumber(r.dx)} px, dy ${formatNumber(r.dy)} px, confidence ${formatNumber(r.confidence)}${r.reliable ? '' : ' (UNRELIABLE: not applied)'}`,
      `  residual:     median ${formatNumber(r.residualMedianPx)} px, p90 ${formatNumber(r.residualP90Px)} px`,
      `  changed:      ${(c.changedFraction * 100).toFixed(2)}% of ${c.validPixels} valid pixels, ${c.polygonCount} polygons (threshold ${formatNumber(c.parameters.threshold, 3)})`,
      ...c.zones.map(
        (z) =>
          `  zone ${z.zoneId}: ${z.changedFraction === null ? '-' : `${(z.changedFraction * 100).toFixed(2)}%`} changed`,
      ),
      ...(c.outputs === null
        ? []
        : [
            `  outputs:      ${c.outputs.changeMask}, ${c.outputs.changeMagnitude}, ${c.outputs.changes}, ${c.outputs.registration}`,
          ]),
    ].join('\n'),
  );
}

export function registerCompareCommand(program: Command, io: Io): void {
  program
    .command('compare')
    .description(
      'detect change between two ingested images (A the earlier, the reference) and store the comparison',
    )
    .argument('<imageA>', 'reference image: id, sha256 or ingested path')
    .argument('<imageB>', 'later image: id, sha256 or ingested path')
    .option('--site <id>', "compare on the site's local grid (polygon + 100 m) and report per zone")
    .option('--method <method>', 'irmad or cva', 'irmad')
    .option('--threshold <x>', 'change threshold on the magnitude (default: automatic, Otsu)')
    .option('--min-area <m2>', 'minimum mapping unit in m² (default 4 × GSD², i.e. 4 pixels)')
    .option(
      '--out <dir>',
      'write change-mask.tif, change-magnitude.tif, changes.geojson, registration.json',
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ sitewatch compare img_f8ff91fbd263ac0a img_13d500301e4cc6d7 --method cva --out ./change --json',
    )
    .action(async (imageA: string, imageB: string, options: CompareOptions, command: Command) => {
      const method = parseMethod(options.method);
      const threshold = parseNumber('--threshold', options.threshold);
      const minMappingUnitM2 = parseNumber('--min-area', options.minArea);
      await withSitewatch(command, async (sw) => {
        const a = await resolveImage(sw.images, imageA);
        const b = await resolveImage(sw.images, imageB);
        const { comparison } = await compareImages(sw.compareDeps, {
          imageA: a.id,
          imageB: b.id,
          siteId: options.site,
          method,
          threshold,
          minMappingUnitM2,
          outDir: options.out,
        });
        if (options.json === true) printJson(io, comparisonJson(comparison));
        else printSummary(io, comparison);
      });
    });
}
