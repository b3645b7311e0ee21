/** A chart layout (chart.ts) as a standalone SVG element, for HTML briefs. */
import type { ChartLayout, ChartShape } from './chart.ts';

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function shapeSvg(shape: ChartShape): string {
  switch (shape.kind) {
    case 'line':
      return `<line x1="${shape.x1}" y1="${shape.y1}" x2="${shape.x2}" y2="${shape.y2}" stroke="${shape.stroke}" stroke-width="${shape.width}"${shape.dash === undefined ? '' : ` stroke-dasharray="${shape.dash[0]} ${shape.dash[1]}"`}/>`;
    case 'polyline':
      return `<polyline points="${shape.points.map(([x, y]) => `${x},${y}`).join(' ')}" fill="none" stroke="${shape.stroke}" stroke-width="${shape.width}" stroke-linejoin="round"/>`;
    case 'circle':
      return `<circle cx="${shape.cx}" cy="${shape.cy}" r="${shape.r}" fill="${shape.fill}" stroke="${shape.stroke}"/>`;
    case 'rect':
      return `<rect x="${shape.x}" y="${shape.y}" width="${shape.width}" height="${shape.height}" fill="${shape.fill}" fill-opacity="${shape.opacity}"/>`;
    case 'text':
      return `<text x="${shape.x}" y="${shape.y}" font-size="${shape.size}" text-anchor="${shape.anchor}" fill="${shape.fill}">${escapeXml(shape.text)}</text>`;
  }
}

/** The chart as an `<svg>` element (width and height in points, Helvetica-like sans serif). */
export function chartToSvg(chart: ChartLayout): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${chart.width}" height="${chart.height}" viewBox="0 0 ${chart.width} ${chart.height}" font-family="Helvetica, Arial, sans-serif" role="img" aria-label="${escapeXml(chart.title)}">`,
    ...chart.shapes.map(shapeSvg),
    '</svg>',
  ].join('\n');
}
