import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.ts';
import { hysteresisMask } from './hysteresis.ts';

/** A field from rows of text: '.' 0, 'w' weak (2), 'S' strong (9), 'x' invalid. */
function parse(rows: readonly string[]) {
  const height = rows.length;
  const width = rows[0]?.length ?? 0;
  const values = new Float32Array(width * height);
  const valid = new Uint8Array(width * height).fill(1);
  rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      const ch = row.charAt(x);
      const p = y * width + x;
      values[p] = ch === 'w' ? 2 : ch === 'S' ? 9 : 0;
      if (ch === 'x') valid[p] = 0;
    }
  });
  return { values, valid, width, height };
}

function render(mask: Uint8Array, width: number): string[] {
  const rows: string[] = [];
  for (let p = 0; p < mask.length; p += width)
    rows.push([...mask.subarray(p, p + width)].map((v) => (v === 1 ? '#' : '.')).join(''));
  return rows;
}

describe('hysteresisMask', () => {
  it('keeps weak regions 8-connected to a seed and drops isolated weak ones', () => {
    const f = parse(['ww.....w', 'wS......', '..w...ww', '...w..ww', 'x.......', 'Sw....Sw']);
    const mask = hysteresisMask(f.values, f.valid, f.width, f.height, { grow: 1, seed: 5 });
    expect(render(mask, f.width)).toEqual([
      '##......',
      '##......',
      '..#.....',
      '...#....',
      '........',
      '##....##',
    ]);
  });

  it('never marks invalid or NaN pixels, even at a seed level', () => {
    const values = Float32Array.from([9, Number.NaN, 9, 9]);
    const valid = Uint8Array.from([0, 1, 1, 1]);
    const mask = hysteresisMask(values, valid, 4, 1, { grow: 1, seed: 5 });
    expect(Array.from(mask)).toEqual([0, 0, 1, 1]);
  });

  it('lies between the plain masks at seed and at grow, and is the plain mask when seed ≤ grow', () => {
    const random = seededRandom(3);
    const width = 40;
    const height = 30;
    for (let trial = 0; trial < 10; trial++) {
      const values = Float32Array.from({ length: width * height }, () => random() * 10);
      const valid = Uint8Array.from({ length: width * height }, () => (random() < 0.95 ? 1 : 0));
      const grow = 4 + random() * 3;
      const seed = grow + random() * 3;
      const mask = hysteresisMask(values, valid, width, height, { grow, seed });
      const plain = hysteresisMask(values, valid, width, height, { grow, seed: grow });
      let violations = 0;
      for (let p = 0; p < values.length; p++) {
        const isValid = valid[p] === 1;
        if (plain[p] !== (isValid && (values[p] ?? 0) >= grow ? 1 : 0)) violations += 1;
        if (isValid && (values[p] ?? 0) >= seed && mask[p] !== 1) violations += 1;
        if (mask[p] === 1 && plain[p] !== 1) violations += 1;
      }
      expect(violations).toBe(0);
    }
  });

  it('rejects mismatched sizes and NaN levels, naming them', () => {
    expect(() => hysteresisMask(new Float32Array(5), null, 2, 2, { grow: 1, seed: 2 })).toThrow(
      /values \(5\).*2×2 = 4/,
    );
    expect(() =>
      hysteresisMask(new Float32Array(4), null, 2, 2, { grow: Number.NaN, seed: 2 }),
    ).toThrow(/grow NaN/);
  });
});
