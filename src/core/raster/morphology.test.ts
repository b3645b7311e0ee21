import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import type { StructuringElement } from './morphology.ts';
import { closeMask, dilateMask, erodeMask, openMask } from './morphology.ts';

function inElement(element: StructuringElement, dx: number, dy: number): boolean {
  const r = element.radius;
  if (Math.abs(dx) > r || Math.abs(dy) > r) return false;
  return element.shape === 'square' || dx * dx + dy * dy <= r * r;
}

/** Direct definition with the structuring element clipped to the image. */
function bruteForce(
  mask: Uint8Array,
  width: number,
  height: number,
  element: StructuringElement,
  erode: boolean,
) {
  const out = new Uint8Array(mask.length);
  const r = element.radius;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let any = false;
      let all = true;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const [xx, yy] = [x + dx, y + dy];
          if (!inElement(element, dx, dy) || xx < 0 || yy < 0 || xx >= width || yy >= height)
            continue;
          const set = mask[yy * width + xx] !== 0;
          any ||= set;
          all &&= set;
        }
      }
      out[y * width + x] = (erode ? all : any) ? 1 : 0;
    }
  }
  return out;
}

const maskCase = fc
  .record({
    width: fc.integer({ min: 1, max: 24 }),
    height: fc.integer({ min: 1, max: 24 }),
    radius: fc.integer({ min: 0, max: 6 }),
    shape: fc.constantFrom('square' as const, 'disk' as const),
    density: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    seed: fc.integer(),
  })
  .map((c) => {
    let state = c.seed >>> 0;
    const mask = Uint8Array.from({ length: c.width * c.height }, () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296 < c.density ? 1 : 0;
    });
    return { ...c, mask, element: { shape: c.shape, radius: c.radius } };
  });

describe('dilateMask and erodeMask', () => {
  it('match the direct definition for squares and disks of any radius', () => {
    fc.assert(
      fc.property(maskCase, ({ mask, width, height, element }) => {
        expect(Array.from(dilateMask(mask, width, height, element))).toEqual(
          Array.from(bruteForce(mask, width, height, element, false)),
        );
        expect(Array.from(erodeMask(mask, width, height, element))).toEqual(
          Array.from(bruteForce(mask, width, height, element, true)),
        );
      }),
      { seed: 31, numRuns: 300 },
    );
  });

  it('dilates a single pixel into the hand-drawn disk of radius 2', () => {
    const mask = new Uint8Array(25);
    mask[12] = 1;
    const disk = dilateMask(mask, 5, 5, { shape: 'disk', radius: 2 });
    expect(Array.from(disk).join('')).toBe(['00100', '01110', '11111', '01110', '00100'].join(''));
  });

  it('writes in place when out is the input', () => {
    const mask = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(dilateMask(mask, 3, 3, { shape: 'square', radius: 1 }, mask)).toBe(mask);
    expect(Array.from(mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('rejects bad radii and sizes', () => {
    const mask = new Uint8Array(4);
    expect(() => dilateMask(mask, 2, 2, { shape: 'disk', radius: 1.5 })).toThrow(
      /radius must be an integer/,
    );
    expect(() => erodeMask(mask, 3, 2, { shape: 'square', radius: 1 })).toThrow(ValidationError);
  });
});

describe('openMask and closeMask', () => {
  it('opening removes specks and keeps blocks; closing fills small holes', () => {
    const width = 12;
    const mask = new Uint8Array(width * width);
    for (let y = 2; y < 9; y++) for (let x = 2; x < 9; x++) mask[y * width + x] = 1;
    mask[5 * width + 5] = 0; // a one-pixel hole
    mask[11 * width + 11] = 1; // a speck
    const opened = openMask(mask, width, width, { shape: 'square', radius: 1 });
    expect(opened[11 * width + 11]).toBe(0);
    expect(opened[2 * width + 2]).toBe(1);
    const closed = closeMask(mask, width, width, { shape: 'square', radius: 1 });
    expect(closed[5 * width + 5]).toBe(1);
    expect(closed[11 * width + 11]).toBe(1);
  });

  it('opening is anti-extensive and closing extensive, both idempotent', () => {
    fc.assert(
      fc.property(maskCase, ({ mask, width, height, element }) => {
        const opened = openMask(mask, width, height, element);
        const closed = closeMask(mask, width, height, element);
        for (let p = 0; p < mask.length; p++) {
          expect(opened[p]!).toBeLessThanOrEqual(mask[p]!);
          expect(closed[p]!).toBeGreaterThanOrEqual(mask[p]!);
        }
        expect(Array.from(openMask(opened, width, height, element))).toEqual(Array.from(opened));
        expect(Array.from(closeMask(closed, width, height, element))).toEqual(Array.from(closed));
      }),
      { seed: 32, numRuns: 150 },
    );
  });
});
