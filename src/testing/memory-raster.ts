/**
 * For tests: reading a window of bands held in memory (row-major, `rasterWidth` pixels wide),
 * as a RasterSource's readWindow does.
 */
import type { PixelWindow } from '../core/raster/raster.ts';

/** Copies of `window` of each of `bandIndexes` (all bands when absent). */
export function readMemoryWindow(
  bands: readonly Float32Array[],
  rasterWidth: number,
  window: PixelWindow,
  bandIndexes?: readonly number[],
): Float32Array[] {
  return (bandIndexes ?? bands.map((_, i) => i)).map((b) => {
    const out = new Float32Array(window.width * window.height);
    const band = bands[b] ?? new Float32Array(0);
    for (let r = 0; r < window.height; r += 1) {
      const start = (window.row0 + r) * rasterWidth + window.col0;
      out.set(band.subarray(start, start + window.width), r * window.width);
    }
    return out;
  });
}
