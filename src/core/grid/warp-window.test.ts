import { describe, expect, it } from 'vitest';
import { EpsgCrsRegistry } from '../../adapters/crs/epsg-crs-registry.ts';
import { applyGeoTransform } from '../geo/footprint.ts';
import type { PixelWindow } from '../raster/raster.ts';
import { RESAMPLE_METHODS } from '../raster/resample.ts';
import { buildPixelMapping } from './approximate-mapping.ts';
import type { Grid } from './grid.ts';
import { AffinePixelMapping } from './pixel-mapping.ts';
import { kernelMarginPx, warpWindow } from './warp-window.ts';

/** mulberry32: a small seeded generator, so failures reproduce. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A w × h image whose pixel (c, r) holds f at its centre. */
function sampled(w: number, h: number, f: (x: number, y: number) => number): Float64Array {
  const out = new Float64Array(w * h);
  for (let r = 0; r < h; r += 1)
    for (let c = 0; c < w; c += 1) out[r * w + c] = f(c + 0.5, r + 0.5);
  return out;
}

function positions(
  mapping: { mapWindow: (w: PixelWindow, c: Float64Array, r: Float64Array) => void },
  window: PixelWindow,
) {
  const col = new Float64Array(window.width * window.height);
  const row = new Float64Array(window.width * window.height);
  mapping.mapWindow(window, col, row);
  return { col, row };
}

const full = (w: number, h: number): PixelWindow => ({ col0: 0, row0: 0, width: w, height: h });

