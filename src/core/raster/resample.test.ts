import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import type { PixelWindow } from './raster.ts';
import {
  RESAMPLE_METHODS,
  mappingBetweenGrids,
  resampleWindow,
  sourceWindowFor,
  type GridMapping,
  type ResampleMethod,
} from './resample.ts';

const full = (width: number, height: number): PixelWindow => ({ col0: 0, row0: 0, width, height });

/** 2× upsampling: a 20 m source onto a 10 m destination with the same origin. */
const UPSAMPLE_2X: GridMapping = mappingBetweenGrids(
  [600000, 10, 0, 5000000, 0, -10],
  [600000, 20, 0, 5000000, 0, -20],
);

describe('mappingBetweenGrids', () => {
  it('maps a 10 m grid onto a 20 m grid with the same origin', () => {
    expect(UPSAMPLE_2X).toEqual({ scaleX: 0.5, offsetX: 0, scaleY: 0.5, offsetY: 0 });
  });

  it('accounts for a shifted origin in source pixels', () => {
    const mapping = mappingBetweenGrids(
      [600010, 10, 0, 5000000, 0, -10],
      [600000, 20, 0, 5000040, 0, -20],
    );
    expect(mapping).toEqual({ scaleX: 0.5, offsetX: 0.5, scaleY: 0.5, offsetY: 2 });
  });

  it('rejects rotated grids', () => {
    expect(() => mappingBetweenGrids([0, 1, 0.1, 0, 0, -1], [0, 1, 0, 0, 0, -1])).toThrow(
      ValidationError,
    );
  });
});

