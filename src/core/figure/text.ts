/**
 * Text as SVG path data in the Hershey futural stroke font (hershey-futural.ts), so figures
 * render the same on every machine with no system font. Sizes are cap heights in pixels;
 * positions are the baseline's left, centre or right end, y down.
 */
import { FUTURAL_GLYPHS } from './hershey-futural.ts';

/** Glyph units from the baseline to the top of a capital. */
const CAP_UNITS = 21;
const BASELINE_UNITS = 22;
/** Advance of a space, glyph units. */
const SPACE_UNITS = 12;
const FALLBACK = '?';

interface Glyph {
  /** Polylines as flat [x0, y0, x1, y1, …] in glyph units. */
  readonly strokes: readonly (readonly number[])[];
  readonly advance: number;
}

function parseGlyph(d: string, halfWidth: number): Glyph {
  const strokes: number[][] = [];
  let current: number[] = [];
  for (const token of d.split(' ')) {
    if (token === '') continue;
    const start = token.startsWith('M');
    const body = start || token.startsWith('L') ? token.slice(1) : token;
    const [x, y] = body.split(',').map(Number);
    if (start) {
      current = [];
      strokes.push(current);
    }
    current.push(x ?? 0, y ?? 0);
  }
  return { strokes, advance: 2 * halfWidth };
}

const GLYPHS = new Map<string, Glyph>(
  FUTURAL_GLYPHS.map(([d, half], i) => [String.fromCharCode(33 + i), parseGlyph(d, half)]),
);
GLYPHS.set('©', copyrightGlyph());

/** ©, which futural lacks: a circle around a small futural "c". */
function copyrightGlyph(): Glyph {
  const circle: number[] = [];
  for (let i = 0; i <= 32; i += 1) {
    const a = (i / 32) * 2 * Math.PI;
    circle.push(12 + 10.5 * Math.cos(a), 11.5 + 10.5 * Math.sin(a));
  }
  const c = GLYPHS.get('c');
  // futural "c" spans x 3–15, y 8–22: centre it in the circle at 60 %.
  const small = (c?.strokes ?? []).map((stroke) =>
    stroke.map((v, i) => (i % 2 === 0 ? 12 + (v - 9) * 0.6 : 11.5 + (v - 15) * 0.6)),
  );
  return { strokes: [circle, ...small], advance: 25 };
}

/**
 * The text reduced to the font's characters (printable ASCII and ©): accents dropped, other
 * characters → ?.
 */
export function toFontText(text: string): string {
  return text
    .replace(/[–—]/g, '-')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/×/g, 'x')
    .replace(/°/g, ' deg')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s/g, ' ')
    .replace(/[^ -~©]/g, FALLBACK);
}

/** Width in pixels of `text` drawn with cap height `sizePx`. */
export function measureText(text: string, sizePx: number): number {
  let units = 0;
  for (const ch of toFontText(text)) {
    units += ch === ' ' ? SPACE_UNITS : (GLYPHS.get(ch)?.advance ?? SPACE_UNITS);
  }
  return (units * sizePx) / CAP_UNITS;
}

export type TextAnchor = 'start' | 'middle' | 'end';

function fmt(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * SVG path data drawing `text` with cap height `sizePx`, its baseline at `y` and its `anchor`
 * at `x`; stroke it (no fill) with a width of about sizePx / 10.
 */
export function textPath(
  text: string,
  x: number,
  y: number,
  sizePx: number,
  anchor: TextAnchor = 'start',
): string {
  const scale = sizePx / CAP_UNITS;
  const width = measureText(text, sizePx);
  let left = anchor === 'start' ? x : anchor === 'middle' ? x - width / 2 : x - width;
  const parts: string[] = [];
  for (const ch of toFontText(text)) {
    const glyph = GLYPHS.get(ch);
    if (ch === ' ' || glyph === undefined) {
      left += SPACE_UNITS * scale;
      continue;
    }
    for (const stroke of glyph.strokes) {
      let part = '';
      for (let i = 0; i + 1 < stroke.length; i += 2) {
        const px = left + (stroke[i] ?? 0) * scale;
        const py = y + ((stroke[i + 1] ?? 0) - BASELINE_UNITS) * scale;
        part += `${i === 0 ? 'M' : 'L'}${fmt(px)} ${fmt(py)}`;
      }
      parts.push(part);
    }
    left += glyph.advance * scale;
  }
  return parts.join('');
}

/**
 * Splits `text` into lines no wider than `maxWidthPx` at cap height `sizePx`, breaking at
 * spaces (a single over-long word stays on its own line).
 */
export function wrapText(text: string, sizePx: number, maxWidthPx: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && measureText(candidate, sizePx) > maxWidthPx) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