describe('warpWindow', () => {
  it('copies the source exactly through an identity mapping, with every method', () => {
    const random = seeded(7);
    const source = Int16Array.from({ length: 35 }, () => Math.round(random() * 2000 - 1000));
    const grid: Grid = { crs: null, geoTransform: null, width: 7, height: 5 };
    const { col, row } = positions(buildPixelMapping(grid, grid, null), full(7, 5));
    for (const method of RESAMPLE_METHODS) {
      const out = new Float32Array(35);
      const valid = new Uint8Array(35);
      const count = warpWindow({
        source,
        sourceWindow: full(7, 5),
        sourceCol: col,
        sourceRow: row,
        method,
        nodataIn: null,
        out,
        valid,
      });
      expect(count).toBe(35);
      expect([...out]).toEqual([...source]);
      expect(valid.every((v) => v === 1)).toBe(true);
    }
  });

  it('reproduces a linear ramp (bilinear, cubic) and a quadratic (cubic only) between pixels', () => {
    const ramp = (x: number, y: number): number => 3 * x - 2 * y + 10;
    const bowl = (x: number, y: number): number => 0.5 * x * x + 0.25 * y * y;
    const grid: Grid = { crs: null, geoTransform: null, width: 40, height: 30 };
    // Destination pixel centre p ↦ 0.7·p + (5.3, 4.1): fractional positions well inside.
    const mapping = new AffinePixelMapping(grid, grid, [0.7, 0, 5.3, 0, 0.7, 4.1]);
    const window = full(40, 30);
    const { col, row } = positions(mapping, window);
    const errors = (f: (x: number, y: number) => number, method: 'bilinear' | 'cubic'): number => {
      const out = new Float32Array(1200);
      warpWindow({
        source: sampled(40, 30, f),
        sourceWindow: window,
        sourceCol: col,
        sourceRow: row,
        method,
        nodataIn: null,
        out,
      });
      return Math.max(
        ...[...out].map(
          (v, i) => Math.abs(v - f(col[i]!, row[i]!)) / (1 + Math.abs(f(col[i]!, row[i]!))),
        ),
      );
    };
    expect(errors(ramp, 'bilinear')).toBeLessThan(1e-6);
    expect(errors(ramp, 'cubic')).toBeLessThan(1e-6);
    expect(errors(bowl, 'cubic')).toBeLessThan(1e-6);
    expect(errors(bowl, 'bilinear')).toBeGreaterThan(1e-3);
  });

  it('takes the pixel holding the position for nearest', () => {
    const source = Float32Array.from({ length: 16 }, (_, i) => i);
    const out = new Float32Array(4);
    warpWindow({
      source,
      sourceWindow: full(4, 4),
      sourceCol: Float64Array.of(0, 3.99, 2.5, 1.0001),
      sourceRow: Float64Array.of(0, 0.2, 3.7, 2.9999),
      method: 'nearest',
      nodataIn: null,
      out,
    });
    expect([...out]).toEqual([0, 3, 14, 9]);
  });

  it('fills pixels whose kernel touches nodata, by the kernel radius', () => {
    const source = new Float32Array(100).fill(1);
    source[55] = -9999;
    const grid: Grid = { crs: null, geoTransform: null, width: 10, height: 10 };
    // Half-pixel shift: each position sits on a pixel corner, between 2 × 2 centres.
    const { col, row } = positions(
      new AffinePixelMapping(grid, grid, [1, 0, 0.5, 0, 1, 0.5]),
      full(10, 10),
    );
    const invalid = { nearest: 1, bilinear: 4, cubic: 16 };
    for (const method of RESAMPLE_METHODS) {
      const out = new Float32Array(100);
      const valid = new Uint8Array(100);
      const count = warpWindow({
        source,
        sourceWindow: full(10, 10),
        sourceCol: col,
        sourceRow: row,
        method,
        nodataIn: -9999,
        out,
        valid,
      });
      const outside = 19; // the last row and column map to positions ≥ 10, off the raster
      expect(count).toBe(100 - outside - invalid[method]);
      expect(out[44]).toBeNaN();
      expect(valid[44]).toBe(0);
      expect(out[0]).toBe(1);
    }
  });

  it('fills positions outside the raster or NaN with the fill value', () => {
    const out = new Float32Array(4);
    const valid = new Uint8Array(4);
    const count = warpWindow({
      source: Float32Array.of(1, 2, 3, 4),
      sourceWindow: full(2, 2),
      sourceCol: Float64Array.of(-0.01, 2, Number.NaN, 1.5),
      sourceRow: Float64Array.of(1, 1, 1, 1.5),
      method: 'bilinear',
      nodataIn: null,
      fill: -1,
      out,
      valid,
    });
    expect(count).toBe(1);
    expect([...out]).toEqual([-1, -1, -1, 4]);
    expect([...valid]).toEqual([0, 0, 0, 1]);
  });

  it('repeats edge samples at the raster edge but refuses taps beyond a too-small window', () => {
    const source = Float32Array.of(10, 20, 30, 40);
    const base = { sourceRow: Float64Array.of(0.5), nodataIn: null, method: 'bilinear' as const };
    const out = new Float32Array(1);
    // Left of the first centre, at the raster edge: the edge sample repeats.
    warpWindow({
      ...base,
      source,
      sourceWindow: { col0: 0, row0: 0, width: 4, height: 1 },
      sourceRasterWidth: 10,
      sourceRasterHeight: 1,
      sourceCol: Float64Array.of(0.2),
      out,
    });
    expect(out[0]).toBeCloseTo(10, 5);
    // A window [3, 7) of a wider raster: position 3.2 needs pixel 2, outside the window.
    warpWindow({
      ...base,
      source,
      sourceWindow: { col0: 3, row0: 0, width: 4, height: 1 },
      sourceRasterWidth: 10,
      sourceRasterHeight: 1,
      sourceCol: Float64Array.of(3.2),
      out,
    });
    expect(out[0]).toBeNaN();
    warpWindow({
      ...base,
      source,
      sourceWindow: { col0: 3, row0: 0, width: 4, height: 1 },
      sourceRasterWidth: 10,
      sourceRasterHeight: 1,
      sourceCol: Float64Array.of(5),
      out,
    });
    expect(out[0]).toBeCloseTo(25, 5);
  });

  it('rejects mismatched sizes', () => {
    const base = {
      sourceCol: new Float64Array(4),
      sourceRow: new Float64Array(4),
      method: 'nearest' as const,
      nodataIn: null,
    };
    expect(() =>
      warpWindow({
        ...base,
        source: new Float32Array(3),
        sourceWindow: full(2, 2),
        out: new Float32Array(4),
      }),
    ).toThrow(/needs 4/);
    expect(() =>
      warpWindow({
        ...base,
        source: new Float32Array(4),
        sourceWindow: full(2, 2),
        out: new Float32Array(5),
      }),
    ).toThrow(/5 output pixels/);
    expect(() =>
      warpWindow({
        ...base,
        source: new Float32Array(4),
        sourceWindow: full(2, 2),
        out: new Float32Array(4),
        valid: new Uint8Array(2),
      }),
    ).toThrow(/valid holds 2/);
    expect(() =>
      warpWindow({
        ...base,
        source: new Float32Array(4),
        sourceWindow: { col0: 9, row0: 0, width: 2, height: 2 },
        sourceRasterWidth: 10,
        out: new Float32Array(4),
      }),
    ).toThrow(/inside the 10 × 2/);
  });
});

