/**
 * Writes a brief (core/brief/document.ts) as PDF with pdfkit: A4, the standard Helvetica
 * fonts (no font files), charts drawn as vectors from their layout, images as PNG, a footer
 * with the stated timestamp and page numbers. Deterministic: the info dates and the file ID
 * derive from the document's `generatedAt`, so the same document gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import type { ChartLayout, ChartShape } from '../../core/brief/chart.ts';
import type { BriefBlock, BriefDocument, BriefTableColumn } from '../../core/brief/document.ts';
import { encodePng } from './png-encode.ts';

const MARGIN = 48;
const PAGE = { width: 595.28, height: 841.89 };
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN;
const BOTTOM = PAGE.height - MARGIN - 14;
const GREY = '#666666';
const TEXT = '#111111';

/** Characters outside WinAnsi (the standard fonts' encoding) replaced by ASCII stand-ins. */
const REPLACEMENTS: readonly (readonly [string, string])[] = [
  ['→', '->'],
  ['≥', '>='],
  ['≤', '<='],
  ['−', '-'],
  ['×', 'x'],
  ['²', '2'],
  ['σ', 'sigma'],
  ['χ', 'chi'],
];

/** Text the standard fonts can show: known symbols replaced, other non-WinAnsi characters as '?'. */
export function pdfSafeText(text: string): string {
  let out = text;
  for (const [from, to] of REPLACEMENTS) out = out.replaceAll(from, to);
  // Keep printable Latin-1 and the WinAnsi extras.
  return out.replace(/[^\x20-\x7e\xa0-\xff\n—–•‘’“”…€]/gu, '?');
}

type Doc = PDFKit.PDFDocument;

function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) doc.addPage();
}

function drawShape(doc: Doc, shape: ChartShape, x0: number, y0: number): void {
  switch (shape.kind) {
    case 'line':
      doc
        .save()
        .moveTo(x0 + shape.x1, y0 + shape.y1)
        .lineTo(x0 + shape.x2, y0 + shape.y2);
      doc.lineWidth(shape.width);
      if (shape.dash !== undefined) doc.dash(shape.dash[0], { space: shape.dash[1] });
      doc.stroke(shape.stroke).restore();
      return;
    case 'polyline': {
      const [first, ...rest] = shape.points;
      if (first === undefined) return;
      doc.save().moveTo(x0 + first[0], y0 + first[1]);
      for (const [x, y] of rest) doc.lineTo(x0 + x, y0 + y);
      doc.lineWidth(shape.width).lineJoin('round').stroke(shape.stroke).restore();
      return;
    }
    case 'circle':
      doc
        .save()
        .circle(x0 + shape.cx, y0 + shape.cy, shape.r)
        .fillAndStroke(shape.fill, shape.stroke)
        .restore();
      return;
    case 'rect':
      doc
        .save()
        .fillOpacity(shape.opacity)
        .rect(x0 + shape.x, y0 + shape.y, shape.width, shape.height)
        .fill(shape.fill)
        .restore();
      return;
    case 'text': {
      doc.save().font('Helvetica').fontSize(shape.size).fillColor(shape.fill);
      const text = pdfSafeText(shape.text);
      const width = doc.widthOfString(text);
      const left =
        shape.anchor === 'start'
          ? shape.x
          : shape.anchor === 'middle'
            ? shape.x - width / 2
            : shape.x - width;
      // SVG text y is the baseline; pdfkit's is the top of the line.
      doc.text(text, x0 + left, y0 + shape.y - shape.size * 0.8, { lineBreak: false });
      doc.restore();
      return;
    }
  }
}

function drawChart(doc: Doc, chart: ChartLayout): void {
  const scale = Math.min(1, CONTENT_WIDTH / chart.width);
  ensureSpace(doc, chart.height * scale + 6);
  const x0 = MARGIN;
  const y0 = doc.y;
  doc.save();
  if (scale !== 1) doc.transform(scale, 0, 0, scale, x0 * (1 - scale), y0 * (1 - scale));
  for (const shape of chart.shapes) drawShape(doc, shape, x0, y0);
  doc.restore();
  doc.x = MARGIN;
  doc.y = y0 + chart.height * scale + 6;
}

function columnWidths(columns: readonly BriefTableColumn[]): number[] {
  const total = columns.reduce((sum, c) => sum + c.weight, 0);
  return columns.map((c) => (c.weight / total) * CONTENT_WIDTH);
}

function drawRow(
  doc: Doc,
  cells: readonly string[],
  columns: readonly BriefTableColumn[],
  widths: readonly number[],
  header: boolean,
): void {
  doc.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(7);
  const texts = cells.map(pdfSafeText);
  const height =
    Math.max(...texts.map((t, i) => doc.heightOfString(t, { width: (widths[i] ?? 20) - 4 }))) + 3;
  if (doc.y + height > BOTTOM) {
    doc.addPage();
    if (!header)
      drawRow(
        doc,
        columns.map((c) => c.title),
        columns,
        widths,
        true,
      );
    doc.font(header ? 'Helvetica-Bold' : 'Helvetica').fontSize(7);
  }
  const y = doc.y;
  let x = MARGIN;
  texts.forEach((text, i) => {
    const width = widths[i] ?? 20;
    doc
      .fillColor(TEXT)
      .text(text, x + 2, y + 1.5, { width: width - 4, align: columns[i]?.align ?? 'left' });
    x += width;
  });
  doc
    .save()
    .moveTo(MARGIN, y + height)
    .lineTo(MARGIN + CONTENT_WIDTH, y + height)
    .lineWidth(header ? 0.75 : 0.25)
    .stroke(header ? '#444444' : '#cccccc')
    .restore();
  doc.x = MARGIN;
  doc.y = y + height;
}

