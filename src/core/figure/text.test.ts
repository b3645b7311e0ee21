import { describe, expect, it } from 'vitest';
import { measureText, textPath, toFontText, wrapText } from './text.ts';

describe('Hershey text', () => {
  it('draws text as path data scaled to the cap height, anchored as asked', () => {
    const d = textPath('I', 10, 50, 21);
    // futural "I": a vertical stroke from the cap line (y = 50 - 21) to the baseline.
    expect(d).toBe('M14 29L14 50');
    expect(measureText('I', 21)).toBe(8);
    const right = textPath('I', 10, 50, 21, 'end');
    expect(right).toBe('M6 29L6 50');
  });

  it('keeps to the font and ©: accents go, unknown characters become ?', () => {
    expect(toFontText('Image © Agência – 北')).toBe('Image © Agencia - ?');
    expect(textPath('©', 0, 0, 21)).toMatch(/^M22\.5 -10\.5L/);
    expect(textPath('é', 0, 0, 10)).toBe(textPath('e', 0, 0, 10));
  });

  it('wraps at spaces within the width', () => {
    const lines = wrapText('one two three four five six seven', 10, 60);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(measureText(line, 10)).toBeLessThanOrEqual(60);
    expect(lines.join(' ')).toBe('one two three four five six seven');
  });
});
