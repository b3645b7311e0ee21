/**
 * Co-registration alone, as one process, with sitewatch's library: decode every band of both
 * images with the project's GeoTIFF adapter, estimate the translation carrying B onto A on one
 * band with `estimateTranslationPyramid` (coarse phase correlation, then upsampled phase
 * correlation on textured full-resolution tiles), and resample every band of B onto A with
 * `shiftImage` (cubic). The `compare` CLI has no co-registration-only mode, so this is what
 * compare.bench.ts measures against scikit-image's registration.
 *
 *   npx tsx bench/coreg-only.ts A.tif B.tif [--band 3]
 *
 * Prints one JSON line: dx, dy (B shifted by (dx, dy) lands on A), confidence, the seconds of
 * each stage (decode, estimate, resample) and whether every resampled sample is finite.
 */
import { EpsgCrsRegistry } from '../src/adapters/crs/epsg-crs-registry.ts';
import { openGeoTiff } from '../src/adapters/geotiff/geotiff-raster-source.ts';
import { estimateTranslationPyramid } from '../src/core/coregister/pyramid.ts';
import { shiftImage } from '../src/core/coregister/shift-image.ts';
import { ValidationError } from '../src/core/errors.ts';
import type { PixelArray } from '../src/core/raster/raster.ts';

/** Every band of a GeoTIFF, native type, one full-image window. */
export async function decodeAllBands(path: string): Promise<{
  readonly width: number;
  readonly height: number;
  readonly bands: PixelArray[];
}> {
  const source = await openGeoTiff(path, { maxPixels: 2 ** 31 }, new EpsgCrsRegistry());
  try {
    const { width, height } = source.description;
    const bands = await source.readWindow({ col0: 0, row0: 0, width, height });
    return { width, height, bands };
  } finally {
    await source.close();
  }
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(argv: readonly string[]): Promise<void> {
  const paths = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--band');
  const bandFlag = argv.indexOf('--band');
  const bandNumber = bandFlag >= 0 ? Number(argv[bandFlag + 1]) : 3;
  const [pathA, pathB] = paths;
  if (pathA === undefined || pathB === undefined || !Number.isInteger(bandNumber)) {
    throw new ValidationError('usage: npx tsx bench/coreg-only.ts A.tif B.tif [--band 3]');
  }
  const t0 = process.hrtime.bigint();
  const a = await decodeAllBands(pathA);
  const b = await decodeAllBands(pathB);
  if (a.width !== b.width || a.height !== b.height || a.bands.length !== b.bands.length) {
    throw new ValidationError(`${pathA} and ${pathB} differ in size or band count`);
  }
  const { width, height } = a;
  const decodeSeconds = seconds(t0);

  const t1 = process.hrtime.bigint();
  const bandA = a.bands[bandNumber - 1];
  const bandB = b.bands[bandNumber - 1];
  if (bandA === undefined || bandB === undefined) {
    throw new ValidationError(`--band ${bandNumber}: the images have ${a.bands.length} bands`);
  }
  const estimate = estimateTranslationPyramid(
    Float32Array.from(bandA),
    Float32Array.from(bandB),
    width,
    height,
  );
  const estimateSeconds = seconds(t1);

  let resampleSeconds = 0;
  const scratch = new Float32Array(width * height);
  const out = new Float32Array(width * height);
  let nonFinite = 0;
  for (const band of b.bands) {
    const t2 = process.hrtime.bigint();
    scratch.set(band);
    shiftImage(scratch, width, height, estimate.dx, estimate.dy, 'cubic', Number.NaN, out);
    resampleSeconds += seconds(t2);
    // Samples whose source falls outside the image are NaN by design (fill); count only the
    // interior, where every sample must be finite.
    const x0 = Math.ceil(Math.abs(estimate.dx)) + 2;
    const y0 = Math.ceil(Math.abs(estimate.dy)) + 2;
    for (let y = y0; y < height - y0; y++) {
      for (let x = x0; x < width - x0; x++) {
        if (!Number.isFinite(out[y * width + x] ?? Number.NaN)) nonFinite++;
      }
    }
  }
  console.log(
    JSON.stringify({
      width,
      height,
      bands: b.bands.length,
      band: bandNumber,
      dx: estimate.dx,
      dy: estimate.dy,
      confidence: estimate.confidence,
      method: estimate.method,
      decodeSeconds,
      estimateSeconds,
      resampleSeconds,
      nonFiniteInteriorSamples: nonFinite,
    }),
  );
}

if (process.argv[1]?.endsWith('coreg-only.ts') === true) {
  await main(process.argv.slice(2));
}
