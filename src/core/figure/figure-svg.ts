/**
 * Composes an annotated figure as one SVG document: title band, the map (an embedded image or
 * left transparent for compositing), callouts (outlines, arrows, labels on leader lines placed
 * without overlap), scale bar, north arrow, inset locator and the caption band with the credit
 * line. All text is stroked Hershey paths (text.ts). Pixel coordinates, y down.
 */
import type { Position } from '../geo/types.ts';
import { placeLabels, type LabelRequest, type PixelBox } from './label-placement.ts';
import type { ScaleBar } from './scale-bar.ts';
import { measureText, textPath, wrapText } from './text.ts';

export type CalloutKind = 'detection' | 'change' | 'annotation';

/** One thing drawn on the map, in map-area pixels. */
export interface Callout {
  readonly kind: CalloutKind;
  /** 'polygon': closed ring; 'line': polyline with an arrow head at its end; 'point': a dot. */
  readonly shape: 'polygon' | 'line' | 'point';
  readonly points: readonly Position[];
  /** Label text; empty for none. */
  readonly label: string;
  readonly color: string;
}

/** The inset locator, in inset pixels (0..size). */
export interface InsetMap {
  readonly sizePx: number;
  /** Outlines of the context (image footprints), the site, and the figure's extent. */
  readonly context: readonly (readonly Position[])[];
  readonly site: readonly (readonly Position[])[];
  readonly extent: readonly Position[];
  /** e.g. `48.84 N, 2.38 E`. */
  readonly label: string;
}

export interface FigureModel {
  readonly width: number;
  readonly height: number;
  /** Where the map sits in the figure. */
  readonly map: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  };
  readonly title: string;
  readonly caption: string;
  readonly credit: string;
  readonly scaleBar: ScaleBar;
  /** True north, degrees clockwise from up. */
  readonly northAngleDeg: number;
  readonly callouts: readonly Callout[];
  readonly inset: InsetMap | null;
  /** A data: URI of the map image, or null to leave the map transparent (composited later). */
  readonly mapImageHref: string | null;
  /** Extra label over the map's top-left corner (before/after: the date). */
  readonly cornerLabel?: string;
}

export interface ComposedFigure {
  readonly svg: string;
  /** Callout labels that found no free place (not drawn). */
  readonly droppedLabels: number;
}

const WHITE = '#ffffff';
const LABEL_PRIORITY: Readonly<Record<CalloutKind, number>> = {
  annotation: 0,
  change: 1,
  detection: 2,
};

/** The text at the largest size down to 60 % that fits `maxWidthPx`, shortened with ... if not. */
function fitLine(
  text: string,
  sizePx: number,
  maxWidthPx: number,
): { text: string; sizePx: number } {
  for (let size = sizePx; size >= sizePx * 0.6; size -= 1) {
    if (measureText(text, size) <= maxWidthPx) return { text, sizePx: size };
  }
  const size = Math.ceil(sizePx * 0.6);
  let cut = text;
  while (cut.length > 1 && measureText(`${cut}...`, size) > maxWidthPx) cut = cut.slice(0, -1);
  return { text: `${cut.trimEnd()}...`, sizePx: size };
}
const INK = '#111111';