describe('resampleWindow', () => {
  const ramp = Float64Array.from(
    { length: 5 * 4 },
    (_, i) => (i % 5) * 10 + Math.floor(i / 5) * 100,
  );
  const bigRamp = Float64Array.from(
    { length: 8 * 8 },
    (_, i) => (i % 8) * 10 + Math.floor(i / 8) * 100,
  );

  it.each(RESAMPLE_METHODS)('is the identity for an identity mapping (%s)', (method) => {
    const out = resampleWindow({
      src: ramp,
      srcWindow: full(5, 4),
      mapping: { scaleX: 1, offsetX: 0, scaleY: 1, offsetY: 0 },
      dstWindow: full(5, 4),
      method,
      nodata: null,
    });
    expect(Array.from(out)).toEqual(Array.from(ramp));
  });

  it('nearest duplicates each source pixel 2×2 when upsampling by 2', () => {
    const src = Uint16Array.from([1, 2, 3, 4]);
    const out = resampleWindow({
      src,
      srcWindow: full(2, 2),
      mapping: UPSAMPLE_2X,
      dstWindow: full(4, 4),
      method: 'nearest',
      nodata: null,
    });
    expect(out).toBeInstanceOf(Uint16Array);
    expect(Array.from(out)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it.each(['bilinear', 'cubic'] as const)(
    '%s reproduces a linear ramp away from the edges',
    (method) => {
      const out = resampleWindow({
        src: bigRamp,
        srcWindow: full(8, 8),
        mapping: UPSAMPLE_2X,
        dstWindow: full(16, 16),
        method,
        nodata: null,
      });
      for (let row = 4; row < 12; row += 1) {
        for (let col = 4; col < 12; col += 1) {
          const u = (col + 0.5) / 2 - 0.5;
          const v = (row + 0.5) / 2 - 0.5;
          expect(out[row * 16 + col]).toBeCloseTo(u * 10 + v * 100, 9);
        }
      }
    },
  );

  it('never blends nodata into valid pixels and keeps nodata where no tap is valid', () => {
    const src = Int16Array.from([10, -9999, 30, 40]);
    const out = resampleWindow({
      src,
      srcWindow: full(2, 2),
      mapping: UPSAMPLE_2X,
      dstWindow: full(4, 4),
      method: 'bilinear',
      nodata: -9999,
    });
    expect(Array.from(out)).not.toContain(Math.round((10 - 9999) / 2));
    expect(out[0]).toBe(10);
    const allNodata = resampleWindow({
      src: Int16Array.from([-9999]),
      srcWindow: full(1, 1),
      mapping: UPSAMPLE_2X,
      dstWindow: full(2, 2),
      method: 'cubic',
      nodata: -9999,
    });
    expect(Array.from(allNodata)).toEqual([-9999, -9999, -9999, -9999]);
  });

  it('treats NaN as nodata in float data', () => {
    const src = Float32Array.from([1, Number.NaN, 3, 5]);
    const out = resampleWindow({
      src,
      srcWindow: full(2, 2),
      mapping: UPSAMPLE_2X,
      dstWindow: full(4, 4),
      method: 'cubic',
      nodata: null,
    });
    // The top-right corner pixel has only the NaN pixel as taps, so it stays NaN.
    expect(out[3]).toBeNaN();
    expect(Array.from(out).filter((v) => Number.isNaN(v))).toHaveLength(1);
    // Beside it, the NaN tap is dropped and the valid one (1) carries the whole weight.
    expect(out[2]).toBeCloseTo(1, 6);
    // Between valid pixels, valid samples blend bilinearly: 1 · 0.75 + 3 · 0.25.
    expect(out[4]).toBeCloseTo(1.5, 6);
  });

  it('clamps cubic overshoot to the integer type range', () => {
    const src = Uint8Array.from([0, 0, 255, 255, 0, 0, 255, 255]);
    const out = resampleWindow({
      src,
      srcWindow: full(4, 2),
      mapping: UPSAMPLE_2X,
      dstWindow: full(8, 4),
      method: 'cubic',
      nodata: null,
    });
    expect(Math.min(...out)).toBe(0);
    expect(Math.max(...out)).toBe(255);
    const unclamped = resampleWindow({
      src: Float32Array.from(src),
      srcWindow: full(4, 2),
      mapping: UPSAMPLE_2X,
      dstWindow: full(8, 4),
      method: 'cubic',
      nodata: null,
    });
    expect(Math.max(...unclamped)).toBeGreaterThan(255);
  });

  it('rejects a source that does not fill its window', () => {
    expect(() =>
      resampleWindow({
        src: new Uint8Array(3),
        srcWindow: full(2, 2),
        mapping: UPSAMPLE_2X,
        dstWindow: full(1, 1),
        method: 'nearest',
        nodata: null,
      }),
    ).toThrow(ValidationError);
  });
});

describe('sourceWindowFor', () => {
  it('names exactly enough source: resampling from it equals resampling from the whole source', () => {
    const srcWidth = 13;
    const srcHeight = 11;
    const source = Float64Array.from(
      { length: srcWidth * srcHeight },
      (_, i) => Math.sin(i * 0.7) * 100,
    );
    fc.assert(
      fc.property(
        fc.constantFrom<ResampleMethod>(...RESAMPLE_METHODS),
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        fc.double({ min: -2, max: 4, noNaN: true }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 12 }),
        (method, scale, offset, start, length) => {
          const mapping: GridMapping = {
            scaleX: scale,
            offsetX: offset,
            scaleY: scale * 0.9,
            offsetY: -offset,
          };
          const dstWindow: PixelWindow = {
            col0: start,
            row0: start,
            width: length,
            height: length,
          };
          const whole = resampleWindow({
            src: source,
            srcWindow: full(srcWidth, srcHeight),
            mapping,
            dstWindow,
            method,
            nodata: null,
          });
          const needed = sourceWindowFor(mapping, dstWindow, srcWidth, srcHeight, method);
          const cut = new Float64Array(needed.width * needed.height);
          for (let r = 0; r < needed.height; r += 1) {
            for (let c = 0; c < needed.width; c += 1) {
              cut[r * needed.width + c] =
                source[(needed.row0 + r) * srcWidth + needed.col0 + c] ?? Number.NaN;
            }
          }
          const partial = resampleWindow({
            src: cut,
            srcWindow: needed,
            mapping,
            dstWindow,
            method,
            nodata: null,
          });
          expect(Array.from(partial)).toEqual(Array.from(whole));
          expect(needed.width).toBeLessThanOrEqual(srcWidth);
        },
      ),
      { seed: 4242, numRuns: 300 },
    );
  });

  it('reads a 2×2-pixel neighbourhood for one bilinear pixel inside the source', () => {
    expect(
      sourceWindowFor(UPSAMPLE_2X, { col0: 3, row0: 3, width: 1, height: 1 }, 10, 10, 'bilinear'),
    ).toEqual({
      col0: 1,
      row0: 1,
      width: 2,
      height: 2,
    });
    expect(
      sourceWindowFor(UPSAMPLE_2X, { col0: 3, row0: 3, width: 1, height: 1 }, 10, 10, 'nearest'),
    ).toEqual({
      col0: 1,
      row0: 1,
      width: 1,
      height: 1,
    });
  });
});