describe('reprojection window by window', () => {
  it('resamples a smooth lon/lat field onto a UTM grid as the exact transform would', () => {
    const registry = new EpsgCrsRegistry();
    const field = (lon: number, lat: number): number =>
      100 * Math.sin(lon * 40) + 80 * Math.cos(lat * 55);
    const source: Grid = {
      crs: 'EPSG:4326',
      geoTransform: [13.5, 0.0002, 0, 50.7, 0, -0.0002],
      width: 900,
      height: 600,
    };
    const values = sampled(900, 600, (c, r) =>
      field(...applyGeoTransform(source.geoTransform!, c, r)),
    );
    const destination: Grid = {
      crs: 'EPSG:32633',
      geoTransform: [400000, 12, 0, 5616000, 0, -12],
      width: 256,
      height: 256,
    };
    const toLonLat = registry.toLonLat('EPSG:32633');
    const mapping = buildPixelMapping(destination, source, toLonLat);
    let worst = 0;
    for (const window of [
      { col0: 0, row0: 0 },
      { col0: 128, row0: 0 },
      { col0: 0, row0: 128 },
      { col0: 128, row0: 128 },
    ]) {
      const w: PixelWindow = { ...window, width: 128, height: 128 };
      const read = mapping.sourceWindowFor(w, kernelMarginPx('cubic'))!;
      const part = new Float32Array(read.width * read.height);
      for (let r = 0; r < read.height; r += 1) {
        part.set(
          values.subarray(
            (read.row0 + r) * 900 + read.col0,
            (read.row0 + r) * 900 + read.col0 + read.width,
          ),
          r * read.width,
        );
      }
      const { col, row } = positions(mapping, w);
      const out = new Float32Array(128 * 128);
      const count = warpWindow({
        source: part,
        sourceWindow: read,
        sourceRasterWidth: 900,
        sourceRasterHeight: 600,
        sourceCol: col,
        sourceRow: row,
        method: 'cubic',
        nodataIn: null,
        out,
      });
      expect(count).toBe(128 * 128);
      for (let i = 0; i < out.length; i += 1) {
        const centre = applyGeoTransform(
          destination.geoTransform!,
          w.col0 + (i % 128) + 0.5,
          w.row0 + Math.floor(i / 128) + 0.5,
        );
        worst = Math.max(worst, Math.abs(out[i]! - field(...toLonLat(centre))));
      }
    }
    // The field changes by up to ~1 unit per source pixel: 0.125 px of mapping error plus
    // cubic interpolation error stay well under one unit.
    expect(worst).toBeLessThan(0.5);
  });
});
