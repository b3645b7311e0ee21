import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { downsampleByTwo, overviewLevelSizes, type DownsampleOptions } from './overview.ts';

describe('overviewLevelSizes', () => {
  it('halves (rounding up) until both sides fit one tile', () => {
    expect(overviewLevelSizes(1000, 700, 256, 'auto')).toEqual([
      { width: 500, height: 350 },
      { width: 250, height: 175 },
    ]);
    expect(overviewLevelSizes(513, 100, 256, 'auto')).toEqual([
      { width: 257, height: 50 },
      { width: 129, height: 25 },
    ]);
  });

  it('makes no overview for an image that fits one tile', () => {
    expect(overviewLevelSizes(512, 512, 512, 'auto')).toEqual([]);
  });

  it('makes exactly the number of levels asked for', () => {
    expect(overviewLevelSizes(5, 3, 512, 3)).toEqual([
      { width: 3, height: 2 },
      { width: 2, height: 1 },
      { width: 1, height: 1 },
    ]);
    expect(overviewLevelSizes(4096, 4096, 512, 0)).toEqual([]);
  });

  it('rejects counts that are not integers in range, or levels below one pixel', () => {
    expect(() => overviewLevelSizes(100, 100, 16, -1)).toThrow(/overviews -1/);
    expect(() => overviewLevelSizes(100, 100, 16, 1.5)).toThrow(ValidationError);
    expect(() => overviewLevelSizes(2, 1, 16, 2)).toThrow(
      /overviews 2 is too many for a 2 × 1 image/,
    );
  });
});

/** Reference: each output pixel from its (up to) 2 × 2 block, written plainly. */
function reference(
  src: ArrayLike<number>,
  width: number,
  rows: number,
  options: DownsampleOptions,
): number[] {
  const out: number[] = [];
  const valid = (v: number): boolean =>
    !Number.isNaN(v) &&
    (options.nodata === null || Number.isNaN(options.nodata) || v !== options.nodata);
  for (let r = 0; r < Math.ceil(rows / 2); r++) {
    for (let c = 0; c < Math.ceil(width / 2); c++) {
      const block: number[] = [];
      for (const [dr, dc] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ] as const) {
        const rr = 2 * r + dr;
        const cc = 2 * c + dc;
        if (rr < rows && cc < width) block.push(src[rr * width + cc]!);
      }
      if (options.resampling === 'nearest') {
        out.push(block[0]!);
        continue;
      }
      const good = block.filter(valid);
      if (good.length === 0) {
        out.push(options.nodata ?? Number.NaN);
        continue;
      }
      const mean = good.reduce((a, b) => a + b, 0) / good.length;
      const stored = options.integer ? Math.floor(mean + 0.5) : mean;
      out.push(stored === options.nodata ? good[good.length - 1]! : stored);
    }
  }
  return out;
}

describe('downsampleByTwo', () => {
  it('averages 2 × 2 blocks with rounding half up and handles an odd last column and row', () => {
    // 3 × 3 source → 2 × 2
    const src = Uint16Array.from([1, 2, 10, 3, 5, 20, 7, 8, 9]);
    const dst = new Uint16Array(4);
    downsampleByTwo(src, 3, 3, dst, 0, { resampling: 'average', nodata: null, integer: true });
    // (1+2+3+5)/4 = 2.75 → 3; (10+20)/2 = 15; (7+8)/2 = 7.5 → 8; 9
    expect(Array.from(dst)).toEqual([3, 15, 8, 9]);
  });

  it('takes the top-left pixel for nearest, inventing no value', () => {
    const src = Uint8Array.from([1, 0, 255, 0, 1, 1, 1, 255]);
    const dst = new Uint8Array(2);
    downsampleByTwo(src, 4, 2, dst, 0, { resampling: 'nearest', nodata: 255, integer: true });
    expect(Array.from(dst)).toEqual([1, 255]);
  });

  it('ignores nodata in averages and gives nodata only where a block has no valid pixel', () => {
    const src = Int16Array.from([-9999, 4, -9999, -9999, 6, -9999, -9999, -9999]);
    const dst = new Int16Array(2);
    downsampleByTwo(src, 4, 2, dst, 0, { resampling: 'average', nodata: -9999, integer: true });
    expect(Array.from(dst)).toEqual([5, -9999]);
  });

  it('never turns a block with valid pixels into nodata', () => {
    // mean of 0 and 1 rounds to 1 = nodata → keeps the last valid pixel (0)
    const src = Uint8Array.from([0, 1, 1, 1]);
    const dst = new Uint8Array(1);
    downsampleByTwo(src, 2, 2, dst, 0, { resampling: 'average', nodata: 1, integer: true });
    expect(dst[0]).toBe(0);
    downsampleByTwo(Uint8Array.from([0, 0, 1, 1]), 2, 2, dst, 0, {
      resampling: 'average',
      nodata: 1,
      integer: true,
    });
    expect(dst[0]).toBe(0);
  });

  it('skips NaN in float averages and writes at the given offset', () => {
    const src = Float32Array.from([
      Number.NaN,
      1.5,
      Number.NaN,
      Number.NaN,
      2.5,
      Number.NaN,
      Number.NaN,
      Number.NaN,
    ]);
    const dst = new Float32Array(4).fill(7);
    downsampleByTwo(src, 4, 2, dst, 2, {
      resampling: 'average',
      nodata: Number.NaN,
      integer: false,
    });
    expect(Array.from(dst)).toEqual([7, 7, 2, Number.NaN]);
  });

  it('matches the plain reference on random blocks (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom<DownsampleOptions>(
          { resampling: 'average', nodata: null, integer: true },
          { resampling: 'average', nodata: 3, integer: true },
          { resampling: 'nearest', nodata: 3, integer: true },
        ),
        fc.infiniteStream(fc.integer({ min: 0, max: 7 })),
        (width, rows, options, values) => {
          const src = Uint8Array.from(
            { length: width * rows },
            () => values.next().value as number,
          );
          const dst = new Uint8Array(Math.ceil(width / 2) * Math.ceil(rows / 2));
          downsampleByTwo(src, width, rows, dst, 0, options);
          expect(Array.from(dst)).toEqual(reference(src, width, rows, options));
        },
      ),
      { seed: 4242, numRuns: 300 },
    );
  });
});
