/**
 * `sitewatch figure`: an annotated figure of a site on one image, a before/after pair, or an
 * animated GIF/WebP flipping between dates or running through a site's timeline.
 */
import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  ANIMATION_FORMATS,
  BEFORE_AFTER_LAYOUTS,
  encodeFigure,
  FIGURE_FORMATS,
  FIGURE_LAYERS,
  renderBeforeAfter,
  renderFigure,
  renderFigureAnimation,
  type FigureDeps,
  type FigureLayer,
} from '../../../app/publish/figure.ts';
import { SharpFigureEncoder } from '../../../adapters/image-encode/sharp-figure-encoder.ts';
import { NotFoundError, SitewatchError, ValidationError } from '../../../core/errors.ts';
import type { Sitewatch } from '../../wiring.ts';
import { parseNumberOption, printJson, readJsonFile, withSitewatch, type Io } from '../context.ts';

interface FigureOptions {
  site: string;
  image?: string;
  before?: string;
  after?: string;
  zone?: string;
  with?: string;
  size: string;
  format: string;
  layout: string;
  timeline?: boolean;
  delay: string;
  bands?: string;
  margin?: string;
  scale?: string;
  out: string;
  json?: boolean;
}

const FORMATS = [...FIGURE_FORMATS, ...ANIMATION_FORMATS] as const;

/** The use case's dependencies over an opened home (also used by the PDF briefs). */
export function figureDepsOf(sw: Sitewatch): FigureDeps {
  return {
    sites: sw.sites,
    images: sw.images,
    crs: sw.crs,
    opener: sw.ingestDeps.opener,
    limits: sw.ingestDeps.limits,
    detections: sw.detections,
    comparisons: sw.comparisons,
    annotations: sw.annotationDeps.annotations,
    runOutputs: {
      readJson: (path) => Promise.resolve(existsSync(path) ? readJsonFile(path) : undefined),
    },
  };
}

function oneOf<T extends string>(flag: string, allowed: readonly T[], text: string): T {
  const found = allowed.find((value) => value === text);
  if (found !== undefined) return found;
  throw new ValidationError(`${flag} must be one of ${allowed.join(', ')}; got "${text}"`);
}

/** `1600x1200` → [1600, 1200]. */
export function parseSize(text: string): [number, number] {
  const match = /^(\d+)x(\d+)$/i.exec(text.trim());
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (match === null || width < 64 || height < 64 || width > 8192 || height > 8192) {
    throw new ValidationError(
      `--size must be WIDTHxHEIGHT in pixels, each 64–8192, e.g. 1600x1200; got "${text}"`,
    );
  }
  return [width, height];
}

function parseLayers(text: string | undefined): FigureLayer[] | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.map((item) => oneOf('--with', FIGURE_LAYERS, item));
}

/** Writes next to the target, then renames, so a failure leaves no half-written file. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new SitewatchError('IO', `cannot write ${path}: ${String(error)}`, { cause: error });
  }
}

interface FigureOutcome {
  readonly path: string;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
  readonly frames?: number;
  /** Each panel's (or frame's) credit line, as printed. */
  readonly credits: readonly string[];
  readonly warnings: readonly string[];
}