function f(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function pointsAttr(points: readonly Position[], dx: number, dy: number): string {
  return points.map(([x, y]) => `${f(x + dx)},${f(y + dy)}`).join(' ');
}

function escapeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** Text drawn with a white halo so that it reads over imagery. */
function haloText(d: string, sizePx: number, color: string): string {
  const w = Math.max(1, sizePx / 9);
  return (
    `<path d="${d}" fill="none" stroke="${WHITE}" stroke-width="${f(w * 3)}" stroke-linecap="round" stroke-linejoin="round"/>` +
    `<path d="${d}" fill="none" stroke="${color}" stroke-width="${f(w)}" stroke-linecap="round" stroke-linejoin="round"/>`
  );
}

function plainText(d: string, sizePx: number, color: string): string {
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="${f(Math.max(1, sizePx / 9))}" stroke-linecap="round" stroke-linejoin="round"/>`;
}

function calloutBox(callout: Callout, dx: number, dy: number): PixelBox {
  const xs = callout.points.map((p) => p[0] + dx);
  const ys = callout.points.map((p) => p[1] + dy);
  return [Math.min(...xs) - 2, Math.min(...ys) - 2, Math.max(...xs) + 2, Math.max(...ys) + 2];
}

function arrowHead(from: Position, to: Position, sizePx: number): string {
  const angle = Math.atan2(to[1] - from[1], to[0] - from[0]);
  const left: Position = [
    to[0] - sizePx * Math.cos(angle - 0.45),
    to[1] - sizePx * Math.sin(angle - 0.45),
  ];
  const right: Position = [
    to[0] - sizePx * Math.cos(angle + 0.45),
    to[1] - sizePx * Math.sin(angle + 0.45),
  ];
  return pointsAttr([left, to, right], 0, 0);
}

function drawShape(callout: Callout, dx: number, dy: number, strokePx: number): string {
  const c = callout.color;
  if (callout.shape === 'polygon') {
    return `<polygon points="${pointsAttr(callout.points, dx, dy)}" fill="${c}" fill-opacity="0.12" stroke="${c}" stroke-width="${f(strokePx)}"/>`;
  }
  if (callout.shape === 'point') {
    const [x, y] = callout.points[0] ?? [0, 0];
    return `<circle cx="${f(x + dx)}" cy="${f(y + dy)}" r="${f(strokePx * 2.5)}" fill="${c}" stroke="${WHITE}" stroke-width="1"/>`;
  }
  const line = `<polyline points="${pointsAttr(callout.points, dx, dy)}" fill="none" stroke="${c}" stroke-width="${f(strokePx * 1.5)}" stroke-linecap="round"/>`;
  const n = callout.points.length;
  const a = callout.points[n - 2];
  const b = callout.points[n - 1];
  if (a === undefined || b === undefined) return line;
  const head = arrowHead([a[0] + dx, a[1] + dy], [b[0] + dx, b[1] + dy], strokePx * 6);
  return `${line}<polyline points="${head}" fill="none" stroke="${c}" stroke-width="${f(strokePx * 1.5)}" stroke-linejoin="round" stroke-linecap="round"/>`;
}

function drawNorthArrow(x: number, y: number, sizePx: number, angleDeg: number): string {
  const h = sizePx / 2;
  const body = `<polygon points="0,${f(-h)} ${f(h * 0.45)},${f(h * 0.6)} 0,${f(h * 0.3)} ${f(-h * 0.45)},${f(h * 0.6)}" fill="${INK}" stroke="${WHITE}" stroke-width="1.5"/>`;
  const letter = haloText(textPath('N', 0, -h - 4, sizePx * 0.35, 'middle'), sizePx * 0.35, INK);
  return `<g transform="translate(${f(x)},${f(y)}) rotate(${f(angleDeg)})">${body}${letter}</g>`;
}

function drawScaleBar(x: number, y: number, bar: ScaleBar, textPx: number): string {
  const h = Math.max(4, textPx * 0.5);
  const half = bar.lengthPx / 2;
  return (
    `<rect x="${f(x - 6)}" y="${f(y - textPx - 10)}" width="${f(bar.lengthPx + 12)}" height="${f(textPx + h + 16)}" fill="${WHITE}" fill-opacity="0.8"/>` +
    `<rect x="${f(x)}" y="${f(y)}" width="${f(half)}" height="${f(h)}" fill="${INK}" stroke="${INK}"/>` +
    `<rect x="${f(x + half)}" y="${f(y)}" width="${f(half)}" height="${f(h)}" fill="${WHITE}" stroke="${INK}"/>` +
    plainText(textPath('0', x, y - 4, textPx, 'start'), textPx, INK) +
    plainText(textPath(bar.label, x + bar.lengthPx, y - 4, textPx, 'end'), textPx, INK)
  );
}

function drawInset(inset: InsetMap, x: number, y: number, textPx: number): string {
  const s = inset.sizePx;
  const ring = (points: readonly Position[], stroke: string, fill: string, width: number): string =>
    `<polygon points="${pointsAttr(points, x, y)}" fill="${fill}" stroke="${stroke}" stroke-width="${width}"/>`;
  return (
    `<rect x="${f(x)}" y="${f(y)}" width="${f(s)}" height="${f(s)}" fill="#eef2f5" stroke="${INK}" stroke-width="1.5"/>` +
    inset.context.map((r) => ring(r, '#7a8a99', '#d8dee4', 1)).join('') +
    inset.site.map((r) => ring(r, '#c0392b', '#c0392b', 1)).join('') +
    ring(inset.extent, '#1f5fbf', 'none', 2) +
    plainText(textPath(inset.label, x + s / 2, y + s - 4, textPx * 0.8, 'middle'), textPx, INK)
  );
}

/** Composes the figure (see the file comment). */
export function composeFigureSvg(model: FigureModel): ComposedFigure {
  const { width, height, map } = model;
  const unit = Math.max(10, Math.round(Math.min(width, height) / 60));
  const titlePx = Math.round(unit * 1.4);
  const textPx = unit;
  const labelPx = Math.max(9, Math.round(unit * 0.8));
  const strokePx = Math.max(1.5, unit / 8);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="${WHITE}"/>`,
  );
  if (model.mapImageHref !== null) {
    parts.push(
      `<image x="${map.x}" y="${map.y}" width="${map.width}" height="${map.height}" href="${escapeAttr(model.mapImageHref)}"/>`,
    );
  } else {
    // Punch the map area out so the crop composited beneath shows through.
    parts[1] = `<path d="M0 0H${width}V${height}H0Z M${map.x} ${map.y}V${map.y + map.height}H${map.x + map.width}V${map.y}Z" fill="${WHITE}" fill-rule="evenodd"/>`;
  }
  parts.push(`<g>`);
  for (const callout of model.callouts) parts.push(drawShape(callout, map.x, map.y, strokePx));
  parts.push(`</g>`);

  // Furniture in the map's corners, kept free of labels.
  const margin = unit;
  const bar = model.scaleBar;
  const barX = map.x + margin + 6;
  const barY = map.y + map.height - margin - Math.max(4, textPx * 0.5);
  const northSize = unit * 3.5;
  const northX = map.x + map.width - margin - northSize / 2;
  const northY = map.y + margin + northSize * 0.75 + textPx;
  const insetSize = model.inset?.sizePx ?? 0;
  const insetX = map.x + map.width - margin - insetSize;
  const insetY = map.y + map.height - margin - insetSize;
  const obstacles: PixelBox[] = [
    [barX - 6, barY - textPx - 10, barX + bar.lengthPx + 6, barY + textPx],
    [northX - northSize, northY - northSize - textPx, northX + northSize, northY + northSize],
  ];
  if (model.inset !== null)
    obstacles.push([insetX, insetY, insetX + insetSize, insetY + insetSize]);
  if (model.cornerLabel !== undefined) {
    obstacles.push([
      map.x,
      map.y,
      map.x + measureText(model.cornerLabel, titlePx) + 3 * margin,
      map.y + titlePx + 2 * margin,
    ]);
  }
  // Annotations are labelled first, then changes, then detections (the first get the best places).
  const labelled = model.callouts
    .filter((c) => c.label !== '')
    .sort((a, b) => LABEL_PRIORITY[a.kind] - LABEL_PRIORITY[b.kind]);
  const requests: LabelRequest[] = labelled.map((c) => ({
    feature: calloutBox(c, map.x, map.y),
    widthPx: measureText(c.label, labelPx) + 8,
    heightPx: labelPx + 8,
  }));
  const placement = placeLabels(
    requests,
    [map.x + 2, map.y + 2, map.x + map.width - 2, map.y + map.height - 2],
    obstacles,
  );
  for (const label of placement.placed) {
    const callout = labelled[label.index];
    if (callout === undefined) continue;
    const [x0, y0, x1, y1] = label.box;
    if (label.leader !== null) {
      const [ax, ay, bx, by] = label.leader;
      parts.push(
        `<line x1="${f(ax)}" y1="${f(ay)}" x2="${f(bx)}" y2="${f(by)}" stroke="${callout.color}" stroke-width="${f(strokePx * 0.8)}"/>`,
      );
    }
    parts.push(
      `<rect x="${f(x0)}" y="${f(y0)}" width="${f(x1 - x0)}" height="${f(y1 - y0)}" fill="${WHITE}" fill-opacity="0.85" stroke="${callout.color}" stroke-width="1"/>`,
      plainText(textPath(callout.label, x0 + 4, y1 - 4, labelPx, 'start'), labelPx, INK),
    );
  }
  parts.push(drawScaleBar(barX, barY, bar, textPx));
  parts.push(drawNorthArrow(northX, northY, northSize, model.northAngleDeg));
  if (model.inset !== null) parts.push(drawInset(model.inset, insetX, insetY, textPx));
  if (model.cornerLabel !== undefined) {
    const labelWidth = measureText(model.cornerLabel, titlePx);
    parts.push(
      `<rect x="${f(map.x + margin * 0.5)}" y="${f(map.y + margin * 0.5)}" width="${f(labelWidth + margin)}" height="${f(titlePx + margin)}" fill="${WHITE}" fill-opacity="0.85"/>`,
      plainText(
        textPath(model.cornerLabel, map.x + margin, map.y + margin + titlePx, titlePx),
        titlePx,
        INK,
      ),
    );
  }
  parts.push(
    `<rect x="${map.x}" y="${map.y}" width="${map.width}" height="${map.height}" fill="none" stroke="${INK}" stroke-width="1"/>`,
  );
  // Title above the map; below it the credit line (always, from the bottom up), then as much
  // of the caption as fits between.
  if (map.y >= titlePx + 8) {
    const fitted = fitLine(model.title, titlePx, width - 2 * margin);
    parts.push(
      plainText(
        textPath(fitted.text, margin, map.y - (map.y - fitted.sizePx) / 2, fitted.sizePx),
        fitted.sizePx,
        INK,
      ),
    );
  }
  const creditPx = textPx * 0.85;
  const creditLines = wrapText(model.credit, creditPx, width - 2 * margin);
  let bottom = height - margin * 0.5;
  const creditParts: string[] = [];
  for (const line of [...creditLines].reverse()) {
    creditParts.unshift(plainText(textPath(line, margin, bottom, creditPx), creditPx, '#333333'));
    bottom -= creditPx * 1.6;
  }
  let y = map.y + map.height + textPx + margin * 0.6;
  const captionLines = wrapText(model.caption, textPx, width - 2 * margin);
  for (let i = 0; i < captionLines.length; i += 1) {
    if (y > bottom + creditPx * 0.6) break;
    const last = y + textPx * 1.6 > bottom + creditPx * 0.6 && i < captionLines.length - 1;
    const line = last ? `${captionLines[i] ?? ''} ...` : (captionLines[i] ?? '');
    parts.push(plainText(textPath(line, margin, y, textPx), textPx, INK));
    y += textPx * 1.6;
  }
  parts.push(...creditParts);
  parts.push('</svg>');
  return { svg: parts.join('\n'), droppedLabels: placement.dropped.length };
}

/** Pixel heights of the title and caption bands of a figure of this size. */
export function figureBands(width: number, height: number): { titlePx: number; captionPx: number } {
  const unit = Math.max(10, Math.round(Math.min(width, height) / 60));
  return { titlePx: Math.round(unit * 3), captionPx: Math.round(unit * 6.5) };
}
