/**
 * Seeded synthetic imagery for the COG writer's tests and benchmark: smooth value noise (a
 * coarse random grid, bilinearly interpolated, like fields and terrain) plus a little per-pixel
 * noise (like sensor noise), so it compresses roughly as real imagery does.
 */
import type { RasterDataType } from '../../core/imagery/image.ts';
import type { PixelArray } from '../../core/raster/raster.ts';
import { allocatePixels } from './tile-cutter.ts';
import { seededRandom } from '../../core/random.ts';

const VALUE_RANGE: Record<RasterDataType, readonly [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 10000],
  int16: [-5000, 5000],
  uint32: [0, 100000],
  int32: [-100000, 100000],
  float32: [-1, 1],
  float64: [-1, 1],
};

export interface SyntheticBandsOptions {
  readonly width: number;
  readonly height: number;
  readonly bandCount: number;
  readonly dataType: RasterDataType;
  readonly seed: number;
  /** Side of the coarse grid cells in pixels. Default 64. */
  readonly cellPixels?: number;
  /** Per-pixel noise as a fraction of the value range. Default 0.0005. */
  readonly noiseFraction?: number;
}

/** One array per band of width × height samples, row-major; the same seed gives the same data. */
export function syntheticBands(options: SyntheticBandsOptions): PixelArray[] {
  const { width, height, bandCount, dataType } = options;
  const cell = options.cellPixels ?? 64;
  const random = seededRandom(options.seed);
  const [low, high] = VALUE_RANGE[dataType];
  const span = high - low;
  const noise = span * (options.noiseFraction ?? 0.0005);
  const gridW = Math.ceil(width / cell) + 2;
  const gridH = Math.ceil(height / cell) + 2;
  const integer = dataType !== 'float32' && dataType !== 'float64';
  return Array.from({ length: bandCount }, () => {
    const grid = Float64Array.from({ length: gridW * gridH }, () => random());
    const band = allocatePixels(dataType, width * height);
    for (let y = 0; y < height; y++) {
      const gy = y / cell;
      const iy = Math.floor(gy);
      const fy = gy - iy;
      for (let x = 0; x < width; x++) {
        const gx = x / cell;
        const ix = Math.floor(gx);
        const fx = gx - ix;
        const i = iy * gridW + ix;
        const top = (grid[i] ?? 0) + ((grid[i + 1] ?? 0) - (grid[i] ?? 0)) * fx;
        const bottom =
          (grid[i + gridW] ?? 0) + ((grid[i + gridW + 1] ?? 0) - (grid[i + gridW] ?? 0)) * fx;
        const smooth = low + (top + (bottom - top) * fy) * (span - noise);
        const value = smooth + random() * noise;
        band[y * width + x] = integer ? Math.floor(value) : value;
      }
    }
    return band;
  });
}