async function runFigure(sw: Sitewatch, options: FigureOptions): Promise<FigureOutcome> {
  const format = oneOf('--format', FORMATS, options.format);
  const [widthPx, heightPx] = parseSize(options.size);
  const layout = oneOf('--layout', BEFORE_AFTER_LAYOUTS, options.layout);
  const margin = parseNumberOption('--margin', options.margin);
  if (margin !== undefined && !(margin >= 0 && margin <= 10)) {
    throw new ValidationError(`--margin must be a fraction in [0, 10]; got ${margin}`);
  }
  const metersPerPixel = parseNumberOption('--scale', options.scale);
  if (metersPerPixel !== undefined && !(metersPerPixel > 0)) {
    throw new ValidationError(`--scale must be metres per pixel > 0; got ${metersPerPixel}`);
  }
  const deps = figureDepsOf(sw);
  const encoder = new SharpFigureEncoder();
  const common = {
    siteId: options.site,
    zoneId: options.zone,
    layers: parseLayers(options.with),
    widthPx,
    heightPx,
    bands: options.bands,
    marginFraction: margin,
    metersPerPixel,
  };
  const pair = options.before !== undefined || options.after !== undefined;
  if (pair && (options.before === undefined || options.after === undefined)) {
    throw new ValidationError('--before and --after go together: give both image ids');
  }
  if (format === 'gif' || format === 'webp') {
    const delayMs = parseNumberOption('--delay', options.delay) ?? 1000;
    let imageIds: string[];
    if (options.timeline === true) {
      await requireSite(sw, options.site);
      imageIds = (await sw.images.list({ siteId: options.site })).map((image) => image.id);
    } else if (options.before !== undefined && options.after !== undefined) {
      imageIds = [options.before, options.after];
    } else {
      throw new ValidationError(
        `--format ${format} animates dates: give --before and --after, or --timeline`,
      );
    }
    const result = await renderFigureAnimation(
      { ...deps, encoder },
      { ...common, imageIds, delayMs, format },
    );
    await writeAtomically(options.out, result.bytes);
    return {
      path: options.out,
      format,
      width: widthPx,
      height: heightPx,
      bytes: result.bytes.length,
      frames: result.frameCount,
      credits: result.credits,
      warnings: result.warnings,
    };
  }
  if (options.timeline === true) {
    throw new ValidationError('--timeline makes an animation: use --format gif or webp');
  }
  let composite;
  if (options.before !== undefined && options.after !== undefined) {
    composite = await renderBeforeAfter(deps, {
      ...common,
      beforeImageId: options.before,
      afterImageId: options.after,
      layout,
    });
  } else {
    if (options.image === undefined) {
      throw new ValidationError('--image is required (or --before and --after)');
    }
    const figure = await renderFigure(deps, { ...common, imageId: options.image });
    composite = {
      width: figure.width,
      height: figure.height,
      title: figure.title,
      figures: [{ figure, left: 0, top: 0 }],
      warnings: figure.warnings,
    };
  }
  const bytes = await encodeFigure(encoder, composite, format);
  await writeAtomically(options.out, bytes);
  return {
    path: options.out,
    format,
    width: composite.width,
    height: composite.height,
    bytes: bytes.length,
    credits: [...new Set(composite.figures.map(({ figure }) => figure.credit))],
    warnings: composite.warnings,
  };
}

async function requireSite(sw: Sitewatch, siteId: string): Promise<void> {
  if ((await sw.sites.get(siteId)) === undefined) {
    throw new NotFoundError(`site ${siteId} not found`);
  }
}

export function registerFigureCommand(program: Command, io: Io): void {
  program
    .command('figure')
    .description('render an annotated figure, a before/after pair or an animation of a site')
    .requiredOption('--site <id>', 'the site')
    .option('--image <id>', 'the image (a single figure)')
    .option('--before <id>', 'the earlier image (before/after, animation)')
    .option('--after <id>', 'the later image (before/after, animation)')
    .option('--zone <id>', 'frame this zone of the site instead of the whole site')
    .option(
      '--with <layers>',
      `layers to draw, comma-separated: ${FIGURE_LAYERS.join(',')} (default all)`,
    )
    .option('--size <WxH>', 'figure size in pixels (before/after: the whole pair)', '1600x1200')
    .option('--format <format>', FORMATS.join('|'), 'png')
    .option('--layout <layout>', `before/after: ${BEFORE_AFTER_LAYOUTS.join('|')}`, 'side')
    .option('--timeline', 'animate through every image of the site (gif, webp)')
    .option('--delay <ms>', 'animation: milliseconds per frame', '1000')
    .option('--bands <bands>', 'bands as names or 1-based indexes, e.g. B04,B03,B02')
    .option('--scale <m-per-px>', 'fixed scale in metres per pixel, centred on the site or zone')
    .option('--margin <fraction>', 'margin around the site or zone, fraction of its size (0.15)')
    .requiredOption('--out <file>', 'output file')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch figure --site sohae --image img_0123456789abcdef --out sohae.png\n  $ sitewatch figure --site sohae --before img_a --after img_b --layout stacked --out pair.png\n  $ sitewatch figure --site sohae --timeline --format gif --out sohae.gif',
    )
    .action(async (options: FigureOptions, command: Command) => {
      const result = await withSitewatch(command, (sw) => runFigure(sw, options));
      for (const warning of result.warnings) io.err(`warning: ${warning}`);
      if (options.json === true) {
        printJson(io, result);
        return;
      }
      const frames = result.frames === undefined ? '' : `, ${result.frames} frames`;
      io.out(`wrote ${result.path} (${result.format}, ${result.width}x${result.height}${frames})`);
    });
}
