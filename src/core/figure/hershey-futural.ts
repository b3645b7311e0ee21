/**
 * The Hershey "Sans 1-stroke" (futural) stroke font from the npm package hersheytext (MIT; the
 * Hershey fonts are public domain), so that figure text is drawn as SVG paths identically on
 * every machine. The package's data is static JSON read at module load, like code. Entry i is
 * character code 33 + i: [path in glyph units (cap height 21, baseline y = 22, y down), half
 * advance width].
 */
import hershey from 'hersheytext/hersheytext.min.json' with { type: 'json' };

interface HersheyFont {
  readonly chars: readonly { readonly d: string; readonly o: number }[];
}

const futural = (hershey as unknown as Record<string, HersheyFont | undefined>)['futural'];
if (futural === undefined) throw new Error('hersheytext: the futural font is missing');

export const FUTURAL_GLYPHS: readonly (readonly [string, number])[] = futural.chars.map(
  (glyph) => [glyph.d, glyph.o] as const,
);
