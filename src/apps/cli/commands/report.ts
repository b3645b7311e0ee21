/**
 * `sitewatch report --site ID | --playbook FILE [--format pdf|html] --out FILE`: a brief on a
 * site and its linked sites, or on a playbook's hypothesis, as PDF (pdfkit, no browser) or one
 * self-contained HTML file. The file is written under a temporary name and renamed, so a
 * failure leaves no half-written brief.
 */
import type { Command } from 'commander';
import { SharpFigureEncoder } from '../../../adapters/image-encode/sharp-figure-encoder.ts';
import { renderBriefHtml } from '../../../adapters/pdf/html-brief-writer.ts';
import { renderBriefPdf } from '../../../adapters/pdf/pdf-brief-writer.ts';
import { createBriefPictures } from '../../../app/publish/brief-pictures.ts';
import { publishBrief, type BriefSubjectRequest } from '../../../app/publish/brief.ts';
import { SitewatchError, ValidationError } from '../../../core/errors.ts';
import { SOFTWARE_VERSION } from '../../version.ts';
import { printJson, withSitewatch, type Io } from '../context.ts';
import { writeAtomically } from '../write-atomically.ts';
import { readStructuredFile } from '../structured-file.ts';
import { figureDepsOf } from './figure.ts';
import { endOfDayIfDate } from './observe.ts';

interface ReportOptions {
  site?: string;
  playbook?: string;
  format?: string;
  out: string;
  at?: string;
  now?: string;
  pictures: boolean;
  json?: boolean;
}

export const REPORT_FORMATS = ['pdf', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The format asked for, else from the file name (`.html`/`.htm`), else PDF. */
export function reportFormatOf(format: string | undefined, out: string): ReportFormat {
  if (format === undefined) return /\.html?$/i.test(out) ? 'html' : 'pdf';
  const found = REPORT_FORMATS.find((f) => f === format);
  if (found === undefined) {
    throw new ValidationError(
      `--format must be one of ${REPORT_FORMATS.join(', ')}; got "${format}"`,
    );
  }
  return found;
}

function subjectOf(options: ReportOptions): BriefSubjectRequest {
  if ((options.site === undefined) === (options.playbook === undefined)) {
    throw new ValidationError('give exactly one of --site ID or --playbook FILE');
  }
  if (options.site !== undefined) return { kind: 'site', siteId: options.site };
  const label = options.playbook ?? '';
  return { kind: 'playbook', json: readStructuredFile(label), label };
}

/** One line: the CLI's contract for errors of this command. */
function oneLine(error: unknown): never {
  if (error instanceof SitewatchError && error.message.includes('\n')) {
    const flat = error.message
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .join('; ');
    throw new SitewatchError(error.code, flat, { cause: error });
  }
  throw error;
}

export function registerReportCommand(program: Command, io: Io): void {
  program
    .command('report')
    .description('write a brief (PDF or HTML) on a site and its linked sites, or on a playbook')
    .option('--site <id>', 'the site the brief is about (with the sites it links to)')
    .option('--playbook <file>', 'a playbook (YAML or JSON): its hypothesis and the sites it names')
    .option('--format <format>', 'pdf or html (default: from --out, else pdf)')
    .requiredOption('--out <file>', 'the file to write')
    .option('--at <date>', 'as of this time (a date means the end of that day; default: --now)')
    .option('--now <time>', 'the timestamp the brief states (default: the clock)')
    .option('--no-pictures', 'leave out thumbnails and the before/after figure')
    .option('--json', 'print what was written as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  $ sitewatch report --site sohae --out sohae.pdf\n  $ sitewatch report --playbook examples/playbooks/space-launch-preparation.yaml --at 2019-03-08 --format html --out brief.html',
    )
    .action(async (options: ReportOptions, command: Command) => {
      const format = reportFormatOf(options.format, options.out);
      const generatedAt =
        options.now === undefined ? new Date().toISOString() : endOfDayIfDate(options.now, '--now');
      const asOf = options.at === undefined ? generatedAt : endOfDayIfDate(options.at, '--at');
      const subject = subjectOf(options);
      const written = await withSitewatch(command, async (sw) => {
        const figureDeps = figureDepsOf(sw);
        const pictures = options.pictures
          ? createBriefPictures(figureDeps, new SharpFigureEncoder())
          : undefined;
        try {
          const brief = await publishBrief(
            {
              ...sw.assessmentDeps,
              images: sw.images,
              comparisons: sw.comparisons,
              detections: sw.detections,
              ...(pictures === undefined ? {} : { pictures }),
            },
            { subject, asOf, generatedAt, softwareVersion: SOFTWARE_VERSION },
          ).catch(oneLine);
          const bytes = format === 'pdf' ? await renderBriefPdf(brief) : renderBriefHtml(brief);
          writeAtomically(options.out, bytes, options.out, 'the brief');
          return {
            brief,
            bytes: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length,
          };
        } finally {
          await pictures?.close();
        }
      });
      const caveats = written.brief.sections
        .find((s) => s.id === 'gaps')
        ?.blocks.flatMap((b) =>
          b.kind === 'paragraph' && b.text.startsWith('• ') ? [b.text.slice(2)] : [],
        );
      if (options.json === true) {
        printJson(io, {
          out: options.out,
          format,
          bytes: written.bytes,
          title: written.brief.title,
          generatedAt,
          asOf,
          sections: written.brief.sections.map((s) => s.id),
          caveats: caveats ?? [],
        });
      } else {
        io.out(
          `${format} brief written to ${options.out} (${written.bytes} bytes): ${written.brief.title}`,
        );
      }
    });
}
