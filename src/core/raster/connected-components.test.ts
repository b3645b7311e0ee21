import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import {
  labelComponents,
  minimumMappingUnitPixels,
  removeSmallComponents,
} from './connected-components.ts';

function parse(rows: string[]): { mask: Uint8Array; width: number; height: number } {
  const width = rows[0]!.length;
  return {
    mask: Uint8Array.from(rows.join(''), (c) => (c === '#' ? 1 : 0)),
    width,
    height: rows.length,
  };
}

/** Reference labelling by flood fill, as sets of pixel indices. */
function floodComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  eight: boolean,
): Set<string> {
  const seen = new Uint8Array(mask.length);
  const components = new Set<string>();
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const members: number[] = [];
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop()!;
      members.push(p);
      const [x, y] = [p % width, Math.floor(p / width)];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
          const [xx, yy] = [x + dx, y + dy];
          const q = yy * width + xx;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height || !mask[q] || seen[q]) continue;
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    components.add(members.sort((a, b) => a - b).join(','));
  }
  return components;
}

describe('labelComponents', () => {
  it('joins diagonal neighbours with 8-connectivity only', () => {
    const { mask, width, height } = parse(['#..#', '.#.#', '#...']);
    expect(labelComponents(mask, width, height).count).toBe(2);
    expect(labelComponents(mask, width, height, { connectivity: 4 }).count).toBe(4);
  });

  it('reports pixel counts, bounding boxes and value sums per component', () => {
    const { mask, width, height } = parse(['##...', '.#..#', '....#']);
    const values = Float32Array.from({ length: 15 }, (_, p) => p);
    const result = labelComponents(mask, width, height, { values });
    expect(result.count).toBe(2);
    expect(Array.from(result.labels)).toEqual([1, 1, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 2]);
    expect(Array.from(result.pixelCount)).toEqual([0, 3, 2]);
    expect([result.minCol[1], result.minRow[1], result.maxCol[1], result.maxRow[1]]).toEqual([
      0, 0, 1, 1,
    ]);
    expect([result.minCol[2], result.minRow[2], result.maxCol[2], result.maxRow[2]]).toEqual([
      4, 1, 4, 2,
    ]);
    expect(Array.from(result.valueSum!)).toEqual([0, 0 + 1 + 6, 9 + 14]);
  });

  it('merges labels through U shapes and staircases', () => {
    const { mask, width, height } = parse(['#.#.#', '#.#.#', '#####', '....#', '...#.', '..#..']);
    expect(labelComponents(mask, width, height).count).toBe(1);
    expect(labelComponents(mask, width, height, { connectivity: 4 }).count).toBe(3);
  });

  it('matches flood fill on random masks, for both connectivities', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        fc.boolean(),
        (width, height, seed, eight) => {
          let state = seed >>> 0;
          const mask = Uint8Array.from({ length: width * height }, () => {
            state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
            return state >>> 31;
          });
          const result = labelComponents(mask, width, height, { connectivity: eight ? 8 : 4 });
          const groups = new Map<number, number[]>();
          result.labels.forEach((label, p) => {
            if (label !== 0) groups.set(label, [...(groups.get(label) ?? []), p]);
          });
          expect(result.count).toBe(groups.size);
          expect(new Set([...groups.values()].map((g) => g.join(',')))).toEqual(
            floodComponents(mask, width, height, eight),
          );
        },
      ),
      { seed: 41, numRuns: 200 },
    );
  });

  it('rejects a mask of the wrong size', () => {
    expect(() => labelComponents(new Uint8Array(5), 2, 2)).toThrow(/2×2 = 4 elements, got 5/);
  });
});

describe('removeSmallComponents', () => {
  it('clears components below the minimum and reports what it removed', () => {
    const { mask, width, height } = parse(['##..#', '##...', '....#', '...##']);
    const result = removeSmallComponents(mask, width, height, 3);
    expect(Array.from(result.mask).join('')).toBe(['11000', '11000', '00001', '00011'].join(''));
    expect(result).toMatchObject({ removedComponents: 1, removedPixels: 1, keptComponents: 2 });
  });

  it('converts a minimum mapping unit in m² to pixels', () => {
    expect(minimumMappingUnitPixels(100, 0.5)).toBe(400);
    expect(minimumMappingUnitPixels(101, 10)).toBe(2);
    expect(minimumMappingUnitPixels(0, 3)).toBe(1);
    expect(() => minimumMappingUnitPixels(10, 0)).toThrow(ValidationError);
    expect(() => minimumMappingUnitPixels(-1, 1)).toThrow(/got -1/);
  });
});