function drawBlock(doc: Doc, block: BriefBlock): void {
  switch (block.kind) {
    case 'paragraph':
      ensureSpace(doc, 12);
      doc
        .font(block.style === 'strong' ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(block.style === 'note' ? 7.5 : 9)
        .fillColor(block.style === 'note' ? GREY : TEXT)
        .text(pdfSafeText(block.text), MARGIN, doc.y, { width: CONTENT_WIDTH });
      doc.moveDown(0.3);
      return;
    case 'subheading':
      ensureSpace(doc, 40);
      doc
        .moveDown(0.3)
        .font('Helvetica-Bold')
        .fontSize(10)
        .fillColor(TEXT)
        .text(pdfSafeText(block.text), MARGIN, doc.y);
      doc.moveDown(0.2);
      return;
    case 'key-values':
      for (const [key, value] of block.pairs) {
        ensureSpace(doc, 12);
        const y = doc.y;
        doc
          .font('Helvetica-Bold')
          .fontSize(8.5)
          .fillColor(TEXT)
          .text(pdfSafeText(key), MARGIN, y, { width: 110 });
        doc
          .font('Helvetica')
          .text(pdfSafeText(value), MARGIN + 115, y, { width: CONTENT_WIDTH - 115 });
        doc.x = MARGIN;
      }
      doc.moveDown(0.4);
      return;
    case 'table': {
      const widths = columnWidths(block.columns);
      ensureSpace(doc, 30);
      drawRow(
        doc,
        block.columns.map((c) => c.title),
        block.columns,
        widths,
        true,
      );
      for (const row of block.rows) drawRow(doc, row, block.columns, widths, false);
      doc.moveDown(0.5);
      return;
    }
    case 'chart':
      drawChart(doc, block.chart);
      return;
    case 'images': {
      const width = Math.min(block.widthPt, CONTENT_WIDTH);
      const perRow = Math.max(1, Math.floor((CONTENT_WIDTH + 8) / (width + 8)));
      for (let i = 0; i < block.items.length; i += perRow) {
        const row = block.items.slice(i, i + perRow);
        const height =
          Math.max(...row.map((item) => (item.raster.height / item.raster.width) * width)) + 22;
        ensureSpace(doc, height);
        const y = doc.y;
        row.forEach((item, k) => {
          const x = MARGIN + k * (width + 8);
          doc.image(encodePng(item.raster), x, y, { width });
          const h = (item.raster.height / item.raster.width) * width;
          doc
            .font('Helvetica')
            .fontSize(7)
            .fillColor(GREY)
            .text(pdfSafeText(item.caption), x, y + h + 2, { width });
        });
        doc.x = MARGIN;
        doc.y = y + height;
      }
      return;
    }
  }
}

/** See the file comment. @returns the PDF file's bytes. */
export function renderBriefPdf(brief: BriefDocument): Promise<Buffer> {
  const stated = new Date(brief.generatedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    compress: true,
    info: {
      Title: pdfSafeText(brief.title),
      Author: 'sitewatch',
      Subject: pdfSafeText(brief.subtitle),
      Creator: 'sitewatch',
      Producer: 'sitewatch (pdfkit)',
      CreationDate: stated,
      ModDate: stated,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });
  doc
    .font('Helvetica-Bold')
    .fontSize(16)
    .fillColor(TEXT)
    .text(pdfSafeText(brief.title), MARGIN, MARGIN, { width: CONTENT_WIDTH });
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor(GREY)
    .text(pdfSafeText(brief.subtitle), { width: CONTENT_WIDTH });
  doc.text(`Generated ${brief.generatedAt}`, { width: CONTENT_WIDTH });
  doc.moveDown(0.8);
  for (const section of brief.sections) {
    if (section.newPage === true && doc.y > MARGIN + 1) doc.addPage();
    ensureSpace(doc, 60);
    doc
      .font('Helvetica-Bold')
      .fontSize(13)
      .fillColor(TEXT)
      .text(pdfSafeText(section.title), MARGIN, doc.y, { width: CONTENT_WIDTH });
    doc.moveDown(0.3);
    for (const block of section.blocks) drawBlock(doc, block);
    doc.moveDown(0.6);
  }
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    // Writing inside the bottom margin: without this pdfkit would start a new page.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor(GREY)
      .text(
        pdfSafeText(
          `${brief.title} — generated ${brief.generatedAt} — page ${i + 1} of ${range.count}`,
        ),
        MARGIN,
        PAGE.height - MARGIN + 10,
        { width: CONTENT_WIDTH, align: 'center', lineBreak: false },
      );
    doc.page.margins.bottom = bottomMargin;
  }
  doc.end();
  return done;
}
