/**
 * Writes a brief (core/brief/document.ts) as one self-contained HTML file: inline CSS, charts
 * as inline SVG, images as `data:` PNG URLs; nothing is fetched when it is opened.
 */
import { chartToSvg, escapeXml } from '../../core/brief/chart-svg.ts';
import type { BriefBlock, BriefDocument } from '../../core/brief/document.ts';
import { encodePng } from './png-encode.ts';

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; color: #111; max-width: 960px; margin: 2em auto; padding: 0 1em; font-size: 14px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
h3 { font-size: 1.05em; }
.note { color: #666; font-size: 0.85em; }
.strong { font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 0.8em; margin: 0.5em 0; }
th, td { border-bottom: 1px solid #ddd; padding: 2px 4px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
td.right, th.right { text-align: right; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; }
dt { font-weight: bold; }
dd { margin: 0; }
figure { display: inline-block; margin: 4px 8px 8px 0; vertical-align: top; }
figcaption { color: #666; font-size: 0.75em; }
footer { color: #666; font-size: 0.8em; margin-top: 2em; }
`;

function blockHtml(block: BriefBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p${block.style === undefined || block.style === 'normal' ? '' : ` class="${block.style}"`}>${escapeXml(block.text)}</p>`;
    case 'subheading':
      return `<h3>${escapeXml(block.text)}</h3>`;
    case 'key-values':
      return `<dl>${block.pairs.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join('')}</dl>`;
    case 'table': {
      const align = block.columns.map((c) => (c.align === 'right' ? ' class="right"' : ''));
      const head = block.columns
        .map((c, i) => `<th${align[i] ?? ''}>${escapeXml(c.title)}</th>`)
        .join('');
      const rows = block.rows
        .map(
          (row) =>
            `<tr>${row.map((cell, i) => `<td${align[i] ?? ''}>${escapeXml(cell)}</td>`).join('')}</tr>`,
        )
        .join('\n');
      return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
    }
    case 'chart':
      return `<div class="chart">${chartToSvg(block.chart)}</div>`;
    case 'images':
      return block.items
        .map(
          (item) =>
            `<figure><img width="${Math.round(block.widthPt * 1.333)}" alt="${escapeXml(item.caption)}" src="data:image/png;base64,${encodePng(item.raster).toString('base64')}"><figcaption>${escapeXml(item.caption)}</figcaption></figure>`,
        )
        .join('\n');
  }
}

/** See the file comment. @returns the HTML text (UTF-8). */
export function renderBriefHtml(brief: BriefDocument): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeXml(brief.title)}</title>`,
    `<meta name="generator" content="sitewatch">`,
    `<meta name="date" content="${escapeXml(brief.generatedAt)}">`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeXml(brief.title)}</h1>`,
    `<p class="note">${escapeXml(brief.subtitle)}<br>Generated ${escapeXml(brief.generatedAt)}</p>`,
    ...brief.sections.map(
      (s) =>
        `<section id="${escapeXml(s.id)}">\n<h2>${escapeXml(s.title)}</h2>\n${s.blocks.map(blockHtml).join('\n')}\n</section>`,
    ),
    `<footer>${escapeXml(brief.title)} — generated ${escapeXml(brief.generatedAt)}</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
