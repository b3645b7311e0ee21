/**
 * Test support for the COG writer: writes a seeded raster in uneven strips, and computes the
 * expected pyramid with a plain reference reduction (independent of core/raster/overview.ts).
 */
import { isFloatType, resolveCogSpec } from './cog-spec.ts';
import { createCogWriter, type CogSpec } from './cog-writer.ts';
import { syntheticBands } from './synthetic-bands.ts';
import { allocatePixels } from './tile-cutter.ts';
import type { PixelArray } from '../../core/raster/raster.ts';

/** Seeded bands for `spec`, with nodata (when set) sprinkled over ~10 % of pixels and a NaN stripe for floats. */
export function testBands(spec: CogSpec, seed: number): PixelArray[] {
  const bands = syntheticBands({ ...spec, seed, cellPixels: 16, noiseFraction: 0.02 });
  let state = seed;
  for (const band of bands) {
    for (let i = 0; i < band.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      if (spec.nodata !== null && state % 10 === 0) band[i] = spec.nodata;
    }
    if (isFloatType(spec.dataType)) band.fill(Number.NaN, 0, Math.min(band.length, spec.width * 3));
  }
  return bands;
}

/** Writes `bands` through the writer, in strips of 1, 7, 100, 1, 7, 100, … rows. */
export async function writeTestCog(
  path: string,
  spec: CogSpec,
  bands: readonly PixelArray[],
): Promise<void> {
  const writer = await createCogWriter(path, spec);
  const strips = [1, 7, 100];
  let row = 0;
  for (let i = 0; row < spec.height; i++) {
    const rows = Math.min(strips[i % strips.length] ?? 1, spec.height - row);
    await writer.writeRows(
      row,
      bands.map((band) => band.slice(row * spec.width, (row + rows) * spec.width)),
    );
    row += rows;
  }
  await writer.finish();
}

function reduceReference(
  src: PixelArray,
  width: number,
  height: number,
  spec: CogSpec,
): PixelArray {
  const outWidth = Math.ceil(width / 2);
  const outHeight = Math.ceil(height / 2);
  const out = allocatePixels(spec.dataType, outWidth * outHeight);
  const nodata = spec.nodata;
  const valid = (v: number): boolean =>
    !Number.isNaN(v) && (nodata === null || Number.isNaN(nodata) || v !== nodata);
  for (let r = 0; r < outHeight; r++) {
    for (let c = 0; c < outWidth; c++) {
      const block: number[] = [];
      for (const [dr, dc] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ] as const) {
        if (2 * r + dr < height && 2 * c + dc < width) {
          block.push(src[(2 * r + dr) * width + 2 * c + dc] ?? 0);
        }
      }
      const i = r * outWidth + c;
      if ((spec.overviewResampling ?? 'nearest') === 'nearest') {
        out[i] = block[0] ?? 0;
        continue;
      }
      const good = block.filter(valid);
      if (good.length === 0) {
        out[i] = nodata ?? Number.NaN;
        continue;
      }
      const mean = good.reduce((a, b) => a + b, 0) / good.length;
      out[i] = isFloatType(spec.dataType) ? mean : Math.floor(mean + 0.5);
      if (nodata !== null && out[i] === nodata) out[i] = good.at(-1) ?? nodata;
    }
  }
  return out;
}

/** Expected pixels of every level (full resolution first), one array per band each. */
export function expectedPyramid(spec: CogSpec, bands: readonly PixelArray[]): PixelArray[][] {
  const levels = resolveCogSpec(spec).levels;
  const pyramid: PixelArray[][] = [bands.slice()];
  let above = bands.slice();
  for (const [l, size] of levels.slice(0, -1).entries()) {
    above = above.map((band) => reduceReference(band, size.width, size.height, spec));
    pyramid[l + 1] = above;
  }
  return pyramid;
}

/** The bytes of a typed array, for exact comparison (NaN included). */
export function bytesOf(array: PixelArray): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
