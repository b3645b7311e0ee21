import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PixelWindow } from '../raster/raster.ts';
import { seededRandom } from '../random.ts';
import {
  translationOffsets,
  warpTranslation,
  type TranslationWarpRequest,
} from './warp-translation.ts';
import { warpWindow } from './warp-window.ts';

const NODATA = -999;
const FILL = -12345;

/** The general path's answer: warpWindow on the translated pixel centres of `window`. */
function general(request: TranslationWarpRequest) {
  const { window } = request;
  const count = window.width * window.height;
  const sourceCol = new Float64Array(count);
  const sourceRow = new Float64Array(count);
  let i = 0;
  for (let r = 0; r < window.height; r += 1) {
    for (let k = 0; k < window.width; k += 1) {
      sourceCol[i] = window.col0 + k + 0.5 + request.colOffsetPx;
      sourceRow[i] = window.row0 + r + 0.5 + request.rowOffsetPx;
      i += 1;
    }
  }
  const out = new Float32Array(count);
  const valid = new Uint8Array(count);
  const validCount = warpWindow({ ...request, sourceCol, sourceRow, out, valid });
  return { out, valid, validCount };
}

function fast(request: TranslationWarpRequest) {
  const count = request.window.width * request.window.height;
  const out = new Float32Array(count);
  const valid = new Uint8Array(count);
  const validCount = warpTranslation({ ...request, out, valid });
  return { out, valid, validCount };
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  a.forEach((v, i) => {
    max = Math.max(max, Math.abs(v - (b[i] ?? Number.NaN)));
  });
  return max;
}

/** A random case: a raster, a source window inside it, a destination window and an offset. */
const cases = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  rasterWidth: fc.integer({ min: 1, max: 24 }),
  rasterHeight: fc.integer({ min: 1, max: 24 }),
  windowCut: fc.tuple(fc.nat(6), fc.nat(6), fc.nat(6), fc.nat(6)),
  destination: fc.record({
    col0: fc.integer({ min: -4, max: 8 }),
    row0: fc.integer({ min: -4, max: 8 }),
    width: fc.integer({ min: 1, max: 30 }),
    height: fc.integer({ min: 1, max: 30 }),
  }),
  colOffsetPx: fc.oneof(
    fc.integer({ min: -12, max: 12 }),
    fc.double({ min: -12, max: 12, noNaN: true }),
  ),
  rowOffsetPx: fc.oneof(
    fc.integer({ min: -12, max: 12 }),
    fc.double({ min: -12, max: 12, noNaN: true }),
  ),
  withNodata: fc.boolean(),
  rasterSizeGiven: fc.boolean(),
});
type Case = typeof cases extends fc.Arbitrary<infer T> ? T : never;

function requestOf(c: Case, method: 'nearest' | 'bilinear'): TranslationWarpRequest {
  const [left, top, right, bottom] = c.windowCut;
  const col0 = Math.min(left, c.rasterWidth - 1);
  const row0 = Math.min(top, c.rasterHeight - 1);
  const sourceWindow: PixelWindow = {
    col0,
    row0,
    width: Math.max(1, c.rasterWidth - col0 - right),
    height: Math.max(1, c.rasterHeight - row0 - bottom),
  };
  const random = seededRandom(c.seed);
  const source = Float32Array.from({ length: sourceWindow.width * sourceWindow.height }, () =>
    c.withNodata && random() < 0.1 ? NODATA : Math.round(random() * 2000 - 1000) / 8,
  );
  return {
    source,
    sourceWindow,
    ...(c.rasterSizeGiven
      ? { sourceRasterWidth: c.rasterWidth, sourceRasterHeight: c.rasterHeight }
      : {}),
    window: c.destination,
    colOffsetPx: c.colOffsetPx,
    rowOffsetPx: c.rowOffsetPx,
    method,
    nodataIn: c.withNodata ? NODATA : null,
    fill: FILL,
    out: new Float32Array(0),
  };
}

describe('warpTranslation', () => {
  it('gives what warpWindow gives on the translated positions (nearest exactly, bilinear within 1e-4)', () => {
    fc.assert(
      fc.property(cases, (c) => {
        for (const method of ['nearest', 'bilinear'] as const) {
          const request = requestOf(c, method);
          const expected = general(request);
          const actual = fast(request);
          expect(actual.validCount).toBe(expected.validCount);
          expect([...actual.valid]).toEqual([...expected.valid]);
          const tolerance = method === 'nearest' ? 0 : 1e-4;
          expect(maxAbsDifference(actual.out, expected.out)).toBeLessThanOrEqual(tolerance);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('copies the source exactly on identical grids and integer offsets', () => {
    const source = Int16Array.from({ length: 48 }, (_, i) => i * 7 - 100);
    const window: PixelWindow = { col0: 0, row0: 0, width: 8, height: 6 };
    const out = new Float32Array(48);
    const base = { source, sourceWindow: window, window, nodataIn: null, out } as const;
    expect(warpTranslation({ ...base, colOffsetPx: 0, rowOffsetPx: 0, method: 'bilinear' })).toBe(
      48,
    );
    expect([...out]).toEqual([...source]);
    // Shifted by (2, 1): the last 2 columns and the last row have no source pixel.
    expect(warpTranslation({ ...base, colOffsetPx: 2, rowOffsetPx: 1, method: 'bilinear' })).toBe(
      6 * 5,
    );
    expect(out[0]).toBe(source[1 * 8 + 2]);
    expect(Number.isNaN(out[6])).toBe(true);
    expect(Number.isNaN(out[5 * 8])).toBe(true);
  });

  it('recognises a pure translation only', () => {
    expect(translationOffsets([1, 0, 3.25, 0, 1, -2])).toEqual({
      colOffsetPx: 3.25,
      rowOffsetPx: -2,
    });
    expect(translationOffsets([1, 1e-12, 3, 0, 1, 0])).toBeNull();
    expect(translationOffsets([0.5, 0, 0, 0, 0.5, 0])).toBeNull();
  });
});
